// Settings → Backup & Import, driven the way an admin does it: selectors are
// the page's roles, labels and texts (src/web/templates/backup*.html,
// import_*.html and src/web/assets/backup.js).
'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./harness');

// Settings → "Backup & Import" by its link; returns the live counts shown.
async function openBackupPage(page) {
  await h.visit(page, '/settings');
  await h.clickAndWait(page, page.locator('main').getByRole('link', { name: 'Backup & Import' }), { status: 200 });
  assert.equal(new URL(page.url()).pathname, '/settings/backup');
  await page.getByRole('heading', { level: 1, name: 'Backup & Import' }).waitFor();
  return readStats(page);
}

// A <dl class="stats"> as {Pages: '3', Revisions: '5', Users: '1', Files: '1 (162 bytes)', ...}.
async function readStats(page) {
  return page.locator('main dl.stats').first().evaluate((dl) => Object.fromEntries(
    [...dl.querySelectorAll('div')].map((d) => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()])));
}

// The number at the start of a stats value ("1 (162 bytes)" -> 1).
function leadingNumber(text) {
  const m = /^\s*(\d+)/.exec(text);
  assert.ok(m, `not a count: ${JSON.stringify(text)}`);
  return Number(m[1]);
}

// Clicks "Create Backup" and saves the download into `dir`.
async function createBackup(page, dir) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Create Backup' }).click(),
  ]);
  const failure = await download.failure();
  assert.equal(failure, null, `the backup download failed: ${failure}`);
  const name = download.suggestedFilename();
  const file = path.join(dir, name);
  await download.saveAs(file);
  return { name, file };
}

// Records what the import form's progress box shows while backup.js uploads:
// every change of the box, the <progress> bar and the status line, pushed
// into `records` from the page (survives the navigation to the preview).
async function recordUploadProgress(page, records) {
  if (!page.__progressBinding) {
    await page.exposeBinding('__arkwikiRecordProgress', (_source, rec) => { page.__progressSink?.push(rec); });
    page.__progressBinding = true;
  }
  page.__progressSink = records;
  await page.evaluate(() => {
    const form = document.getElementById('import-form');
    const box = form.querySelector('.upload-progress');
    const bar = form.querySelector('progress');
    const status = form.querySelector('[role="status"]');
    const snap = () => window.__arkwikiRecordProgress({
      t: performance.now(),
      visible: !box.hidden && box.getClientRects().length > 0,
      value: bar.hasAttribute('value') ? Number(bar.getAttribute('value')) : null,
      max: Number(bar.max),
      status: status.textContent,
    });
    // Setting <progress>.value or .max from script changes the attribute.
    new MutationObserver(snap).observe(box, { attributes: true, childList: true, subtree: true, characterData: true });
  });
}

