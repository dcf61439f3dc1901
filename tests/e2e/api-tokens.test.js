// Personal API tokens: shown once at creation, usable with the API.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { login, open, pathOf, useApp, withFreshPage } from './support/app.js';

const app = useApp();

test('creating an API token shows it once, and the token opens the API', async () => {
  await withFreshPage(app, async (page) => {
    await login(page, 'chiara');
    await open(page, '/profile/tokens');
    assert.equal(await page.locator('#new-token').count(), 0, 'a token is shown before any was created');

    const name = 'e2e token for the mediation laptop';
    await page.locator('#token-name').fill(name);
    const [res] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('form[action="/profile/tokens"] [type=submit]').click(),
    ]);
    assert.equal(res.status(), 200, `creating the token answered ${res.status()}`);
    const token = ((await page.locator('#new-token').textContent()) ?? '').trim();
    assert.ok(token.length >= 20, `the new token "${token}" looks too short`);
    assert.ok(
      await page.locator('table tbody td', { hasText: name }).count(),
      'the new token is not listed in the table',
    );

    // The token works for the API (bearer authentication; no browser cookies).
    const me = await fetch(`${app.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200, 'GET /api/v1/me with the new token');
    assert.equal((await me.json()).username, 'chiara');

    // Coming back to the page: the token is listed but never shown again.
    await open(page, '/profile/tokens');
    assert.equal(pathOf(page), '/profile/tokens');
    assert.equal(await page.locator('#new-token').count(), 0, 'the token is shown a second time');
    assert.ok(!(await page.content()).includes(token), 'the full token appears in the page again');
    assert.ok(await page.locator('table tbody td', { hasText: name }).count(), 'the token is no longer listed');
  });
});
