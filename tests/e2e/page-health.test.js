// Every page loads whole: its stylesheets, scripts, fonts and images answer, and no script
// error or blocked resource shows in the browser console.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { useApp } from './support/app.js';
import { PAGES, visit } from './support/pages.js';

let page;
const problems = [];
const app = useApp({ setup: watchPage });

async function watchPage({ context }) {
  page = await context.newPage();
  page.on('response', (r) => {
    // A field form is sent by its script first: its refusal (409, 422) is then shown as the
    // page itself, like any form sent back with its problems.
    const formAnswer = r.request().resourceType() === 'fetch' && r.request().method() === 'POST' && [409, 422].includes(r.status());
    if (r.request().resourceType() !== 'document' && r.status() >= 400 && !formAnswer) {
      problems.push(`${r.request().resourceType()} ${r.url()} answered ${r.status()}`);
    }
  });
  page.on('requestfailed', (r) => {
    // Chromium reads the web app manifest and its icon in the background (to offer
    // installation) and cancels both when the test moves to the next page: not a fault.
    const installCheck = /\/manifest\.webmanifest$|\/assets\/icons\//.test(r.url());
    if (installCheck && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    // A script's request cancelled because the test left the page (the drafts' key, a form
    // whose answer became the next page) is not a fault of the page either.
    if (r.resourceType() === 'fetch' && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`${r.resourceType()} ${r.url()} failed: ${r.failure()?.errorText}`);
  });
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    // The page's own error status (404, 403, or 422 for a form sent back with its problems)
    // is logged by Chromium as a failed resource.
    if (m.type() === 'error' && !/the server responded with a status of (40[34]|422)/.test(m.text())) {
      problems.push(`console error: ${m.text()}`);
    }
  });
}

for (const entry of PAGES) {
  test(`the ${entry.name} page loads all its assets without errors`, async () => {
    await visit(app.context, page, entry, 'it', { beforeTarget: () => (problems.length = 0) });
    await page.waitForLoadState('networkidle');
    // Long data: URLs are cut, and a problem seen twice (a redirect, a second load) is listed once.
    const seen = [...new Set(problems.map((p) => p.replace(/(data:[^;,]+[;,])[^'"\s]{40,}/g, '$1…')))];
    assert.equal(seen.length, 0, `problems on the ${entry.name} page (${page.url()}):\n${seen.join('\n')}`);
  });
}
