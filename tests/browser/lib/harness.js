// Shared set-up of the browser tests: an arkwiki server on a fresh
// data directory, its CLI, headless Debian Chromium through playwright-core,
// and small helpers for the wiki's pages.
//
// Environment:
//   ARKWIKI_BIN   the arkwiki binary (required)
//   ARTIFACTS     where screenshots and server logs go (default: a temp dir)
//   CHROMIUM      the browser (default /usr/bin/chromium)
'use strict';

const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { chromium } = require('playwright-core');

const BIN = process.env.ARKWIKI_BIN;
if (!BIN) throw new Error('set ARKWIKI_BIN to the arkwiki binary');
const ARTIFACTS = path.resolve(process.env.ARTIFACTS || path.join(os.tmpdir(), 'arkwiki-browser-artifacts'));
fs.mkdirSync(ARTIFACTS, { recursive: true });

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const TIMEOUT_MS = 20000;  // one step (navigation, a wait) on a loaded machine

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `arkwiki-browser-${prefix}-`));
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

// ---- the arkwiki CLI and server ---------------------------------------------------------

function cli(args, { input } = {}) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

function addUser(dataDir, name, role, password) {
  const r = cli(['user', 'add', '--data', dataDir, '--name', name, '--role', role, '--password-stdin'],
    { input: `${password}\n` });
  assert.equal(r.code, 0, `arkwiki user add ${name} failed: ${r.stderr}`);
}

async function waitFor(what, fn, { timeout = TIMEOUT_MS, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// A server on 127.0.0.1 with a port the kernel picks; users are created with
// the CLI first (the server holds the data directory's lock while it runs).
async function startServer(name, { users = [], env = {} } = {}) {
  const dataDir = tempDir(`${name}-data`);
  for (const u of users) addUser(dataDir, u.name, u.role, u.password);
  const portFile = path.join(dataDir, '..', `${path.basename(dataDir)}.port`);
  const logPath = path.join(ARTIFACTS, `server-${name}.log`);
  const log = fs.createWriteStream(logPath);
  const proc = spawn(BIN, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--port-file', portFile],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = null;
  proc.stdout.pipe(log, { end: false });
  proc.stderr.pipe(log, { end: false });
  proc.on('exit', (code, signal) => {
    exited = { code, signal };
    log.write(`[browser tests] arkwiki serve exited: code ${code}, signal ${signal}\n`);
  });
  const port = await waitFor('the server to write its port file', () => {
    if (exited) throw new Error(`arkwiki serve exited (${JSON.stringify(exited)}); see ${logPath}`);
    try {
      const text = fs.readFileSync(portFile, 'utf8').trim();
      return /^\d+$/.test(text) ? Number(text) : null;
    } catch { return null; }
  });
  const url = `http://127.0.0.1:${port}`;
  const server = {
    name, url, dataDir, logPath, proc,
    exited: () => exited,
    async stop() {
      if (!exited) {
        proc.kill('SIGTERM');
        await waitFor('the server to stop', () => exited, { timeout: 15000 }).catch(() => proc.kill('SIGKILL'));
      }
      log.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(portFile, { force: true });
    },
  };
  return server;
}

// ---- the browser ------------------------------------------------------------------------

// playwright-core's launch() gives the browser a new, empty --user-data-dir of
// its own (a temp directory it deletes on close); each newContext() is a
// separate cookie jar, i.e. a separate "browser" for the wiki.
async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60000,
  });
}

async function newPage(browser, baseURL) {
  const context = await browser.newContext({ baseURL, acceptDownloads: true });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`JavaScript error: ${e.message}`));
  page.problems = problems;
  return page;
}

async function screenshot(page, name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Navigates and returns the response, asserting its status.
async function visit(page, url, status = 200) {
  const r = await page.goto(url);
  assert.ok(r, `no response for ${url}`);
  assert.equal(r.status(), status, `GET ${url}: expected ${status}, got ${r.status()}`);
  return r;
}

// Clicks something that submits a form or follows a link and waits for the
// resulting document.
async function clickAndWait(page, locator, { status } = {}) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    locator.click(),
  ]);
  if (status !== undefined) {
    assert.ok(response, 'the click led to no navigation response');
    assert.equal(response.status(), status, `after the click: expected ${status}, got ${response.status()} at ${page.url()}`);
  }
  return response;
}

