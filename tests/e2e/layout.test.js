// What axe cannot see: every text field shows where to type (a visible edge), and no label
// is drawn over other text. Every page in Italian; login and dashboard in English and Arabic.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { useApp } from './support/app.js';
import { layoutProblems } from './support/layout.js';
import { PAGE_RUNS, visit } from './support/pages.js';

let page;
const app = useApp({
  setup: async ({ context }) => {
    page = await context.newPage();
  },
});

for (const { entry, lang } of PAGE_RUNS) {
  test(`the ${entry.name} page in ${lang} shows its text fields and labels clearly`, async () => {
    await visit(app.context, page, entry, lang);
    await page.evaluate(() => document.fonts.ready);
    const problems = await layoutProblems(page);
    assert.equal(problems.length, 0, `layout problems on the ${entry.name} page in ${lang} (${page.url()}):\n${problems.join('\n')}`);
  });
}
