// The language switch: Italian, English, Arabic (right-to-left).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  GREETING,
  LOGIN_TITLE,
  htmlLangDir,
  login,
  open,
  pathOf,
  switchLanguage,
  useApp,
  withFreshPage,
} from './support/app.js';

const app = useApp();

const bodyDirection = (page) => page.evaluate(() => getComputedStyle(document.body).direction);

test('the login page switches from Italian to English to Arabic, and Arabic is right-to-left', async () => {
  await withFreshPage(app, async (page) => {
    await open(page, '/login');
    assert.deepEqual(await htmlLangDir(page), { lang: 'it', dir: 'ltr' });
    assert.equal((await page.locator('main h1').textContent()).trim(), LOGIN_TITLE.it);

    await switchLanguage(page, 'en');
    assert.equal(pathOf(page), '/login');
    assert.deepEqual(await htmlLangDir(page), { lang: 'en', dir: 'ltr' });
    assert.equal((await page.locator('main h1').textContent()).trim(), LOGIN_TITLE.en);
    assert.equal(await bodyDirection(page), 'ltr');

    await switchLanguage(page, 'ar');
    assert.equal(pathOf(page), '/login');
    assert.deepEqual(await htmlLangDir(page), { lang: 'ar', dir: 'rtl' });
    assert.equal((await page.locator('main h1').textContent()).trim(), LOGIN_TITLE.ar);
    assert.equal(await bodyDirection(page), 'rtl', 'the Arabic page is not laid out right-to-left');

    // Back to Italian: left-to-right again.
    await switchLanguage(page, 'it');
    assert.deepEqual(await htmlLangDir(page), { lang: 'it', dir: 'ltr' });
    assert.equal((await page.locator('main h1').textContent()).trim(), LOGIN_TITLE.it);
  });
});

test('a signed-in user switches the dashboard from Italian to English to Arabic, and the choice stays', async () => {
  await withFreshPage(app, async (page) => {
    await login(page, 'roberto');
    const h1 = async () => (await page.locator('main h1').textContent()).trim();
    assert.deepEqual(await htmlLangDir(page), { lang: 'it', dir: 'ltr' });
    assert.equal(await h1(), `${GREETING.it}, Roberto Conti`);
    const logoutIt = (await page.locator('form[action="/logout"] button').textContent()).trim();

    await switchLanguage(page, 'en');
    assert.equal(pathOf(page), '/');
    assert.deepEqual(await htmlLangDir(page), { lang: 'en', dir: 'ltr' });
    assert.equal(await h1(), `${GREETING.en}, Roberto Conti`);
    const logoutEn = (await page.locator('form[action="/logout"] button').textContent()).trim();
    assert.notEqual(logoutEn, logoutIt, 'the header was not translated');

    await switchLanguage(page, 'ar');
    assert.equal(pathOf(page), '/');
    assert.deepEqual(await htmlLangDir(page), { lang: 'ar', dir: 'rtl' });
    const title = await h1();
    assert.ok(title.startsWith(GREETING.ar), `"${title}" is not the Arabic greeting`);
    assert.ok(title.includes('Roberto Conti'), `"${title}" does not name Roberto Conti`);
    assert.equal(await bodyDirection(page), 'rtl', 'the Arabic dashboard is not laid out right-to-left');

    // The choice holds on the next page.
    await open(page, '/profile');
    assert.deepEqual(await htmlLangDir(page), { lang: 'ar', dir: 'rtl' });
  });
});
