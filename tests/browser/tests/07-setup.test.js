// A freshly installed wiki with no users restored from an off-site copy in
// the browser (/setup), in order:
//  1. A wrong setup code is refused, and nothing typed secret is shown back.
//  2. With the code the server wrote: the target's restore points are
//     listed (the newest chosen), "Restore" restores it, and the restored
//     admin logs in and sees the page of the lost wiki.
//  3. /setup is gone (404) once the wiki has users.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');

const ANN = { name: 'ann', role: 'admin', password: 'ann-password-1' };
const PASSPHRASE = 'the passphrase of the lost wiki';
const targetDir = path.join(h.tempDir('setup-target'), 'nas');
let fresh;
let browser;
let page;

before(async () => {
  // The wiki that was lost: a page, a restore point, an off-site copy
  // (made with the CLI beside its server, which then stops).
  const lost = await h.startServer('setup-lost', { users: [ANN] });
  browser = await h.launchBrowser();
  const lostPage = await h.newPage(browser, lost.url);
  await h.login(lostPage, ANN.name, ANN.password);
  await h.apiPutPage(lostPage, 'alpha', 'Alpha', 'Alpha, from the lost wiki.');
  await lostPage.context().close();
  const snapshot = h.cli(['backup', 'snapshot', '--data', lost.dataDir, '--quiet']);
  assert.equal(snapshot.code, 0, snapshot.stderr);
  const copy = h.cli(['backup', 'copy', '--data', lost.dataDir, '--to', targetDir], { input: `${PASSPHRASE}\n` });
  assert.equal(copy.code, 0, copy.stderr);
  await lost.stop();
  fresh = await h.startServer('setup-fresh');
  page = await h.newPage(browser, fresh.url);
});

after(() => h.finish({ server: fresh, browser, dirs: [path.dirname(targetDir)] }));

async function fillSetupForm(code) {
  await h.visit(page, '/setup');
  await page.getByLabel('Setup code').fill(code);
  await page.getByLabel('Where the copy is').selectOption('directory');
  await page.getByLabel('Directory (absolute path)').fill(targetDir);
  await page.getByLabel('The target\'s passphrase').fill(PASSPHRASE);
}

test('1. a wrong setup code is refused and the passphrase is not shown back', async () => {
  await fillSetupForm('0123456789abcdef0123456789abcdef');
  await h.clickAndWait(page, page.getByRole('button', { name: 'List restore points' }), { status: 403 });
  await page.getByRole('alert').filter({ hasText: 'Wrong setup code' }).waitFor();
  assert.ok(!(await page.content()).includes(PASSPHRASE), 'the passphrase is shown back');
  assert.equal(await page.getByLabel('Directory (absolute path)').inputValue(), targetDir);
  await h.screenshot(page, 'setup-wrong-code');
});

test('2. the restore point chosen is restored and its admin logs in', async () => {
  const code = fs.readFileSync(path.join(fresh.dataDir, 'setup-code'), 'utf8').trim();
  await fillSetupForm(code);
  await h.clickAndWait(page, page.getByRole('button', { name: 'List restore points' }), { status: 200 });
  await page.getByRole('heading', { level: 1, name: 'Choose a restore point' }).waitFor();
  const rows = page.locator('main table.setup-points tbody tr');
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.first().getByRole('radio').isChecked(), true, 'the newest is not chosen');
  assert.ok(!(await page.content()).includes(PASSPHRASE), 'the passphrase is shown back');
  await h.screenshot(page, 'setup-points');
  await h.clickAndWait(page, page.getByRole('button', { name: 'Restore' }), { status: 200 });
  await page.getByRole('heading', { level: 1, name: 'The wiki was restored' }).waitFor();
  await h.screenshot(page, 'setup-restored');
  assert.ok(!fs.existsSync(path.join(fresh.dataDir, 'setup-code')), 'the setup code file is still there');
  await h.login(page, ANN.name, ANN.password);
  await h.visit(page, '/wiki/alpha');
  await page.getByText('Alpha, from the lost wiki.').waitFor();
});

test('3. /setup is gone once the wiki has users', async () => {
  await h.visit(page, '/setup', 404);
});
