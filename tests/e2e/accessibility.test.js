// axe-core (WCAG 2 A and AA rules): no violation of impact serious or critical on every page
// in Italian, and on the login page and the dashboard in English and Arabic.

import { test } from 'node:test';

import { assertAccessible, useApp } from './support/app.js';
import { PAGE_RUNS, visit } from './support/pages.js';

let page;
const app = useApp({
  setup: async ({ context }) => {
    page = await context.newPage();
  },
});

for (const { entry, lang } of PAGE_RUNS) {
  test(`the ${entry.name} page in ${lang} has no serious or critical accessibility violations`, async () => {
    await visit(app.context, page, entry, lang);
    await assertAccessible(page, `${entry.name} (${lang})`);
  });
}
