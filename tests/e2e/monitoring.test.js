// Reception-centre monitoring, as journey 6 goes (in Italian, the demo's language): Paolo's
// planning page puts CAS Via Casilina first (not inspected for 14 months, over capacity, two
// critical events). He inspects it unannounced on his phone (a 390-pixel-wide window): the
// answers are saved as he gives them, survive a reload and a lost connection, a photo goes
// on an item, two findings (mediation, diets) get 30-day corrective actions, and closing
// freezes the report with its hash. Anna, the centre's manager, answers both with evidence;
// Paolo verifies one and reopens the other. Bruno, who runs another centre, sees none of it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertAccessible, download, go, login, open, pathOf, signInAs, textOf, textsOf, useApp, withFreshPage } from './support/app.js';

const app = useApp();

// A one-pixel PNG: what the phone's camera sends, as far as the type check goes.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082',
  'hex',
);

const PHONE = { width: 390, height: 844 };
let inspectionPath = '';
const actionPaths = [];

/** Waits until the page's script has sent every answer (the status line says so). */
async function allSaved(page) {
  await page.locator('#save-status', { hasText: 'Tutte le risposte sono salvate' }).waitFor();
}

/** Taps an answer of a yes/no item and waits for the server to acknowledge it. */
async function tap(page, item, value) {
  const saved = page.waitForResponse((r) => r.url().endsWith('/answer') && r.request().method() === 'POST');
  await page.locator(`label[for="v-${item}-${value}"]`).click();
  const res = await saved;
  assert.equal(res.status(), 200, `saving ${item}=${value} answered ${res.status()}`);
}

async function checked(page, item) {
  return page.locator(`input[name="v-${item}"]:checked`).evaluate((e) => e.value).catch(() => '');
}

