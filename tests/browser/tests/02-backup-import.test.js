// Backup and import on one wiki, in order:
//  2. Create Backup: a ZIP downloads with the date in its name and
//     `arkwiki backup verify` accepts it.
//  3. Import Backup: change and delete pages, import the ZIP (upload progress
//     visible), the preview shows the backup's counts, confirm, and the
//     content is back exactly as at backup time, image included.
//  4. Undo: "Undo last import" brings back the changes made before the import.
//  5. Bad archives: a corrupted ZIP, then a ZIP that is no arkwiki backup,
//     each shows a clear error on the page, and nothing changes.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const ui = require('../lib/backup_ui');

const ADMIN = { name: 'admin', role: 'admin', password: 'admin-password-1' };
const PNG = h.makePng(8);
// An incompressible 1 MiB attachment makes the backup big enough for the
// upload progress to be seen (the upload is throttled to 1 MiB/s below).
const NOISE = require('node:crypto').randomBytes(1 << 20);
let server;
let browser;
let page;
let work;             // scratch directory of this file
const state = {};     // what one step hands to the next

before(async () => {
  work = h.tempDir('backup-work');
  server = await h.startServer('backup', { users: [ADMIN] });
  browser = await h.launchBrowser();
  page = await h.newPage(browser, server.url);
  await h.login(page, ADMIN.name, ADMIN.password);
  // The wiki at backup time: three pages, one with an image (set up through
  // the JSON API to save time; 01-wiki.test.js does the same in the UI).
  Object.assign(state, { alpha: 'alpha', beta: 'beta', gamma: 'gamma' });
  await h.apiPutPage(page, 'alpha', 'Alpha', 'Alpha text, first version.');
  await h.apiPutPage(page, 'alpha', 'Alpha', 'Alpha text.\n\n![alpha image](/files/alpha/alpha.png)');
  await h.apiPutPage(page, 'beta', 'Beta', 'Beta links to [[Alpha]].');
  await h.apiPutPage(page, 'gamma', 'Gamma', '# Gamma\n\n| a | b |\n|---|---|\n| 1 | 2 |');
  await h.apiUpload(page, 'alpha', 'alpha.png', PNG, 'image/png');
  await h.apiUpload(page, 'gamma', 'recording.bin', NOISE, 'application/octet-stream');
});

after(() => h.finish({ server, browser, dirs: [work] }));

function pngOf(snapshot) {
  return snapshot['/wiki/alpha'] && snapshot['/wiki/alpha'].files['/files/alpha/alpha.png'];
}

test('2. Create Backup downloads a dated ZIP that `arkwiki backup verify` accepts', async () => {
  state.atBackup = await h.snapshotWiki(page);
  assert.equal(pngOf(state.atBackup), h.sha256(PNG));
  assert.deepEqual(state.atBackup['/wiki/alpha'].images.map((i) => i.width), [8, 8]);  // list + inline

  state.statsAtBackup = await ui.openBackupPage(page);
  await h.screenshot(page, 'settings-backup-section');
  const before = Date.now();
  const { name, file } = await ui.createBackup(page, work);
  const after = Date.now();

  const m = /^arkwiki-backup-([a-z0-9]+(?:-[a-z0-9]+)*)-(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})Z\.zip$/.exec(name);
  assert.ok(m, `the download's name has no date in the expected form: ${name}`);
  const stamp = Date.UTC(+m[2], +m[3] - 1, +m[4], +m[5], +m[6], +m[7]);
  assert.ok(stamp >= Math.floor(before / 1000) * 1000 - 2000 && stamp <= after + 2000,
    `the date in ${name} is not the time of the download (${new Date(before).toISOString()})`);
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'the download is not a ZIP');

  const verify = h.cli(['backup', 'verify', file]);
  assert.equal(verify.code, 0, `arkwiki backup verify ${name} exited ${verify.code}:\n${verify.stdout}${verify.stderr}`);
  state.backup = file;
  // Still on the Backup & Import page, which now lists the backup in its log.
  assert.equal(new URL(page.url()).pathname, '/settings/backup');
});

