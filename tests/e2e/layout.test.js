// What axe cannot see: every text field shows where to type (a visible edge), and no label
// is drawn over other text. Every page in Italian; login and dashboard in English and Arabic.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { useApp } from './support/app.js';
import { layoutProblems } from './support/layout.js';
import { PAGE_RUNS, pageNamed, visit } from './support/pages.js';

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

test('on a phone the header bands grow with their content instead of overlapping', async () => {
  await page.setViewportSize({ width: 390, height: 800 });
  try {
    for (const lang of ['it', 'ar']) {
      await visit(app.context, page, pageNamed('home'), lang);
      const boxes = await page.evaluate(() =>
        ['.slim-title', '.langs', '.brand', '.who', '.app-nav ul'].map((sel) => {
          const el = document.querySelector(sel);
          const r = el ? el.getBoundingClientRect() : null;
          return { sel, r: r && { top: r.top, bottom: r.bottom, left: r.left, right: r.right } };
        }),
      );
      const overlaps = [];
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].r;
          const b = boxes[j].r;
          if (a && b && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
            overlaps.push(`${boxes[i].sel} overlaps ${boxes[j].sel}`);
          }
        }
      }
      assert.deepEqual(overlaps, [], `header on a 390px phone in ${lang}`);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});
