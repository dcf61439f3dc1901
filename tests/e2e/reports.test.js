// The programme manager before the annual report, as journey 8 goes (in Italian): Elena opens
// the programme dashboard from the menu, reads third-country nationals reached (each once)
// against the 5,000 target and the minors against 3,000, breaks the figures down by
// nationality, narrows the period, downloads the tables as XLSX, and checks the open-data
// page that anyone can read, where no count under 5 appears. Chiara, at a patronato, sees her
// organisation's figures with the programme's beside them and cannot ask for a recomputation.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertAccessible, download, go, login, open, textOf, textsOf, useApp, withFreshPage } from './support/app.js';

const app = useApp();

describe('journey 8: the programme dashboard, its exports and the open data', () => {
  test('elena reads the indicators against their targets, by nationality, and downloads them', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'elena');
      await go(page, page.locator('nav a[href="/reports"]'));
      assert.match(await textOf(page.locator('#report-as-of')), /Dati aggiornati al \d{4}-\d{2}-\d{2}/);
      const tcn = page.locator('#indicator-tcn_reached');
      assert.match(await textOf(tcn), /Cittadini di paesi terzi raggiunti/);
      assert.match(await textOf(tcn), /5000/);
      const reached = Number(await textOf(tcn.locator('td').first()));
      assert.ok(reached > 0, 'the demo has reached people');
      assert.match(await textOf(page.locator('#indicator-minors_reached')), /3000/);
      // Each chart has the table of its figures beside it.
      assert.ok(await page.locator('#chart-tcn_reached svg[role="img"]').count());
      assert.ok(await page.locator('#chart-tcn_reached table tbody tr').count());
      await assertAccessible(page, 'programme dashboard');

      await page.locator('#by').selectOption('nationality');
      await go(page, page.locator('.report-filters button[type=submit]'));
      assert.match(await textOf(page.locator('#breakdown-h')), /Per nazionalità/);
      const lines = await page.locator('#breakdown tbody tr').count();
      assert.ok(lines > 1, 'several nationalities');

      const year = String(new Date().getFullYear());
      await page.locator('#from').fill(`${year}-01`);
      await page.locator('#to').fill(`${year}-12`);
      await go(page, page.locator('.report-filters button[type=submit]'));
      const inYear = Number(await textOf(page.locator('#indicator-tcn_reached td').first()));
      assert.ok(inYear <= reached, `${inYear} reached this year, ${reached} in all`);

      const xlsx = await download(page, page.locator('.report-exports a', { hasText: 'XLSX' }));
      assert.match(xlsx.name, /\.xlsx$/);
      assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK');

      await open(page, '/it/open-data');
      await assertAccessible(page, 'open data');
      const cells = await textsOf(page.locator('main table td'));
      for (const n of cells.split(' ').filter((x) => /^\d+$/.test(x))) {
        assert.ok(Number(n) >= 5, `a published count of ${n}`);
      }
    });
  });

  test('chiara sees her patronato beside the programme and may not recompute', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'chiara');
      await go(page, page.locator('nav a[href="/reports"]'));
      const header = await textsOf(page.locator('#report-summary thead th'));
      assert.match(header, /Programma/);
      assert.equal(await page.locator('form[action="/reports/refresh"]').count(), 0);
    });
  });
});
