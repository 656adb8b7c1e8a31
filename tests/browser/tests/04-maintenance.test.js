// While an import swaps the data, a second browser gets
// the maintenance page (503), and then the restored wiki.
//
// The swap itself takes milliseconds, too short to catch reliably. The test
// makes the maintenance window observable without any test hook in the
// server: just before confirming, it opens a slow request (a POST /login
// whose body it holds back). The import's swap waits for requests in flight
// (WikiApp::EnterMaintenance) and answers everything else 503 meanwhile, so
// the window stays open until the test sends the rest of that body. That is
// exactly what a slow client does to a real import. The held request must be
// answered normally (not 503), which proves it was in flight before the swap
// began; if the window was never observed the test fails, it never passes
// silently.
//
// After the release the swap itself runs with the data closed (storage
// reset); the second browser keeps reloading as fast as it can to meet that
// part too. ARKWIKI_TEST_SWAP_DELAY_MS, set below, is a proposed test hook
// (a sleep inside that part of Restorer::Commit) that makes it last long
// enough to be met every time; without the hook it is meeting it by chance.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { once } = require('node:events');
const h = require('../lib/harness');
const ui = require('../lib/backup_ui');

const ADMIN = { name: 'admin', role: 'admin', password: 'admin-password-1' };
const EDITOR = { name: 'edna', role: 'editor', password: 'editor-password-1' };
let server;
let browser;
let work;
const state = {};

before(async () => {
  work = h.tempDir('maintenance-work');
  server = await h.startServer('maintenance', {
    users: [ADMIN, EDITOR], env: { ARKWIKI_TEST_SWAP_DELAY_MS: '1500' },
  });
  browser = await h.launchBrowser();
});

after(() => h.finish({ server, browser, dirs: [work] }));

// A request the server has started handling and that stays in flight until
// release() sends the rest of its body.
async function holdRequest(url) {
  const { port } = new URL(url);
  const sock = net.connect(Number(port), '127.0.0.1');
  await once(sock, 'connect');
  const body = `name=nobody&password=${'x'.repeat(200)}`;
  let answer = '';
  sock.setEncoding('latin1');
  sock.on('data', (d) => { answer += d; });
  sock.on('error', () => {});
  const closed = once(sock, 'close');
  sock.write(`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n` +
    `Connection: close\r\n\r\n${body.slice(0, 10)}`);
  return {
    answered: () => answer.length > 0,
    answer: () => answer,
    async release() {
      sock.end(body.slice(10));
      await Promise.race([closed, new Promise((r) => setTimeout(r, h.TIMEOUT_MS))]);
      sock.destroy();
      return answer;
    },
  };
}

async function pageText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

test('during the swap a second browser gets the maintenance page, then the restored wiki', async (t) => {
  // The admin's browser: a page, a backup of it, then a change.
  const admin = await h.newPage(browser, server.url);
  await h.login(admin, ADMIN.name, ADMIN.password);
  await h.apiPutPage(admin, 'notice', 'Notice', 'Text **at backup time**.');
  await ui.openBackupPage(admin);
  const { file } = await ui.createBackup(admin, work);
  await h.apiPutPage(admin, 'notice', 'Notice', 'Text changed after the backup.');

  // The second browser, an editor reading the page.
  const other = await h.newPage(browser, server.url);
  await h.login(other, EDITOR.name, EDITOR.password);
  await h.visit(other, '/wiki/notice');
  assert.match(await pageText(other), /changed after the backup/);

  await ui.openBackupPage(admin);
  await ui.uploadBackup(admin, file);
  await admin.getByLabel(/Type the site title/).fill(await ui.requiredSiteTitle(admin));
  await admin.getByLabel('Your password').fill(ADMIN.password);

  const held = await holdRequest(server.url);
  let heldAnswer = '';
  try {
    const confirmed = await h.clickAndWait(admin, admin.getByRole('button', { name: 'Replace all data with this backup' }));
    assert.equal(confirmed.status(), 202, await pageText(admin));
    await admin.getByRole('heading', { level: 1, name: 'Restoring the backup' }).waitFor();

    // The second browser, reloading, meets the maintenance page.
    const seen = await h.waitFor('the maintenance page (503) in the second browser', async () => {
      const r = await other.goto('/wiki/notice');
      return r.status() === 503 ? r : null;
    }, { timeout: 30000, interval: 100 });
    state.first503 = Date.now();
    assert.equal(held.answered(), false, `the held request was answered before the swap: ${held.answer()}`);
    assert.equal(seen.headers()['retry-after'], '5');
    await other.getByRole('heading', { level: 1, name: 'Maintenance' }).waitFor();
    assert.match(await pageText(other), /The wiki is being restored from a backup\. It will be back in a moment\./);
    await h.screenshot(other, 'maintenance-page');
    const health = await other.request.get('/api/health');
    assert.equal(health.status(), 503);
    assert.deepEqual(await health.json(), { status: 'maintenance' });

    // Meanwhile the admin's progress page says it is swapping.
    await admin.locator('#restore-status', { hasText: /Swapping data/ }).waitFor();
    await h.screenshot(admin, 'import-progress-swapping');
    state.released = Date.now();
    heldAnswer = await held.release();
  } finally {
    if (!heldAnswer) heldAnswer = await held.release();
  }
  const statusLine = heldAnswer.split('\r\n')[0];
  assert.match(statusLine, /^HTTP\/1\.1 \d{3}/, `the held request got no answer: ${JSON.stringify(heldAnswer.slice(0, 200))}`);
  assert.doesNotMatch(statusLine, / 503 /,
    'the held request came in after the swap had begun, so the window was not held open by it');

  // Then the restored wiki, in the second browser still logged in.
  await h.waitFor('the restored wiki in the second browser', async () => {
    h.assertServerAlive(server);
    const r = await other.goto('/wiki/notice').catch((e) => { h.assertServerAlive(server); throw e; });
    return r.status() === 200;
  }, { timeout: 30000, interval: 0 });
  await other.locator('.markdown-body strong', { hasText: 'at backup time' }).waitFor();
  assert.doesNotMatch(await pageText(other), /changed after the backup/);
  assert.equal(await other.locator('.nav-user').innerText(), EDITOR.name);

  // And the admin's page moves on to the result by itself.
  const heading = await ui.followToResult(admin);
  assert.equal(heading, 'The backup was restored');
  const m = /unavailable for (\d+) ms/.exec(await pageText(admin));
  assert.ok(m, 'the result does not say how long the wiki was unavailable');
  t.diagnostic(`unavailable ${m[1]} ms; the second browser saw 503 for ${state.released - state.first503} ms`);
  assert.ok(Number(m[1]) >= state.released - state.first503 - 50,
    `the result says ${m[1]} ms unavailable, but the test saw 503 for ${state.released - state.first503} ms`);
  assert.deepEqual([...admin.problems, ...other.problems], []);
});

