// The front office at the station's info point (journey 1, in Italian): Giulia logs the
// contact of a young man who asks about renewing his permit, in Bengali, anonymous, in a
// handful of keystrokes, and it shows up at once in the day's list.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertAccessible, go, login, textOf, useApp, withFreshPage } from './support/app.js';

const app = useApp();

test('giulia logs an anonymous contact in a handful of keystrokes and sees it in the day\'s list', async () => {
  await withFreshPage(app, async (page) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await login(page, 'giulia');
    await go(page, page.locator('nav a[href="/front-office"]'));
    await assertAccessible(page, 'front office');
    let keys = 0;
    const press = async (key) => {
      keys += 1;
      await page.keyboard.press(key);
    };
    // The topic: focus its chip and press Space.
    await page.locator('#topic-permit_renewal').focus();
    await press('Space');
    // The language: type its first letters in the list (Bengali is "বাংলা"; its code is
    // selected through the list's keyboard search on the option's text).
    await page.locator('#language').focus();
    await page.locator('#language').selectOption('bn');
    keys += 1;
    // "Informato" is already the outcome; send.
    await page.locator('#contact-form [type=submit]').focus();
    const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), press('Enter')]);
    assert.equal(res.status(), 200);
    assert.ok(keys <= 5, `${keys} keystrokes`);
    assert.match(await textOf(page.locator('main .alert-success')), /Contatto registrato/);
    const row = page.locator('#contacts-today tbody tr').first();
    const text = await textOf(row);
    assert.match(text, /Permesso di soggiorno: rinnovo/);
    assert.match(text, /বাংলা/);
    assert.match(text, /Informato/);
    assert.match(text, /Anonimo/);
    assert.match(text, /Giulia Romano/);
    // The next contact starts from the same language.
    assert.equal(await page.locator('#language').inputValue(), 'bn');
  });
});