// Limits the page's upload speed (bytes/s; -1 lifts the limit) with Chromium's
// DevTools network emulation.
async function throttleUpload(page, bytesPerSecond) {
  if (!page.__cdp) {
    page.__cdp = await page.context().newCDPSession(page);
    await page.__cdp.send('Network.enable');
  }
  await page.__cdp.send('Network.emulateNetworkConditions',
    { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
}

// Chooses `file` in "Import Backup" and clicks "Upload and check". With
// `expectPreview` waits for the preview page; otherwise for the error line.
async function uploadBackup(page, file, { expectPreview = true } = {}) {
  await page.getByLabel(/^Backup file/).setInputFiles(file);
  const upload = page.waitForResponse((r) => r.request().method() === 'POST' &&
    new URL(r.url()).pathname === '/settings/backup/import');
  const navigation = expectPreview ? page.waitForURL(/\/settings\/backup\/import\/[^/]+$/) : null;
  await page.getByRole('button', { name: 'Upload and check' }).click();
  const response = await upload;
  if (expectPreview) {
    await navigation;
    await page.getByRole('heading', { level: 1, name: 'The backup checked out' }).waitFor();
  }
  return response;
}

// The preview's "In the backup" / "In this wiki now" table, by row name.
async function readPreviewTable(page) {
  return page.locator('table.import-compare').evaluate((table) => Object.fromEntries(
    [...table.querySelectorAll('tbody tr')].map((tr) => {
      const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent.trim());
      return [tr.querySelector('th').textContent.trim(), { backup: cells[0], now: cells[1] }];
    })));
}

// The site title the preview asks for (in <strong> in the field's label).
async function requiredSiteTitle(page) {
  return (await page.locator('label[for="confirm-title"] strong').innerText()).trim();
}

// Types the site title and password, confirms, and follows the progress page
// to the result page.
async function confirmImport(page, password, { onProgressPage } = {}) {
  await page.getByLabel(/Type the site title/).fill(await requiredSiteTitle(page));
  await page.getByLabel('Your password').fill(password);
  const response = await h.clickAndWait(page, page.getByRole('button', { name: 'Replace all data with this backup' }));
  assert.ok(response && [200, 202].includes(response.status()),
    `confirming answered ${response && response.status()} at ${page.url()}: ${await page.locator('main').innerText()}`);
  if (onProgressPage) await onProgressPage();
  return followToResult(page);
}

async function followToResult(page) {
  await page.waitForURL(/\/settings\/backup\/import\/[^/]+\/result$/, { timeout: 60000 });
  await page.locator('.import-result h1').waitFor();
  return page.locator('.import-result h1').innerText();
}

// "Undo last import" (accepting its confirm() question).
async function undoLastImport(page) {
  await h.visit(page, '/settings/backup');
  const dialogs = [];
  page.once('dialog', (d) => { dialogs.push(d.message()); d.accept(); });
  await h.clickAndWait(page, page.getByRole('button', { name: 'Undo last import' }));
  assert.equal(dialogs.length, 1, 'Undo did not ask for confirmation');
  return followToResult(page);
}

// The safety copies Undo last import can restore: the ids of the
// before-import restore points listed, newest first.
async function safetyBackupNames(page) {
  await h.visit(page, '/settings/backup');
  return page.locator('main table.restore-points tbody tr[data-trigger="before-import"]')
    .evaluateAll((rows) => rows.map((r) => r.dataset.point));
}

// The restore points listed on the Backup & Import page, newest first:
// [{id, trigger, check, failed}].
async function restorePoints(page) {
  return page.locator('main table.restore-points tbody tr').evaluateAll((rows) => rows.map((r) => ({
    id: r.dataset.point,
    trigger: r.dataset.trigger,
    check: r.querySelector('.check-state').textContent.trim(),
    failed: r.querySelector('.check-state').classList.contains('check-failed'),
  })));
}

// The row of restore point `id`.
function pointRow(page, id) {
  return page.locator(`main table.restore-points tbody tr[data-point="${id}"]`);
}

// The backup journal listed on the Backup & Import page, newest first:
// [{event, outcome, failed, actor, text}].
async function journalEntries(page) {
  return page.locator('main table.backup-journal tbody tr').evaluateAll((rows) => rows.map((r) => ({
    event: r.dataset.event,
    outcome: r.dataset.outcome,
    failed: r.classList.contains('journal-failed'),
    actor: r.querySelectorAll('td')[1].textContent.trim(),
    text: r.textContent.replace(/\s+/g, ' ').trim(),
  })));
}

// The computed colour of the first element `locator` finds, and of the
// page's danger colour (var(--danger)), to compare.
async function colourAndDanger(locator) {
  return locator.first().evaluate((el) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--danger)';
    document.body.appendChild(probe);
    const danger = getComputedStyle(probe).color;
    probe.remove();
    return { colour: getComputedStyle(el).color, danger };
  });
}

module.exports = {
  openBackupPage, readStats, leadingNumber, createBackup, recordUploadProgress, throttleUpload, uploadBackup,
  readPreviewTable, requiredSiteTitle, confirmImport, followToResult, undoLastImport, safetyBackupNames,
  restorePoints, pointRow, journalEntries, colourAndDanger,
};