test('3. Import Backup restores the content exactly as it was at backup time', async (t) => {
  assert.ok(state.backup, 'needs the backup of step 2');

  await t.test('change and delete some pages', async () => {
    await h.editPage(page, state.alpha, { title: 'Alpha (changed)', markdown: 'Alpha was rewritten after the backup.' });
    await h.visit(page, `/wiki/${state.alpha}`);
    await h.clickAndWait(page, page.getByRole('button', { name: 'Delete file' }), { status: 200 });
    assert.equal(await page.locator('.upload-list img').count(), 0);
    await h.deletePage(page, state.beta);
    await h.createPage(page, 'Delta', 'Delta exists only after the backup.');
    state.beforeImport = await h.snapshotWiki(page);
    assert.notDeepEqual(state.beforeImport, state.atBackup);
    assert.equal(state.beforeImport['/wiki/beta'], undefined);
    assert.equal(pngOf(state.beforeImport), undefined);
  });

  await t.test('upload the backup; the progress is visible; the preview shows its counts', async () => {
    state.safetyBefore = await ui.safetyBackupNames(page);
    const records = [];
    await ui.recordUploadProgress(page, records);
    const size = fs.statSync(state.backup).size;
    assert.ok(size > 1 << 20, `the backup is only ${size} bytes`);
    await ui.throttleUpload(page, 1 << 20);  // ~1 s on loopback, so the bar visibly moves
    try {
      await ui.uploadBackup(page, state.backup);
    } finally {
      await ui.throttleUpload(page, -1);
    }
    state.previewPath = new URL(page.url()).pathname;
    fs.writeFileSync(path.join(h.ARTIFACTS, 'import-upload-progress.json'), JSON.stringify(records, null, 1));
    assert.ok(records.some((r) => r.visible), `the progress box never showed: ${JSON.stringify(records)}`);
    const values = records.filter((r) => r.visible && r.value !== null && r.max > 1);
    assert.ok(values.every((r) => r.max === size), `the bar's max is not the file size ${size}`);
    for (let i = 1; i < values.length; i++) assert.ok(values[i].value >= values[i - 1].value, 'the bar went back');
    const between = new Set(values.filter((r) => r.value > 0 && r.value < size).map((r) => r.value));
    assert.ok(between.size >= 2, `the <progress> bar did not advance step by step: ${JSON.stringify(records)}`);
    assert.equal(values[values.length - 1].value, size, 'the bar did not reach the end');
    assert.ok(records.some((r) => /^Uploading: .+ of /.test(r.status)), 'no "Uploading: x of y" status text');

    const table = await ui.readPreviewTable(page);
    const s = state.statsAtBackup;
    assert.deepEqual(
      { pages: table.Pages?.backup, revisions: table.Revisions?.backup, users: table.Users?.backup, files: table.Files?.backup },
      { pages: String(ui.leadingNumber(s.Pages)), revisions: String(ui.leadingNumber(s.Revisions)),
        users: String(ui.leadingNumber(s.Users)), files: String(ui.leadingNumber(s.Files)) },
      'the preview\'s "In the backup" column does not show the counts the wiki had at backup time');
    assert.equal(table.Pages.now, String(Object.keys(state.beforeImport).length));
    await page.getByText('Nothing has been changed yet.').waitFor();
    await h.screenshot(page, 'import-preview');
    // Nothing changed yet.
    assert.deepEqual(await h.snapshotWiki(page), state.beforeImport);
  });

  await t.test('confirm with the site title and password; the content is back', async () => {
    assert.ok(state.previewPath, 'needs the preview of the previous step');
    await h.visit(page, state.previewPath);
    const heading = await ui.confirmImport(page, ADMIN.password);
    assert.equal(heading, 'The backup was restored', await page.locator('main').innerText());
    const restored = await ui.readStats(page);
    assert.equal(restored.Pages, String(ui.leadingNumber(state.statsAtBackup.Pages)));
    await h.screenshot(page, 'import-result');

    const after = await h.snapshotWiki(page);
    assert.deepEqual(after, state.atBackup, 'the wiki after the import differs from the wiki at backup time');
    assert.equal(pngOf(after), h.sha256(PNG), 'the image is not back byte for byte');
    assert.ok(after['/wiki/alpha'].images.every((i) => i.width === 8 && i.height === 8), 'the image does not load');
    await h.visit(page, '/wiki/alpha');  // and it shows on its page, inline and in the list of files
    assert.deepEqual((await h.imageSizes(page)).map((i) => [i.src, i.width, i.height]),
      [['/files/alpha/alpha.png', 8, 8], ['/files/alpha/alpha.png', 8, 8]]);
    await h.visit(page, '/wiki/delta', 404);
    const safety = await ui.safetyBackupNames(page);
    assert.equal(safety.length, state.safetyBefore.length + 1, 'no new before-import restore point is listed');
  });
});