async function login(page, name, password) {
  await visit(page, '/login');
  await page.getByLabel('User name', { exact: true }).fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await clickAndWait(page, page.getByRole('button', { name: 'Log in' }));
  await assert.doesNotReject(
    page.locator('.nav-user', { hasText: name }).waitFor({ state: 'visible' }),
    `${name} is not logged in (at ${page.url()})`);
}

async function logout(page) {
  await clickAndWait(page, page.getByRole('button', { name: 'Log out' }));
  await page.getByRole('link', { name: 'Log in' }).waitFor();
}

// The CSRF token of the session, from the logout form every page carries.
async function csrfToken(page) {
  return page.locator('form[action="/logout"] input[name="csrf"]').inputValue();
}

// Creates a page through /new and the editor; returns its slug.
async function createPage(page, title, markdown) {
  await visit(page, '/new');
  await page.getByLabel('Title', { exact: true }).fill(title);
  await clickAndWait(page, page.getByRole('button', { name: 'Continue' }));
  assert.match(new URL(page.url()).pathname, /^\/wiki\/[^/]+\/edit$/, `not in the editor: ${page.url()}`);
  await page.locator('#markdown').fill(markdown);
  await clickAndWait(page, page.getByRole('button', { name: 'Create page' }), { status: 200 });
  const slug = decodeURIComponent(new URL(page.url()).pathname.replace(/^\/wiki\//, ''));
  await assert.doesNotReject(page.locator('.page-header h1', { hasText: title }).waitFor(),
    `the new page "${title}" is not shown after saving (at ${page.url()})`);
  return slug;
}

async function editPage(page, slug, { title, markdown }) {
  await visit(page, `/wiki/${slug}/edit`);
  if (title !== undefined) await page.getByLabel('Title', { exact: true }).fill(title);
  if (markdown !== undefined) await page.locator('#markdown').fill(markdown);
  await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }), { status: 200 });
  assert.equal(new URL(page.url()).pathname, `/wiki/${slug}`);
}

async function deletePage(page, slug) {
  await visit(page, `/wiki/${slug}/delete`);
  await clickAndWait(page, page.getByRole('button', { name: 'Move to trash' }), { status: 200 });
  await visit(page, `/wiki/${slug}`, 404);
}

// Set-up shortcuts through the JSON API with the browser's session (the UI
// path of the same actions is what 01-wiki.test.js tests).
async function apiPutPage(page, slug, title, markdown) {
  const r = await page.request.put(`/api/pages/${slug}`, {
    headers: { 'X-CSRF-Token': await csrfToken(page) }, data: { title, markdown },
  });
  assert.ok(r.ok(), `PUT /api/pages/${slug}: ${r.status()} ${await r.text()}`);
}

async function apiUpload(page, slug, name, buffer, mimeType) {
  const r = await page.request.post(`/api/pages/${slug}/uploads`, {
    headers: { 'X-CSRF-Token': await csrfToken(page) },
    multipart: { file: { name, mimeType, buffer } },
  });
  assert.equal(r.status(), 201, `upload to ${slug}: ${await r.text()}`);
}

async function uploadFile(page, slug, file) {
  await visit(page, `/wiki/${slug}`);
  await page.getByText('Attach a file').click();
  await page.getByLabel('File to attach').setInputFiles(file);
  await clickAndWait(page, page.getByRole('button', { name: 'Upload', exact: true }), { status: 200 });
}

// Waits until every <img> of the page's content (Markdown and the list of
// files) has loaded or failed, and returns their natural sizes (0 if broken).
async function imageSizes(page, selector = 'main img') {
  const imgs = page.locator(selector);
  const n = await imgs.count();
  const sizes = [];
  for (let i = 0; i < n; i++) {
    const img = imgs.nth(i);
    await img.scrollIntoViewIfNeeded();  // loading="lazy"
    sizes.push(await img.evaluate((el) => new Promise((resolve) => {
      const done = () => resolve({ src: el.getAttribute('src'), width: el.naturalWidth, height: el.naturalHeight });
      if (el.complete) done(); else { el.addEventListener('load', done); el.addEventListener('error', done); }
    })));
  }
  return sizes;
}

