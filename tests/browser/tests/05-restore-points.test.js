// Restore points in Settings → Backup & Import, in order:
//  1. "Back up now": a restore point appears in the list.
//  2. Restore from a restore point: Restore…, the import preview, confirm,
//     and the content is back; the restore made a before-import point.
//  3. A damaged stored upload: "Check now" shows the check failed, in red.
//  4. Delete a restore point (confirmed): it leaves the list.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const ui = require('../lib/backup_ui');

const ADMIN = { name: 'admin', role: 'admin', password: 'admin-password-1' };
const FILE = require('node:crypto').randomBytes(64 << 10);
let server;
let browser;
let page;
const state = {};

before(async () => {
  server = await h.startServer('points', { users: [ADMIN] });
  browser = await h.launchBrowser();
  page = await h.newPage(browser, server.url);
  await h.login(page, ADMIN.name, ADMIN.password);
  await h.apiPutPage(page, 'alpha', 'Alpha', 'Alpha as it was at the restore point.');
  await h.apiUpload(page, 'alpha', 'data.bin', FILE, 'application/octet-stream');
});

after(() => h.finish({ server, browser }));

async function pageText(slug) {
  await h.visit(page, `/wiki/${slug}`);
  return page.locator('main').innerText();
}

test('1. "Back up now" makes a restore point that the list shows', async () => {
  await ui.openBackupPage(page);
  assert.deepEqual(await ui.restorePoints(page), []);
  await h.clickAndWait(page, page.getByRole('button', { name: 'Back up now' }), { status: 200 });
  await page.locator('.flash', { hasText: /Restore point .+ made/ }).waitFor();
  const points = await ui.restorePoints(page);
  assert.equal(points.length, 1, JSON.stringify(points));
  assert.equal(points[0].trigger, 'manual');
  assert.equal(points[0].failed, false);
  await h.screenshot(page, 'restore-points-list');
  state.first = points[0].id;
});

test('2. restoring a restore point goes through the preview and brings the content back', async () => {
  assert.ok(state.first, 'needs step 1');
  await h.apiPutPage(page, 'alpha', 'Alpha', 'Alpha changed after the restore point.');
  assert.match(await pageText('alpha'), /changed after the restore point/);
  await h.visit(page, '/settings/backup');
  await h.clickAndWait(page, ui.pointRow(page, state.first).getByRole('button', { name: 'Restore…' }),
    { status: 200 });
  await page.getByRole('heading', { level: 1, name: 'The backup checked out' }).waitFor();
  const heading = await ui.confirmImport(page, ADMIN.password);
  assert.equal(heading, 'The backup was restored', await page.locator('main').innerText());
  assert.match(await pageText('alpha'), /as it was at the restore point/);
  await h.visit(page, '/settings/backup');
  const points = await ui.restorePoints(page);
  assert.equal(points.length, 2, JSON.stringify(points));
  // Newest first; two points of the same second may come in either order.
  assert.deepEqual(points.map((p) => p.trigger).sort(), ['before-import', 'manual']);
  assert.ok(points.some((p) => p.id === state.first));
});

test('3. a damaged stored upload makes "Check now" show the check failed, in red', async () => {
  const sha = h.sha256(FILE);
  const object = path.join(server.dataDir, 'backups', 'objects', sha.slice(0, 2), sha);
  const bytes = Buffer.from(fs.readFileSync(object));
  bytes[100] ^= 0x01;
  fs.chmodSync(object, 0o644);
  fs.writeFileSync(object, bytes);
  await h.visit(page, '/settings/backup');
  await h.clickAndWait(page, ui.pointRow(page, state.first).getByRole('button', { name: 'Check now' }),
    { status: 200 });
  await page.locator('.flash', { hasText: /failed its check/ }).waitFor();
  const points = await ui.restorePoints(page);
  const first = points.find((p) => p.id === state.first);
  assert.ok(first && first.failed, `not shown as failed: ${JSON.stringify(points)}`);
  assert.match(first.check, /^failed/);
  const colors = await ui.pointRow(page, state.first).locator('.check-state').evaluate((cell) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--danger)';
    document.body.appendChild(probe);
    const danger = getComputedStyle(probe).color;
    probe.remove();
    return { cell: getComputedStyle(cell).color, danger };
  });
  assert.equal(colors.cell, colors.danger, 'the failed check is not shown in the danger colour');
  await h.screenshot(page, 'restore-point-check-failed');
});

test('4. deleting a restore point asks first, then removes it from the list', async () => {
  assert.ok(state.first, 'needs step 1');
  await h.visit(page, '/settings/backup');
  const row = ui.pointRow(page, state.first);
  await row.getByLabel(/Your password/).fill(ADMIN.password);
  const dialogs = [];
  page.once('dialog', (d) => { dialogs.push(d.message()); d.accept(); });
  await h.clickAndWait(page, row.getByRole('button', { name: 'Delete' }), { status: 200 });
  assert.equal(dialogs.length, 1, 'Delete did not ask for confirmation');
  await page.locator('.flash', { hasText: /deleted/ }).waitFor();
  const points = await ui.restorePoints(page);
  assert.equal(points.length, 1, JSON.stringify(points));
  assert.notEqual(points[0].id, state.first);
});
