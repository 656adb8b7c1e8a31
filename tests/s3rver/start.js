// Starts s3rver for the S3 target tests (tests/support/s3rver_fixture.h):
//   node start.js DATA_DIR PORT_FILE BUCKET [CERT KEY]
// Listens on a free loopback port, creates BUCKET, keeps s3rver's signature
// check on (no allowMismatchedSignatures), and writes the port to PORT_FILE
// once it accepts connections. With CERT and KEY it speaks HTTPS.
'use strict';
const fs = require('fs');
const S3rver = require('s3rver');

const [dir, portFile, bucket, cert, key] = process.argv.slice(2);
if (!dir || !portFile || !bucket) {
  console.error('usage: node start.js DATA_DIR PORT_FILE BUCKET [CERT KEY]');
  process.exit(2);
}
const options = {
  address: '127.0.0.1',
  port: 0,
  directory: dir,
  silent: true,
  vhostBuckets: false,
  configureBuckets: [{ name: bucket, configs: [] }],
};
if (cert && key) {
  options.cert = fs.readFileSync(cert);
  options.key = fs.readFileSync(key);
}
new S3rver(options).run().then(
  (address) => {
    fs.writeFileSync(portFile + '.tmp', String(address.port));
    fs.renameSync(portFile + '.tmp', portFile);
  },
  (err) => {
    console.error('s3rver failed to start:', err);
    process.exit(1);
  },
);