test('4. "Undo last import" brings back the changes made before the import', async () => {
  assert.ok(state.beforeImport, 'needs step 3');
  const heading = await ui.undoLastImport(page);
  assert.equal(heading, 'The last import was undone', await page.locator('main').innerText());
  await h.screenshot(page, 'undo-result');
  const after = await h.snapshotWiki(page);
  assert.deepEqual(after, state.beforeImport, 'Undo did not bring back the wiki as it was before the import');
  await h.visit(page, '/wiki/beta', 404);
  state.afterUndo = after;
});

test('5. bad archives show a clear error on the page and change nothing', async (t) => {
  assert.ok(state.backup, 'needs the backup of step 2');
  const baseline = state.afterUndo || await h.snapshotWiki(page);
  const safetyBefore = await ui.safetyBackupNames(page);

  const errors = {};
  async function importAndExpectError(file, shot) {
    await h.visit(page, '/settings/backup');
    const records = [];
    await ui.recordUploadProgress(page, records);
    const response = await ui.uploadBackup(page, file, { expectPreview: false });
    assert.ok(response.status() >= 400 && response.status() < 500,
      `the server answered ${response.status()} to a bad archive`);
    const status = page.locator('#import-form [role="status"]');
    await page.waitForFunction(() => /^Not imported/.test(document.querySelector('#import-form [role="status"]').textContent));
    const text = await status.innerText();
    assert.ok(await status.isVisible(), 'the error is not visible');
    assert.equal(new URL(page.url()).pathname, '/settings/backup', 'left the page');
    assert.ok(await page.getByRole('button', { name: 'Upload and check' }).isEnabled(), 'the button stays disabled');
    await h.screenshot(page, shot);
    errors[shot] = text;
    fs.writeFileSync(path.join(h.ARTIFACTS, 'import-errors.json'), JSON.stringify(errors, null, 1));
    return text;
  }

  await t.test('a corrupted ZIP (bytes flipped)', async (t2) => {
    const bytes = Buffer.from(fs.readFileSync(state.backup));
    const at = Math.floor(bytes.length / 2);
    for (let i = at; i < at + 64; i++) bytes[i] ^= 0xff;
    const file = path.join(work, 'corrupted-backup.zip');
    fs.writeFileSync(file, bytes);
    const text = await importAndExpectError(file, 'import-error-corrupted');
    t2.diagnostic(`shown: ${text}`);
    assert.match(text, /^Not imported: .{10,}\. The wiki was not changed\.$/, text);
    assert.doesNotMatch(text, /the server answered/, `no reason given: ${text}`);
    // Names what is broken: the damaged entry, or says the archive is damaged.
    assert.match(text, /database\/|uploads\/|manifest|entry|corrupt|damaged|checksum|CRC|SHA-256|does not match|invalid|malformed/i,
      `unclear error: ${text}`);
  });

  await t.test('a ZIP that is not an arkwiki backup', async (t2) => {
    const dir = path.join(work, 'notes');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'Just some notes, not a wiki.\n');
    const file = path.join(work, 'notes.zip');
    const zip = spawnSync('zip', ['-q', '-j', file, path.join(dir, 'notes.txt')], { encoding: 'utf8' });
    assert.equal(zip.status, 0, `zip failed (is Debian's zip installed?): ${zip.stderr || zip.error}`);
    const text = await importAndExpectError(file, 'import-error-not-a-backup');
    t2.diagnostic(`shown: ${text}`);
    assert.match(text, /^Not imported: .{10,}\. The wiki was not changed\.$/, text);
    assert.doesNotMatch(text, /the server answered/, `no reason given: ${text}`);
    assert.match(text, /not an arkwiki backup/i, `unclear error: ${text}`);
  });

  await t.test('nothing changed', async () => {
    assert.deepEqual(await h.snapshotWiki(page), baseline);
    assert.deepEqual(await ui.safetyBackupNames(page), safetyBefore);
  });

  assert.deepEqual(page.problems, [], 'JavaScript errors on the pages');
});
