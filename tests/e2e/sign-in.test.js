// Signing in and out, and what a role may not see.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  DEMO_USERS,
  GREETING,
  htmlLangDir,
  login,
  open,
  pathOf,
  useApp,
  withFreshPage,
} from './support/app.js';

const app = useApp();

describe('every demo role can sign in and sees a dashboard with their name', () => {
  for (const u of DEMO_USERS) {
    test(`${u.username} (${u.role}) signs in and is greeted as ${u.fullName}`, async () => {
      await withFreshPage(app, async (page) => {
        await login(page, u.username);
        assert.equal(pathOf(page), '/');
        const h1 = (await page.locator('main h1').textContent()).trim();
        assert.ok(h1.includes(u.fullName), `the dashboard title "${h1}" does not name ${u.fullName}`);
        assert.ok(
          h1.includes(GREETING[u.lang]),
          `the dashboard title "${h1}" is not the ${u.lang} greeting "${GREETING[u.lang]}"`,
        );
        assert.equal((await htmlLangDir(page)).lang, u.lang, `${u.username}'s interface language`);
      });
    });
  }
});

test('signing out ends the session: the dashboard then sends to the login page', async () => {
  await withFreshPage(app, async (page) => {
    await login(page, 'roberto');
    const cookiesWhileSignedIn = await app.context.cookies();

    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('form[action="/logout"] button').click(),
    ]);
    assert.equal(pathOf(page), '/login', 'signing out should land on the login page');

    await page.goto('/');
    assert.equal(pathOf(page), '/login', 'after signing out, / should redirect to /login');

    // The old session cookie, presented again, must not open the dashboard either: the
    // session ended on the server, not only in the browser.
    await app.context.addCookies(cookiesWhileSignedIn);
    await page.goto('/');
    assert.equal(pathOf(page), '/login', 'the session cookie of before signing out still works');
  });
});

test('a signed-in user without the admin role gets a 403 page on /admin/users', async () => {
  await withFreshPage(app, async (page) => {
    await login(page, 'marco');
    await open(page, '/admin/users', 403);
    const h1 = (await page.locator('main h1').textContent()).trim();
    assert.equal(h1, 'Accesso non consentito');
    assert.equal(await page.locator('a[href="/admin/users/new"]').count(), 0);
    assert.equal(await page.locator('a[href^="/admin/users/"]').count(), 0, 'user links are shown');
    // Still a page of the application: its header, with the way out.
    assert.equal(await page.locator('form[action="/logout"] button').count(), 1);
  });
});

test('an unknown URL shows a styled 404 page of the application', async () => {
  await withFreshPage(app, async (page) => {
    await login(page, 'roberto');
    await open(page, '/questa-pagina-non-esiste', 404);
    assert.ok((await page.locator('main h1').textContent()).trim().length > 0, 'the 404 page has no title');
    assert.equal(await page.locator('main a[href="/"]').count(), 1, 'the 404 page has no way back home');
    const styled = await page.evaluate(
      () =>
        [...document.styleSheets].filter((s) => {
          try {
            return s.cssRules.length > 0;
          } catch {
            return false;
          }
        }).length,
    );
    assert.ok(styled >= 2, `the 404 page has ${styled} loaded stylesheet(s), expected the app's 2`);
  });
});
