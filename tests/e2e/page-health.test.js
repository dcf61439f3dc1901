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
    if (r.request().resourceType() !== 'document' && r.status() >= 400) {
      problems.push(`${r.request().resourceType()} ${r.url()} answered ${r.status()}`);
    }
  });
  page.on('requestfailed', (r) => problems.push(`${r.resourceType()} ${r.url()} failed: ${r.failure()?.errorText}`));
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    // The page's own error status (404, 403) is logged by Chromium as a failed resource.
    if (m.type() === 'error' && !/the server responded with a status of 40[34]/.test(m.text())) {
      problems.push(`console error: ${m.text()}`);
    }
  });
}

for (const entry of PAGES) {
  test(`the ${entry.name} page loads all its assets without errors`, async () => {
    problems.length = 0;
    await visit(app.context, page, entry, 'it');
    await page.waitForLoadState('networkidle');
    assert.deepEqual(problems, [], `problems on ${entry.name} (${page.url()}):\n${problems.join('\n')}`);
  });
}