describe('journey 6: an inspection on a phone, findings answered by the centre and verified', () => {
  test('paolo inspects the riskiest centre on a phone and loses no answer on reload or without signal', async () => {
    await withFreshPage(app, async (page) => {
      await page.setViewportSize(PHONE);
      await login(page, 'paolo');
      await go(page, page.locator('nav a[href="/inspections"]'));
      await go(page, page.locator('main a[href="/monitoring/planning"]'));
      const first = page.locator('.ranking > li').first();
      assert.match(await textOf(first.locator('h2')), /CAS Via Casilina/);
      const why = await textOf(first.locator('.reasons'));
      assert.match(why, /14 mesi dall'ultima visita/);
      assert.match(why, /2 eventi critici/);
      assert.match(why, /% della capienza/);
      await go(page, first.locator('a', { hasText: "Pianifica un'ispezione" }));
      assert.equal(await page.locator('#centre_id option:checked').innerText(), 'CAS Via Casilina (demo) (CAS-RM-0101)');
      await page.locator('label[for="kind-unannounced"]').click();
      await page.locator('#planned_on').fill(new Date().toISOString().slice(0, 10));
      await go(page, page.locator('main form [type=submit]'));
      assert.match(pathOf(page), /^\/inspections\/[^/]+$/);
      inspectionPath = pathOf(page);
      await assertAccessible(page, 'inspection checklist on a phone');

      // The checklist of the 2021 contract: psychological support is on it.
      assert.ok(await page.locator('#h-psychological').isVisible(), 'the 2021 contract requires psychological support');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= PHONE.width, `the checklist is ${width}px wide on a ${PHONE.width}px phone`);

      await tap(page, 'tpl-2021-1-01', 'yes');
      await tap(page, 'tpl-2021-1-03', 'no');
      await tap(page, 'tpl-2021-1-05', 'yes');
      const staff = page.locator('#v-tpl-2021-1-17');
      const staffSaved = page.waitForResponse((r) => r.url().endsWith('/answer'));
      await staff.fill('85');
      await staff.blur();
      assert.equal((await staffSaved).status(), 200);
      await allSaved(page);

      // Reloading mid-way loses nothing.
      await page.reload();
      assert.equal(await checked(page, 'tpl-2021-1-01'), 'yes');
      assert.equal(await checked(page, 'tpl-2021-1-03'), 'no');
      assert.equal(await checked(page, 'tpl-2021-1-05'), 'yes');
      assert.equal(await staff.inputValue(), '85');

      // In the basement the connection drops: the answer stays on the phone, survives a
      // reload, and goes out when the signal returns.
      await page.route('**/answer', (route) => route.abort('internetdisconnected'));
      await page.locator('label[for="v-tpl-2021-1-14-no"]').click();
      await page.locator('#save-status', { hasText: 'Nessuna connessione' }).waitFor();
      await page.reload();
      assert.equal(await checked(page, 'tpl-2021-1-14'), 'no', 'the answer given without signal was lost on reload');
      await page.unroute('**/answer');
      const back = page.waitForResponse((r) => r.url().endsWith('/answer'));
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      assert.equal((await back).status(), 200);
      await allSaved(page);
      await page.evaluate(() => localStorage.clear());
      await page.reload();
      assert.equal(await checked(page, 'tpl-2021-1-14'), 'no', 'the answer did not reach the server');

      // The rest of the checklist: everything else is fine.
      const unanswered = await page.locator('.sheet-item[data-kind="yes_no"]').evaluateAll((els) =>
        els.filter((e) => !e.querySelector('input:checked')).map((e) => e.dataset.item),
      );
      for (const item of unanswered) await tap(page, item, 'yes');
      for (const item of ['tpl-2021-1-02', 'tpl-2021-1-04', 'tpl-2021-1-10']) {
        const saved = page.waitForResponse((r) => r.url().endsWith('/answer'));
        await page.locator(`#v-${item}`).fill('12');
        await page.locator(`#v-${item}`).blur();
        assert.equal((await saved).status(), 200);
      }
      await allSaved(page);

      // A photo of the toilets, on its item.
      await page.locator('#file-tpl-2021-1-13').setInputFiles({ name: 'bagni.png', mimeType: 'image/png', buffer: PNG });
      await go(page, page.locator('button[form="ev-tpl-2021-1-13"]'));
      assert.match(await textOf(page.locator('#i-tpl-2021-1-13')), /bagni\.png/);

      // Two findings, each with a corrective action in 30 days.
      for (const [item, what, action] of [
        ['tpl-2021-1-03', 'Nessuna ora di mediazione nell\'ultimo mese', 'Attivare la mediazione in tigrino e arabo'],
        ['tpl-2021-1-14', 'Nessun menù per diete religiose o sanitarie', 'Predisporre menù alternativi e registrarli'],
      ]) {
        await page.locator('#findings summary').click();
        await page.locator('#item_id').selectOption(item);
        await page.locator('label[for="sev-major"]').click();
        await page.locator('#description').fill(what);
        await page.locator('#action_required').fill(action);
        assert.equal(await page.locator('#due_days').inputValue(), '30');
        await go(page, page.locator('#findings form[action$="/findings"] [type=submit]'));
      }
      assert.equal(await page.locator('#findings li.finding').count(), 2);

      await page.locator('#summary').fill('Visita senza preavviso: mediazione assente, menù per diete mancanti.');
      await go(page, page.locator('#close [type=submit]').first());
      assert.match(await textOf(page.locator('main .integrity')), /Contenuto verificato/);
      const hash = await textOf(page.locator('main .integrity code'));
      assert.match(hash, /^[0-9a-f]{64}$/);
      const pdf = await download(page, page.locator('main a[href$="/report.pdf"]'));
      assert.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.match(await textsOf(page.locator('main')), /Nessuna ora di mediazione/);
    });
  });

  test('anna answers both findings with evidence; bruno of another centre sees none of it', async () => {
    assert.ok(inspectionPath, 'the inspection of the first test is missing');
    await withFreshPage(app, async (page) => {
      await page.setViewportSize(PHONE);
      await signInAs(app, page, 'anna');
      await go(page, page.locator('nav a[href="/actions"]'));
      const links = page.locator('main table a[href^="/actions/"]');
      const texts = await links.allInnerTexts();
      assert.ok(texts.some((t) => t.includes('mediazione')), `anna's actions: ${texts.join(' | ')}`);
      for (const what of ['mediazione', 'diete']) {
        await open(page, '/actions');
        await go(page, page.locator('main table a', { hasText: what }));
        actionPaths.push(pathOf(page));
        await page.locator('#answer-body').fill(`Fatto: ${what} (foto allegata).`);
        await page.locator('#answer-file').setInputFiles({ name: `${what}.png`, mimeType: 'image/png', buffer: PNG });
        await go(page, page.locator('form[action$="/answer"] [type=submit]'));
        assert.equal(await textOf(page.locator('#action-status')), 'Risposta data, da verificare');
        assert.match(await textOf(page.locator('.timeline')), new RegExp(`${what}\\.png`));
      }
      await open(page, inspectionPath);
      assert.match(await textOf(page.locator('main .integrity')), /Contenuto verificato/);

      await signInAs(app, page, 'bruno');
      await open(page, '/actions');
      assert.doesNotMatch(await textsOf(page.locator('main')), /mediazione|Casilina/);
      await open(page, '/centres');
      assert.doesNotMatch(await textsOf(page.locator('main')), /Casilina/);
      await open(page, actionPaths[0], 404);
      await open(page, inspectionPath, 404);
    });
  });

  test('paolo verifies one answer and reopens the other with a new deadline', async () => {
    assert.equal(actionPaths.length, 2, 'the answers of the previous test are missing');
    await withFreshPage(app, async (page) => {
      await signInAs(app, page, 'paolo');
      await open(page, actionPaths[0]);
      await go(page, page.locator('form[action$="/verify"] [type=submit]'));
      assert.equal(await textOf(page.locator('#action-status')), 'Verificata');
      await open(page, actionPaths[1]);
      await page.locator('#reopen-body').fill('Il menù non indica le diete sanitarie.');
      const due = new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10);
      await page.locator('#reopen-due').fill(due);
      await go(page, page.locator('form[action$="/reopen"] [type=submit]'));
      assert.equal(await textOf(page.locator('#action-status')), 'Aperta');
      assert.match(await textOf(page.locator('.timeline')), new RegExp(due));
    });
  });
});