// Everything a reader sees of the wiki's pages, with their raw Markdown and
// the SHA-256 of every uploaded file, to compare the wiki before and after an
// import. The browser fetches and parses each page itself (one round trip
// from here), and decodes every image with `new Image()` to prove it loads.
async function snapshotWiki(page) {
  await visit(page, '/pages');
  const result = await page.evaluate(async () => {
    const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const imageSize = (src) => new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve({ src, width: img.naturalWidth, height: img.naturalHeight });
      img.onerror = () => resolve({ src, width: 0, height: 0 });
      img.src = src;
    });
    const hrefs = [...new Set([...document.querySelectorAll('main a[href^="/wiki/"]')]
      .map((a) => a.getAttribute('href')))].sort();
    const pages = {};
    for (const href of hrefs) {
      const r = await fetch(href);
      if (r.status !== 200) return { error: `GET ${href}: ${r.status}` };
      const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
      const info = {
        title: doc.querySelector('main h1').textContent.trim(),
        revision: (doc.querySelector('.page-header .meta')?.textContent.match(/Revision (\d+)/) || [])[1],
        html: doc.querySelector('.markdown-body').innerHTML.trim(),
        uploads: [...doc.querySelectorAll('.upload-list .upload-name > a')].map((a) => a.getAttribute('href')),
        files: {},
      };
      info.images = await Promise.all([...doc.querySelectorAll('main img')].map((i) => imageSize(i.getAttribute('src'))));
      for (const u of info.uploads) {
        const f = await fetch(u);
        if (f.status !== 200) return { error: `GET ${u}: ${f.status}` };
        info.files[u] = hex(await crypto.subtle.digest('SHA-256', await f.arrayBuffer()));
      }
      const api = await fetch(href.replace(/^\/wiki\//, '/api/pages/'), { headers: { Accept: 'application/json' } });
      if (api.status !== 200) return { error: `GET /api/pages for ${href}: ${api.status}` };
      const json = await api.json();
      info.markdown = json.markdown;
      info.updated_at = json.updated_at;
      pages[href] = info;
    }
    return { pages };
  });
  assert.equal(result.error, undefined, result.error);
  return result.pages;
}

// ---- files ------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// A real RGB PNG of size×size pixels: a diagonal gradient.
function makePng(size = 8) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;  // 8-bit RGB
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      row[1 + x * 3] = (x * 255) / (size - 1);
      row[2 + x * 3] = (y * 255) / (size - 1);
      row[3 + x * 3] = 128;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Fails with the server's own words if it is no longer running (a crash
// shows up as "signal SIGSEGV" with the end of its log).
function assertServerAlive(server) {
  const e = server.exited();
  if (!e) return;
  const tail = fs.readFileSync(server.logPath, 'utf8').trimEnd().split('\n').slice(-8).join('\n');
  throw new Error(`arkwiki serve (${server.name}) is not running any more: exit code ${e.code}, ` +
    `signal ${e.signal}. End of ${server.logPath}:\n${tail}`);
}

// The end of a test file: closes the browser, stops the server, removes
// scratch directories, then fails if the server had died on its own.
async function finish({ server, browser, dirs = [] }) {
  let died = null;
  try { if (server) assertServerAlive(server); } catch (e) { died = e; }
  await browser?.close().catch(() => {});
  await server?.stop();
  for (const d of dirs) if (d) fs.rmSync(d, { recursive: true, force: true });
  if (died) throw died;
}

module.exports = {
  assertServerAlive, finish,
  ARTIFACTS, TIMEOUT_MS, sha256, tempDir, cli, addUser, waitFor, startServer,
  launchBrowser, newPage, screenshot, visit, clickAndWait, login, logout, csrfToken,
  createPage, editPage, deletePage, uploadFile, apiPutPage, apiUpload, imageSizes, snapshotWiki, makePng,
};
