// The public pages as a migrant reads them on a cheap phone (a 360-pixel screen): every page
// in every language of the programme, checked by axe; right-to-left languages laid out right
// to left; nothing wider than the screen. Screenshots of an Arabic and a Tigrinya page are
// kept in test-results/ for people to look at.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { assertAccessible, htmlLangDir, open, useApp, withFreshPage } from './support/app.js';

const app = useApp();
const results = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-results');

// domain::languages::LANGUAGES: code and direction.
const LANGUAGES = [
  ['it', 'ltr'], ['en', 'ltr'], ['fr', 'ltr'], ['es', 'ltr'], ['ar', 'rtl'], ['fa', 'rtl'], ['prs', 'rtl'],
  ['ps', 'rtl'], ['ur', 'rtl'], ['bn', 'ltr'], ['ti', 'ltr'], ['uk', 'ltr'], ['zh', 'ltr'], ['sq', 'ltr'], ['tl', 'ltr'],
];
const PAGES = [
  '/', '/info-points', '/book', '/booking', '/services', '/services/permit_renewal', '/services/family_reunification',
  '/guide', '/guide?need=permit&permit=expiring&passport=no&minor=no',
];

// First in this file: the browser's profile is fresh (no cache, no service worker yet).
test('an Italian page on a first visit fetches no font, arrives compressed and weighs under 60 KB', async () => {
  await withFreshPage(app, async (page) => {
    const seen = [];
    page.on('requestfinished', async (req) => {
      const res = await req.response();
      const sizes = await req.sizes().catch(() => null);
      seen.push({
        url: req.url(),
        type: req.resourceType(),
        encoding: res ? (await res.allHeaders())['content-encoding'] || '' : '',
        bytes: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0,
      });
    });
    await open(page, '/it/services');
    await page.waitForLoadState('networkidle');
    // At most the language menu's tiny subsets (none where the phone has the fonts).
    const fonts = seen.filter((r) => r.type === 'font' && !/\/autonym-[a-z]+\.[0-9a-f]+\.woff2$/.test(r.url));
    assert.deepEqual(fonts.map((r) => r.url), [], 'an Italian page needs no script font');
    for (const r of seen.filter((r) => ['document', 'stylesheet', 'script'].includes(r.type))) {
      assert.ok(['br', 'gzip'].includes(r.encoding), `${r.url} came uncompressed`);
    }
    const total = seen.reduce((n, r) => n + r.bytes, 0);
    assert.ok(total <= 60_000, `the first visit weighed ${total} bytes: ${JSON.stringify(seen)}`);
  });
});

test('every public page in every language is accessible, in its direction, and fits a 360-pixel screen', async () => {
  await withFreshPage(app, async (page) => {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const [code, dir] of LANGUAGES) {
      for (const p of PAGES) {
        await open(page, `/${code}${p}`);
        assert.deepEqual(await htmlLangDir(page), { lang: code, dir }, `/${code}${p}`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 360, `/${code}${p} is ${width}px wide`);
        await assertAccessible(page, `public ${p} in ${code}`);
      }
    }
  });
});

test('a right-to-left page starts its lines on the right, and screenshots are kept', async () => {
  await withFreshPage(app, async (page) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await mkdir(results, { recursive: true });
    await open(page, '/ar/info-points');
    const h1 = await page.locator('main h1').boundingBox();
    const main = await page.locator('main').boundingBox();
    assert.ok(main.x + main.width - (h1.x + h1.width) < 24, 'the Arabic heading does not start on the right');
    await page.screenshot({ path: path.join(results, 'public-info-points-ar.png'), fullPage: true });
    await open(page, '/ti/info-points');
    assert.match(await page.locator('main h1').innerText(), /[\u1200-\u137F]/, 'the Tigrinya heading is not in Ethiopic script');
    await page.screenshot({ path: path.join(results, 'public-info-points-ti.png'), fullPage: true });
    await open(page, '/ar/services/family_reunification');
    const h1s = await page.locator('main h1').boundingBox();
    const mains = await page.locator('main').boundingBox();
    assert.ok(mains.x + mains.width - (h1s.x + h1s.width) < 24, 'the Arabic service title does not start on the right');
    await page.screenshot({ path: path.join(results, 'public-service-ar.png'), fullPage: true });
    await open(page, '/ti/services/permit_renewal');
    assert.match(await page.locator('main h1').innerText(), /[\u1200-\u137F]/, 'the Tigrinya service title is not in Ethiopic script');
    await page.screenshot({ path: path.join(results, 'public-service-ti.png'), fullPage: true });
  });
});
