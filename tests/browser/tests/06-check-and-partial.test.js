// "Check a backup file" and database-only backups, in order:
//  1. Check a backup file: a good backup shows what it holds; a damaged one
//     says so; the uploaded file is deleted from the server either way.
//  2. "Create database-only backup" downloads a smaller, partial ZIP that
//     `arkwiki backup verify` reports as database only.
//  3. Importing it keeps the wiki's files; with a file missing, the preview
//     names it and the import needs the box naming the count ticked.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const ui = require('../lib/backup_ui');

const ADMIN = { name: 'admin', role: 'admin', password: 'admin-password-1' };
const PNG = h.makePng(8);
const NOISE = require('node:crypto').randomBytes(256 << 10);  // makes a full backup clearly bigger
let server;
let browser;
let page;
let work;
const state = {};

before(async () => {
  work = h.tempDir('partial-work');
  server = await h.startServer('partial', { users: [ADMIN] });
  browser = await h.launchBrowser();
  page = await h.newPage(browser, server.url);
  await h.login(page, ADMIN.name, ADMIN.password);
  await h.apiPutPage(page, 'alpha', 'Alpha', 'Alpha text.\n\n![alpha image](/files/alpha/alpha.png)');
  await h.apiUpload(page, 'alpha', 'alpha.png', PNG, 'image/png');
  await h.apiUpload(page, 'alpha', 'noise.bin', NOISE, 'application/octet-stream');
});

after(() => h.finish({ server, browser, dirs: [work] }));

// Files the check left in the data directory's tmp/ (there must be none).
function leftInTmp() {
  const tmp = path.join(server.dataDir, 'tmp');
  if (!fs.existsSync(tmp)) return [];
  return fs.readdirSync(tmp).filter((n) => n.startsWith('archive-') || n.startsWith('arkwiki-'));
}

// Uploads `file` with "Check a backup file" and returns the report's text.
async function checkFile(file) {
  await h.visit(page, '/settings/backup');
  await page.getByLabel(/^File to check/).setInputFiles(file);
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/backups/verify');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  assert.equal((await answered).status(), 200);
  const report = page.locator('#check-report');
  await report.waitFor({ state: 'visible' });
  return report.innerText();
}

test('1. Check a backup file shows a good backup and a damaged one, and keeps neither', async () => {
  await ui.openBackupPage(page);
  const { file } = await ui.createBackup(page, work);
  state.full = file;
  const good = await checkFile(file);
  assert.match(good, /The backup checked out/, good);
  assert.match(good, /Contents\s+full/, good);
  assert.match(good, /Pages\s+\d+/, good);
  await h.screenshot(page, 'check-good');
  assert.deepEqual(leftInTmp(), []);

  const damaged = path.join(work, 'damaged.zip');
  const bytes = fs.readFileSync(file);
  bytes[bytes.length >> 1] ^= 0x5a;
  fs.writeFileSync(damaged, bytes);
  const bad = await checkFile(damaged);
  assert.match(bad, /damaged or not an arkwiki backup/, bad);
  await h.screenshot(page, 'check-damaged');
  assert.deepEqual(leftInTmp(), []);
});

test('2. Create database-only backup downloads a smaller, partial ZIP', async () => {
  await h.visit(page, '/settings/backup');
  assert.match(await page.locator('.backup-create-database .backup-size').innerText(), /^about /);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Create database-only backup' }).click(),
  ]);
  assert.equal(await download.failure(), null);
  const name = download.suggestedFilename();
  assert.match(name, /-database-only\.zip$/);
  state.dbOnly = path.join(work, name);
  await download.saveAs(state.dbOnly);
  assert.ok(fs.statSync(state.dbOnly).size + NOISE.length / 2 < fs.statSync(state.full).size);
  const verify = h.cli(['backup', 'verify', state.dbOnly]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /partial: database only/);
  assert.match(await checkFile(state.dbOnly), /Contents\s+database only/);
});

test('3. Importing a database-only backup keeps the files; a missing one needs the box', async (t) => {
  assert.ok(state.dbOnly, 'needs the database-only backup of step 2');

  await t.test('every file is here: restored, and the image still shows', async () => {
    await h.editPage(page, 'alpha', { title: 'Alpha', markdown: 'Rewritten after the backup.' });
    await h.visit(page, '/settings/backup');
    await ui.uploadBackup(page, state.dbOnly);
    await page.getByText('This is a database-only backup.').waitFor();
    await page.getByText('Every file its pages refer to is in this wiki.').waitFor();
    assert.equal(await ui.confirmImport(page, ADMIN.password), 'The backup was restored');
    await h.visit(page, '/wiki/alpha');
    assert.match(await page.locator('main').innerText(), /Alpha text\./);
    assert.deepEqual((await h.imageSizes(page)).map((i) => i.width), [8, 8]);
  });

  await t.test('a file missing here: named, refused without the box, restored with it', async () => {
    const sha = h.sha256(PNG);
    fs.rmSync(path.join(server.dataDir, 'live', 'uploads', sha.slice(0, 2), sha));
    await h.visit(page, '/settings/backup');
    await ui.uploadBackup(page, state.dbOnly);
    const missing = page.locator('.missing-uploads');
    await missing.waitFor();
    assert.match(await missing.innerText(), /1 files[\s\S]*alpha \/ alpha\.png/);
    await h.screenshot(page, 'import-preview-missing-files');
    await page.getByLabel(/Type the site title/).fill(await ui.requiredSiteTitle(page));
    await page.getByLabel('Your password').fill(ADMIN.password);
    await h.clickAndWait(page, page.getByRole('button', { name: 'Replace all data with this backup' }),
      { status: 409 });
    await page.getByText(/Tick the box to restore without the 1 missing files/).waitFor();
    await page.getByLabel('Restore without the 1 missing files').check();
    assert.equal(await ui.confirmImport(page, ADMIN.password), 'The backup was restored');
    await h.visit(page, '/files/alpha/alpha.png', 404);
  });
});
