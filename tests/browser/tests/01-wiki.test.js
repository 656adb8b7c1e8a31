// The wiki. The first admin logs in, creates and edits
// pages, uploads an image that shows on its page; a dark-theme preference
// persists across logout and login.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');

const ADMIN = { name: 'admin', role: 'admin', password: 'admin-password-1' };
let server;
let browser;
let page;
let work;

before(async () => {
  work = h.tempDir('wiki-work');
  server = await h.startServer('wiki', { users: [ADMIN] });
  browser = await h.launchBrowser();
  page = await h.newPage(browser, server.url);
});

after(() => h.finish({ server, browser, dirs: [work] }));

// Luminance (0..1) of an element's computed background colour.
async function backgroundLuminance(selector) {
  return page.locator(selector).evaluate((el) => {
    const m = getComputedStyle(el).backgroundColor.match(/\d+(\.\d+)?/g).map(Number);
    return (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]) / 255;
  });
}

test('the wiki: log in, create and edit pages, upload an image, dark theme persists', async (t) => {
  await t.test('the first admin logs in', async () => {
    await h.visit(page, '/');
    assert.equal(await page.getByRole('link', { name: 'Settings' }).count(), 0, 'Settings shown before login');
    await h.login(page, ADMIN.name, ADMIN.password);
    await page.getByRole('link', { name: 'Settings' }).waitFor();
  });

  let slug;
  await t.test('creates pages and edits one', async () => {
    slug = await h.createPage(page, 'Garden Notes', '# Tomatoes\n\nWater **daily**.');
    assert.equal(slug, 'garden-notes');
    await page.locator('.markdown-body strong', { hasText: 'daily' }).waitFor();
    const other = await h.createPage(page, 'Tool Shed', 'See [[Garden Notes]].');
    await page.locator('.markdown-body a[href="/wiki/garden-notes"]').waitFor();

    await h.editPage(page, slug, { markdown: '# Tomatoes\n\nWater *every morning*.\n\n- stake them' });
    await page.locator('.markdown-body em', { hasText: 'every morning' }).waitFor();
    await page.locator('.markdown-body li', { hasText: 'stake them' }).waitFor();
    assert.match(await page.locator('.page-header .meta').innerText(), /Revision 2\b/);
    await h.editPage(page, other, { title: 'Tool Shed (renamed title)' });
    await page.getByRole('heading', { level: 1, name: 'Tool Shed (renamed title)' }).waitFor();

    await h.visit(page, '/pages');
    for (const title of ['Garden Notes', 'Tool Shed (renamed title)']) {
      await page.locator('main').getByRole('link', { name: title }).waitFor();
    }
  });

  await t.test('uploads an image that shows on its page', async () => {
    const png = h.makePng(8);
    const file = path.join(work, 'tomato.png');
    fs.writeFileSync(file, png);
    await h.uploadFile(page, slug, file);
    await page.locator('.flash', { hasText: 'Uploaded tomato.png' }).waitFor();
    const sizes = await h.imageSizes(page);
    assert.deepEqual(sizes, [{ src: '/files/garden-notes/tomato.png', width: 8, height: 8 }]);
    const served = await page.request.get('/files/garden-notes/tomato.png');
    assert.equal(served.status(), 200);
    assert.equal(h.sha256(await served.body()), h.sha256(png), 'the served image differs from the upload');

    // Shown inline from the Markdown too.
    await h.editPage(page, slug, { markdown: 'Our tomato:\n\n![a tomato](/files/garden-notes/tomato.png)' });
    const inline = page.locator('.markdown-body img[alt="a tomato"]');
    await inline.waitFor();
    assert.equal(await inline.evaluate((el) => el.complete && el.naturalWidth), 8);
  });

  await t.test('a dark-theme preference persists across logout and login', async () => {
    assert.notEqual(await page.locator('html').getAttribute('data-theme'), 'dark');
    await page.emulateMedia({ colorScheme: 'light' });  // "system" must not look dark by chance
    const lightLuminance = await backgroundLuminance('body');

    await h.visit(page, '/preferences');
    await page.getByLabel('Colour theme').selectOption('dark');
    await h.clickAndWait(page, page.getByRole('button', { name: 'Save preferences' }), { status: 200 });
    await page.locator('.flash', { hasText: 'Preferences saved' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
    assert.equal(await page.getByLabel('Colour theme').inputValue(), 'dark');
    const darkLuminance = await backgroundLuminance('body');
    assert.ok(darkLuminance < lightLuminance && darkLuminance < 0.5,
      `the dark theme does not look dark (luminance ${darkLuminance} vs light ${lightLuminance})`);
    await h.screenshot(page, 'wiki-dark-theme');

    await h.logout(page);
    assert.notEqual(await page.locator('html').getAttribute('data-theme'), 'dark',
      'logged out, the page still uses the user\'s theme');
    await h.login(page, ADMIN.name, ADMIN.password);
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark', 'the theme was not kept');
    await h.visit(page, `/wiki/${slug}`);
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
    await h.visit(page, '/preferences');
    assert.equal(await page.getByLabel('Colour theme').inputValue(), 'dark');
  });

  await t.test('dates show in the time zone preference', async () => {
    await h.visit(page, `/wiki/${slug}`);
    const edited = page.locator('.page-header .meta time');
    const iso = await edited.getAttribute('datetime');
    assert.match(await edited.innerText(), /UTC/, 'UTC by default');

    await h.visit(page, '/preferences');
    await page.getByLabel('Time zone').fill('Asia/Tokyo');
    await h.clickAndWait(page, page.getByRole('button', { name: 'Save preferences' }), { status: 200 });
    await page.locator('.flash', { hasText: 'Preferences saved' }).waitFor();
    await h.visit(page, `/wiki/${slug}`);
    const shown = await edited.innerText();
    const expected = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Tokyo', year: 'numeric', month: 'short', day: 'numeric',
      hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
    }).format(new Date(iso));
    assert.equal(shown, expected, `edited ${iso}, shown as ${shown}`);
    assert.match(shown, /GMT\+9|JST/);
  });

  assert.deepEqual(page.problems, [], 'JavaScript errors on the pages');
});
