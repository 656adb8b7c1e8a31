// An editor and a reader see no Backup & Import section
// and get 403 on its URLs (pages, forms and the JSON API behind them).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

const USERS = [
  { name: 'admin', role: 'admin', password: 'admin-password-1' },
  { name: 'edna', role: 'editor', password: 'editor-password-1' },
  { name: 'rita', role: 'reader', password: 'reader-password-1' },
];
let server;
let browser;

before(async () => {
  server = await h.startServer('permissions', { users: USERS });
  browser = await h.launchBrowser();
});

after(() => h.finish({ server, browser }));

const FAKE_ID = 'imp-0123456789abcdef';
const PAGES = ['/settings', '/settings/backup', `/settings/backup/import/${FAKE_ID}`,
  `/settings/backup/import/${FAKE_ID}/progress`, `/settings/backup/import/${FAKE_ID}/result`];
const FORMS = ['/settings/backup/create', '/settings/backup/undo', `/settings/backup/import/${FAKE_ID}/confirm`,
  `/settings/backup/import/${FAKE_ID}/cancel`];

for (const user of USERS.filter((u) => u.role !== 'admin')) {
  test(`the ${user.role} sees no Backup & Import and gets 403 on its URLs`, async () => {
    const page = await h.newPage(browser, server.url);
    try {
      await h.login(page, user.name, user.password);
      for (const where of ['/', '/pages', '/preferences']) {
        await h.visit(page, where);
        const links = await page.locator('a[href^="/settings"]').count();
        assert.equal(links, 0, `${user.role} sees a link to /settings on ${where}`);
        assert.equal(await page.getByText(/Backup\s*&\s*Import|Create Backup|Import Backup/).count(), 0,
          `${user.role} sees Backup & Import on ${where}`);
      }
      for (const url of PAGES) {
        await h.visit(page, url, 403);
        await page.locator('.error-page', { hasText: 'Error 403' }).waitFor();
        assert.equal(await page.getByRole('button', { name: /Create Backup|Upload and check|Undo last import|Replace all data/ }).count(), 0);
      }
      // Each probe on a new connection: a refused POST leaves its unread body
      // on a kept-alive connection (see the last test of this file).
      const csrf = await h.csrfToken(page);
      const close = { Connection: 'close' };
      for (const url of FORMS) {
        const r = await page.request.post(url, { form: { csrf }, headers: close, maxRedirects: 0 });
        assert.equal(r.status(), 403, `POST ${url} as ${user.role}: ${r.status()}`);
      }
      const zip = Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'latin1');  // an empty ZIP
      for (const url of ['/settings/backup/import', '/api/restore', '/api/restore?dry_run=1']) {
        const r = await page.request.post(url, {
          headers: { 'Content-Type': 'application/zip', 'X-CSRF-Token': csrf, ...close }, data: zip, maxRedirects: 0,
        });
        assert.equal(r.status(), 403, `POST ${url} as ${user.role}: ${r.status()}`);
      }
      const api = await page.request.post('/api/backups', { headers: { 'X-CSRF-Token': csrf, ...close }, maxRedirects: 0 });
      assert.equal(api.status(), 403, `POST /api/backups as ${user.role}`);
      const status = await page.request.get(`/api/restore/status?job=${FAKE_ID}`, { maxRedirects: 0 });
      assert.equal(status.status(), 403, `GET /api/restore/status as ${user.role}`);
      assert.deepEqual(page.problems, []);
    } finally {
      await page.context().close();
    }
  });
}

test('the admin, by contrast, reaches Backup & Import from Settings', async () => {
  const page = await h.newPage(browser, server.url);
  try {
    await h.login(page, 'admin', 'admin-password-1');
    await h.clickAndWait(page, page.getByRole('link', { name: 'Settings' }), { status: 200 });
    await h.clickAndWait(page, page.locator('main').getByRole('link', { name: 'Backup & Import' }), { status: 200 });
    await page.getByRole('button', { name: 'Create Backup' }).waitFor();
  } finally {
    await page.context().close();
  }
});

// A reader's browser that submits the admin's "Create Backup" form (an old
// tab, a shared link) gets 403, and must still be able to go on browsing.
// The server answers 403 without reading the form body; if it keeps the
// connection alive, that body is read as the start of the next request.
test('after a refused Backup & Import form the next page still loads', async () => {
  const page = await h.newPage(browser, server.url);
  try {
    await h.login(page, 'rita', 'reader-password-1');
    const csrf = await h.csrfToken(page);
    const [refused] = await Promise.all([page.waitForNavigation(), page.evaluate((token) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/settings/backup/create';
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = 'csrf';
      input.value = token;
      form.appendChild(input);
      document.body.appendChild(form);
      form.submit();
    }, csrf)]);
    assert.equal(refused.status(), 403);
    await page.locator('.error-page', { hasText: 'Error 403' }).waitFor();
    const next = await h.clickAndWait(page, page.getByRole('link', { name: 'Go to the home page' }))
      .catch((e) => assert.fail(`after the 403, following "Go to the home page" failed: ${e.message.split('\n')[0]} ` +
        '(the server left the refused POST\'s body unread on a kept-alive connection, and parsed it as the next request)'));
    assert.equal(next.status(), 200);
  } finally {
    await page.context().close();
  }
});
