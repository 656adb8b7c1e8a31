// Off-site copies in Settings → Backup & Import, in order:
//  1. Add a directory target with the form: the target is listed, and
//     the passphrase is not shown back.
//  2. "Back up now": the new restore point's row says it was copied to the
//     target and checked.
//  3. A target that cannot be written (adding it starts a copy run): its row is red
//     ("failing"), and the first target stays ok.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const ui = require('../lib/backup_ui');

const ADMIN = { name: 'admin', role: 'admin', password: 'admin-password-1' };
const PASSPHRASE = 'an off-site passphrase in the browser';
const targetDir = h.tempDir('offsite-target');
const fileDir = h.tempDir('offsite-file');
let server;
let browser;
let page;
const state = {};

before(async () => {
  server = await h.startServer('offsite', { users: [ADMIN] });
  browser = await h.launchBrowser();
  page = await h.newPage(browser, server.url);
  await h.login(page, ADMIN.name, ADMIN.password);
  await h.apiPutPage(page, 'alpha', 'Alpha', 'Alpha, to be copied off-site.');
});

after(() => h.finish({ server, browser, dirs: [targetDir, fileDir] }));

// The off-site targets table: [{name, state, red, text}].
async function targets() {
  return page.locator('main table.offsite-targets tbody tr').evaluateAll((rows) => rows.map((r) => ({
    name: r.dataset.target,
    state: r.dataset.state,
    red: r.classList.contains('journal-failed'),
    text: r.textContent.replace(/\s+/g, ' ').trim(),
  })));
}

async function addTarget(name, dir) {
  const form = page.locator('form.offsite-add');
  await form.getByLabel('Name (a-z, 0-9, _ and -)').fill(name);
  await form.getByLabel('Kind').selectOption('directory');
  await form.getByLabel('Directory (absolute path)').fill(dir);
  await form.getByLabel('Passphrase').fill(PASSPHRASE);
  // Changing off-site targets asks for the password (a login under five
  // minutes old would do; the field works either way).
  await form.getByLabel('Your password').fill(ADMIN.password);
  await h.clickAndWait(page, form.getByRole('button', { name: 'Add target' }), { status: 200 });
  await page.locator('.flash', { hasText: `Off-site target ${name} added.` }).waitFor();
}

test('1. a directory target added in the form is listed, its passphrase not shown', async () => {
  await ui.openBackupPage(page);
  await addTarget('nas', targetDir);
  const list = await targets();
  assert.deepEqual(list.map((t) => t.name), ['nas']);
  assert.ok(!(await page.content()).includes(PASSPHRASE), 'the passphrase is shown back');
  await h.screenshot(page, 'offsite-target-added');
});

test('2. "Back up now" makes a restore point that is copied to the target and checked', async () => {
  // Adding the target started a copy run (nothing to copy yet); while one
  // runs, "Back up now" would answer busy.
  await h.waitFor('the first copy run', async () => {
    await h.visit(page, '/settings/backup');
    const nas = (await targets()).find((t) => t.name === 'nas');
    return nas && nas.state === 'ok' ? nas : null;
  });
  await ui.openBackupPage(page);
  await h.clickAndWait(page, page.getByRole('button', { name: 'Back up now' }), { status: 200 });
  await page.locator('.flash', { hasText: /Restore point .+ made/ }).waitFor();
  const points = await ui.restorePoints(page);
  state.point = points[0].id;
  const cell = await h.waitFor('the copy on the target', async () => {
    await h.visit(page, '/settings/backup');
    const text = await ui.pointRow(page, state.point).locator('.offsite-state[data-target="nas"]').innerText();
    return /copied and checked/.test(text) ? text : null;
  });
  assert.match(cell, /^nas: copied and checked/);
  assert.ok(fs.existsSync(path.join(targetDir, 'snapshots', state.point)), 'no record on the target');
  const nas = (await targets()).find((t) => t.name === 'nas');
  assert.equal(nas.state, 'ok');
  assert.equal(nas.red, false);
  await h.screenshot(page, 'offsite-point-copied');
});

test('3. a target that cannot be written is shown red', async () => {
  const file = path.join(fileDir, 'a-file');
  fs.writeFileSync(file, '');
  await ui.openBackupPage(page);
  await addTarget('broken', path.join(file, 'target'));
  const broken = await h.waitFor('the failing target', async () => {
    await h.visit(page, '/settings/backup');
    const t = (await targets()).find((x) => x.name === 'broken');
    return t && t.state === 'failing' ? t : null;
  });
  assert.equal(broken.red, true);
  const colors = await page.locator('main table.offsite-targets tr[data-target="broken"] td.check-failed').evaluate((cell) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--danger)';
    document.body.appendChild(probe);
    const danger = getComputedStyle(probe).color;
    probe.remove();
    return { cell: getComputedStyle(cell).color, danger };
  });
  assert.equal(colors.cell, colors.danger, 'the failing target is not shown in the danger colour');
  const nas = (await targets()).find((t) => t.name === 'nas');
  assert.equal(nas.state, 'ok');
  await h.screenshot(page, 'offsite-target-failing');
});
