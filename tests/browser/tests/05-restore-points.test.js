// Restore points in Settings → Backup & Import, in order:
//  0. A schedule saved in the form: a scheduled restore point appears.
//  1. "Back up now": a restore point appears in the list.
//  2. Restore from a restore point: Restore…, the import preview, confirm,
//     and the content is back; the restore made a before-import point.
//  3. A damaged stored upload: "Check now" (in the background) shows the
//     check failed, in red.
//  4. Delete a restore point (confirmed): it leaves the list.
//  5. The backup journal lists each of these, the failed check in red.
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

test('0. a schedule saved in the form makes a scheduled restore point appear', async () => {
  await ui.openBackupPage(page);
  assert.deepEqual(await ui.restorePoints(page), []);
  // With no restore point yet, "every 1h" is due at once; saving wakes the scheduler.
  await page.getByLabel('Back up', { exact: true }).fill('every 1h');
  await page.locator('form.backup-policy').getByLabel('Your password').fill(ADMIN.password);
  await h.clickAndWait(page, page.getByRole('button', { name: 'Save schedule' }), { status: 200 });
  await page.locator('.flash', { hasText: 'Backup schedule saved.' }).waitFor();
  assert.equal(await page.getByLabel('Back up', { exact: true }).inputValue(), 'every 1h');
  const points = await h.waitFor('a scheduled restore point', async () => {
    await h.visit(page, '/settings/backup');
    const list = await ui.restorePoints(page);
    return list.length > 0 ? list : null;
  });
  assert.deepEqual(points.map((p) => p.trigger), ['scheduled']);
  assert.equal(points[0].failed, false);
  state.scheduled = points[0].id;
});

test('1. "Back up now" makes a restore point that the list shows', async () => {
  await ui.openBackupPage(page);
  await h.clickAndWait(page, page.getByRole('button', { name: 'Back up now' }), { status: 200 });
  await page.locator('.flash', { hasText: /Restore point .+ made/ }).waitFor();
  const points = await ui.restorePoints(page);
  assert.equal(points.length, 2, JSON.stringify(points));
  const manual = points.find((p) => p.trigger === 'manual');
  assert.ok(manual, JSON.stringify(points));
  assert.equal(manual.failed, false);
  await h.screenshot(page, 'restore-points-list');
  state.first = manual.id;
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
  assert.equal(points.length, 3, JSON.stringify(points));
  // Newest first; two points of the same second may come in either order.
  assert.deepEqual(points.map((p) => p.trigger).sort(), ['before-import', 'manual', 'scheduled']);
  assert.ok(points.some((p) => p.id === state.first));
});

test('3. a damaged stored upload makes "Check now" show the check failed, in red', async () => {
  // A small upload is stored inside a pack file (docs/backup-repository.md),
  // a large one as a loose object: flip a bit of its bytes wherever they are.
  const sha = h.sha256(FILE);
  const objects = path.join(server.dataDir, 'backups', 'objects');
  const loose = path.join(objects, sha.slice(0, 2), sha);
  const packs = path.join(objects, 'packs');
  const candidates = [loose].concat(fs.existsSync(packs)
    ? fs.readdirSync(packs).map((name) => path.join(packs, name)) : []);
  const found = candidates.filter((file) => fs.existsSync(file))
    .map((file) => ({ file, bytes: Buffer.from(fs.readFileSync(file)) }))
    .map((c) => ({ ...c, at: c.file === loose ? 0 : c.bytes.indexOf(FILE) }))
    .find((c) => c.at >= 0);
  assert.ok(found, `the upload ${sha} is neither a loose object nor inside a pack`);
  found.bytes[found.at + 100] ^= 0x01;
  fs.chmodSync(found.file, 0o644);
  fs.writeFileSync(found.file, found.bytes);
  await h.visit(page, '/settings/backup');
  await h.clickAndWait(page, ui.pointRow(page, state.first).getByRole('button', { name: 'Check now' }),
    { status: 200 });
  await page.locator('.flash', { hasText: /Checking every restore point/ }).waitFor();
  // The check runs in the background: reload until the list shows its outcome.
  const points = await h.waitFor('the failed check', async () => {
    await h.visit(page, '/settings/backup');
    const list = await ui.restorePoints(page);
    return list.some((p) => p.id === state.first && p.failed) ? list : null;
  });
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
  assert.equal(points.length, 2, JSON.stringify(points));
  assert.ok(points.every((p) => p.id !== state.first), JSON.stringify(points));
});

test('5. the backup journal lists each step, newest first, the failed check in red', async () => {
  await h.visit(page, '/settings/backup');
  const entries = await ui.journalEntries(page);
  const events = entries.map((e) => `${e.event}:${e.outcome}`);
  // Newest first: the delete, the failed check, the restore (its safety
  // point just before it), the manual point, the scheduled one (and its prune).
  assert.equal(events[0], 'forget:ok', JSON.stringify(entries));
  assert.equal(events[1], 'check:failed', JSON.stringify(entries));
  for (const want of ['import:ok', 'restore_point:ok', 'prune:ok']) {
    assert.ok(events.includes(want), `${want} missing: ${JSON.stringify(entries)}`);
  }
  assert.ok(entries.some((e) => e.event === 'restore_point' && e.actor === 'scheduler'),
    JSON.stringify(entries));
  assert.ok(entries.some((e) => e.event === 'import' && e.actor === ADMIN.name), JSON.stringify(entries));
  assert.ok(entries[1].failed);
  const colours = await ui.colourAndDanger(
    page.locator('main table.backup-journal tbody tr.journal-failed .check-failed'));
  assert.equal(colours.colour, colours.danger, 'the failed check is not shown in the danger colour');
  // The "Automatic backups" box shows the failed check in red too.
  assert.match(await page.locator('.auto-backup-status').innerText(), /Last check[\s\S]*failed/);
  await h.screenshot(page, 'backup-journal');
});
