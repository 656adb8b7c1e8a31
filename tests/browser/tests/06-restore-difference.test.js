// The import preview's difference (what an import would change), in order:
//  1. Back up a wiki, then change it: one page edited, 205 pages written.
//  2. A second person logs in (another browser context) and uses the wiki.
//  3. Uploading the backup shows the preview: the pages that would be lost
//     (the first 200 of 205, with "show all"), the edited page marked as
//     edited since the backup, and the warning naming the active person.
//  4. "Show all" lists every one of the 205 pages.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const ui = require('../lib/backup_ui');

const ADMIN = { name: 'admin', role: 'admin', password: 'admin-password-1' };
const EDITOR = { name: 'erin', role: 'editor', password: 'editor-password-1' };
const BULK = 205;
let server;
let browser;
let page;
let work;
const state = {};

before(async () => {
  work = h.tempDir('difference-work');
  server = await h.startServer('difference', { users: [ADMIN, EDITOR] });
  browser = await h.launchBrowser();
  page = await h.newPage(browser, server.url);
  await h.login(page, ADMIN.name, ADMIN.password);
  await h.apiPutPage(page, 'alpha', 'Alpha', 'Alpha at backup time.');
  await ui.openBackupPage(page);
  state.backup = (await ui.createBackup(page, work)).file;
  await h.apiPutPage(page, 'alpha', 'Alpha', 'Alpha rewritten after the backup.');
  for (let i = 0; i < BULK; i++) {
    await h.apiPutPage(page, `bulk-${String(i).padStart(3, '0')}`, `Bulk ${i}`, 'Written after the backup.');
  }
});

after(() => h.finish({ server, browser, dirs: [work] }));

test('the preview lists what the import would change, and who is using the wiki', async () => {
  const other = await h.newPage(browser, server.url);  // a second browser: its own cookie jar
  await h.login(other, EDITOR.name, EDITOR.password);
  await h.visit(other, '/wiki/alpha');

  await ui.openBackupPage(page);
  await ui.uploadBackup(page, state.backup);
  state.previewPath = new URL(page.url()).pathname;
  await h.screenshot(page, 'import-preview-difference');

  const active = page.locator('.active-users');
  await active.waitFor();
  assert.match(await active.textContent(), /1 people used the wiki in the last 15 minutes\. They will be logged out, and edits they have not saved will be lost/);
  assert.deepEqual(await active.locator('.active-user').allTextContents(), [EDITOR.name]);

  const removed = page.locator('.diff-list[data-list="pages_removed"]');
  assert.equal((await removed.locator('.diff-total').textContent()).trim(), String(BULK));
  assert.equal(await removed.locator('tr.diff-page').count(), 200);
  assert.equal(await removed.locator('tr.diff-page.edited-since-backup').count(), 200);

  const changed = page.locator('.diff-list[data-list="pages_changed"] tr[data-slug="alpha"]');
  assert.equal(await changed.count(), 1);
  assert.match(await changed.getAttribute('class'), /edited-since-backup/);
  assert.match(await changed.textContent(), /revision 1, admin.*revision 2, admin/s);
  await other.context().close();
});

test('"show all" lists every page the import would remove', async () => {
  assert.ok(state.previewPath, 'needs the preview of the first test');
  await h.visit(page, state.previewPath);
  await h.clickAndWait(page, page.locator('.diff-list[data-list="pages_removed"]').getByRole('link', { name: 'show all' }), { status: 200 });
  await page.getByRole('heading', { level: 1, name: 'Pages the import removes' }).waitFor();
  assert.equal(await page.locator('tr.diff-page').count(), BULK);
  const slugs = await page.locator('tr.diff-page').evaluateAll((rows) => rows.map((r) => r.dataset.slug));
  assert.deepEqual(slugs, [...slugs].sort(), 'the pages are not in slug order');
  assert.equal(slugs[0], 'bulk-000');
  // Leave the wiki as it is: cancel the staged import.
  await h.visit(page, state.previewPath);
  await h.clickAndWait(page, page.getByRole('button', { name: 'Cancel' }), { status: 200 });
});
