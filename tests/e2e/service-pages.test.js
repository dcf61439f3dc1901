// The service pages (journeys 1 and 2): Rakibul scans the QR code of the Bengali leaflet,
// reads the renewal page in Bengali, answers the guide's questions with his thumb and takes
// his own checklist as a PDF. Then the content side: Tanvir, a mediator, finds the French
// citizenship page out of date, sees what changed in the Italian, updates it and sends it to
// review; Roberto publishes it and French readers get French again.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertAccessible, download, go, htmlLangDir, login, open, signInAs, textOf, useApp, withFreshPage } from './support/app.js';

const app = useApp();

test('a reader goes from the Bengali service page through the guide to a PDF checklist', async () => {
  await withFreshPage(app, async (page) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await open(page, '/bn/services/permit_renewal');
    assert.deepEqual(await htmlLangDir(page), { lang: 'bn', dir: 'ltr' });
    assert.match(await textOf(page.locator('#needs + div')), /পাসপোর্ট/);
    const leaflet = await download(page, page.locator('a[href$="/leaflet.pdf"]'));
    assert.equal(leaflet.bytes.subarray(0, 4).toString('latin1'), '%PDF');
    await go(page, page.locator('nav.pub-nav a[href="/bn/guide"]'));
    // Next without an answer: told so, on the same question.
    await go(page, page.locator('main form button[type=submit]'), 422);
    await page.locator('#guide-error').waitFor();
    await assertAccessible(page, 'guide question with an error in Bengali');
    for (const value of ['permit', 'expiring', 'yes', 'no']) {
      await page.locator(`main input[type=radio][value="${value}"]`).check();
      await go(page, page.locator('main form button[type=submit]'));
    }
    assert.match(await textOf(page.locator('main h1')), /\S/);
    assert.match(await textOf(page.locator('main')), /পাসপোর্ট/);
    await assertAccessible(page, 'guide checklist in Bengali');
    const pdf = await download(page, page.locator('a[href*="/guide/checklist.pdf"]'));
    assert.equal(pdf.bytes.subarray(0, 4).toString('latin1'), '%PDF');
    assert.match(pdf.name, /\.pdf$/);
  });
});

test('a mediator updates an out-of-date translation, another person publishes it', async () => {
  await withFreshPage(app, async (page) => {
    await open(page, '/fr/services/citizenship_residence');
    assert.match(await textOf(page.locator('main h1')), /Cittadinanza italiana per residenza/);

    await login(page, 'tanvir');
    await go(page, page.locator('nav a[href="/content"]'));
    await assertAccessible(page, 'content overview');
    await go(page, page.locator('a[href="/content/citizenship_residence/fr"]'));
    await page.locator('.source-changes ins').first().waitFor();
    await assertAccessible(page, 'translation editor with the Italian changes');
    await page.locator('#f-times').fill('24 mois au plus. Vous pouvez suivre la demande en ligne avec SPID.');
    await page.locator('#f-needs').fill(
      'Acte de naissance, traduit et légalisé.\nCasier judiciaire.\nCertificat de langue italienne B1.\nReçu de 250 euros.\nTimbre fiscal de 16 euros.\nCopie du titre de séjour.',
    );
    await page.locator('label[for="state-published"]').click();
    // Whoever writes a translation does not publish it.
    await go(page, page.locator('main form button[type=submit]'), 422);
    assert.equal(await page.locator('#f-times').inputValue(), '24 mois au plus. Vous pouvez suivre la demande en ligne avec SPID.');
    await page.locator('label[for="state-review"]').click();
    await go(page, page.locator('main form button[type=submit]'));
    await page.locator('.alert-success').waitFor();

    await signInAs(app, page, 'roberto');
    await open(page, '/content/citizenship_residence/fr');
    await page.locator('label[for="state-published"]').click();
    await go(page, page.locator('main form button[type=submit]'));
    await page.locator('.alert-success').waitFor();

    await open(page, '/fr/services/citizenship_residence');
    assert.doesNotMatch(await textOf(page.locator('main h1')), /Cittadinanza/);
    assert.match(await textOf(page.locator('main')), /suivre la demande en ligne avec SPID/);
  });
});
