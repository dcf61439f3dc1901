// The Red Cross hub for unaccompanied minors, as journey 5 goes (in Italian, the demo's
// language): at night the police bring Yonas, who says he is 16 and from Eritrea. Sara
// takes him in with the people register checked first; the legal clock starts with the
// notices due at once; she downloads the notice to the prosecutor as a PDF and records it
// as sent; the hub dashboard lists every minor, those with a term past due first.
// The demo seeds three minors at the hub: Ahmed Mahmoud (identification late), Bilal Khan
// (arrived yesterday, notices not sent) and Abdoulaye Camara (day 40 of 45).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { download, go, login, open, pathOf, signInAs, textOf, textsOf, useApp, withFreshPage } from './support/app.js';

const app = useApp();

const YONAS = 'Yonas Tesfamariam';

/** The hub dashboard's rows, as the names they link to, in order. */
async function dashboardNames(page) {
  return page.locator('.hub-table tbody tr td:first-child a').allInnerTexts();
}

describe('journey 5: a minor taken in at night and the legal clock', () => {
  test('the dashboard puts minors with a term past due before those with one due soon', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'sara');
      await go(page, page.locator('nav a[href="/minors"]'));
      const names = await dashboardNames(page);
      for (const n of ['Ahmed Mahmoud', 'Bilal Khan', 'Abdoulaye Camara']) {
        assert.ok(names.includes(n), `${n} is not on the dashboard: ${names.join(', ')}`);
      }
      // Red (Ahmed: identification late; Bilal: notices not sent) before amber (Abdoulaye).
      assert.ok(names.indexOf('Abdoulaye Camara') > names.indexOf('Bilal Khan'), `order: ${names.join(', ')}`);
      assert.ok(names.indexOf('Abdoulaye Camara') > names.indexOf('Ahmed Mahmoud'), `order: ${names.join(', ')}`);
      const ahmed = page.locator('.hub-table tbody tr', { hasText: 'Ahmed Mahmoud' });
      assert.ok((await textOf(ahmed)).includes('Identificazione'), `Ahmed's late identification is not shown: "${await textOf(ahmed)}"`);
    });
  });

  test('sara takes Yonas in, downloads the notice to the prosecutor and records it as sent', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'sara');
      await open(page, '/minors');
      await go(page, page.locator('main a[href="/minors/new"]'));
      assert.ok((await page.locator('#arrived_at').inputValue()).length > 0, 'the time of first contact is not set to now');
      await page.locator('#given_names').fill('Yonas');
      await page.locator('#family_name').fill('Tesfamariam');
      await page.locator('#sex').selectOption('male');
      await page.locator('#declared_age').fill('16');
      await page.locator('#nationality').fill('Eritrea');
      await page.locator('#languages').fill('ti');
      await page.locator('#contact_place').fill('Stazione Tiburtina');
      await page.locator('#brought_by_detail').fill('Polfer Tiburtina');
      await go(page, page.locator('main form [type=submit]'));
      assert.match(pathOf(page), /^\/minors\/[^/]+$/, `the intake ended on ${page.url()}`);
      assert.equal(await textOf(page.locator('main h1')), YONAS);
      assert.match(await textOf(page.locator('main .alert-success')), /Minore accolto/);

      const clock = page.locator('#clock');
      const prosecutor = await textOf(clock.locator('#term-notify_prosecutor'));
      assert.ok(prosecutor.includes('in scadenza'), `the notice is not due now: "${prosecutor}"`);
      assert.ok((await textOf(clock.locator('#term-first_reception'))).includes('DL 133/2023'), 'the 45-day rule does not give its basis');

      const pdf = await download(page, page.locator('#notifications a[href$="/notices/prosecutor.pdf"]'));
      assert.ok(pdf.bytes.subarray(0, 4).toString() === '%PDF', 'the notice is not a PDF');

      await page.locator('#recipient').selectOption('prosecutor');
      await page.locator('#reference').fill('PEC 1234/2026');
      await go(page, page.locator('#notifications form [type=submit]'));
      assert.match(await textOf(page.locator('main .alert-success')), /Invio registrato/);
      assert.ok((await textOf(page.locator('#term-notify_prosecutor'))).includes('concluso'), 'the notice is not done');
      assert.ok((await textsOf(page.locator('#notifications li'))).includes('PEC 1234/2026'));

      await open(page, '/minors');
      assert.ok((await dashboardNames(page)).includes(YONAS), 'Yonas is not on the dashboard');
    });
  });

  test('in the next days sara records the interview, the guardian and the health screening, and downloads the social file', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'sara');
      await open(page, '/minors');
      await go(page, page.locator('.hub-table a', { hasText: YONAS }));

      const interview = page.locator('#interviews');
      await interview.locator('#mediator').fill('Selam Tesfay, mediatrice tigrina');
      await interview.locator('#interview_language').fill('ti');
      await interview.locator('#staff').fill('Sara Esposito, assistente sociale');
      await interview.locator('#summary').fill('Partito da Asmara; vuole raggiungere uno zio in Germania.');
      await go(page, interview.locator('form [type=submit]'));
      assert.match(await textOf(page.locator('main .alert-success')), /Colloquio registrato/);
      assert.ok((await textOf(page.locator('#interviews'))).includes('Selam Tesfay'));

      // Maria Bianchi already follows two minors: a third is fine.
      const guardian = page.locator('#guardian');
      await guardian.locator('#guardian_id').selectOption({ label: 'Maria Bianchi (demo) (segue 2)' });
      await guardian.locator('#decree').fill('Decreto 1234/2026');
      await go(page, guardian.locator('form[action$="/guardian"] [type=submit]'));
      assert.match(await textOf(page.locator('main .alert-success')), /Nomina del tutore registrata/);
      assert.ok((await textOf(page.locator('#guardian'))).includes('Maria Bianchi (demo)'));

      const health = page.locator('#health');
      await health.locator('#by_whom').fill('INMP, ambulatorio');
      await go(page, health.locator('form [type=submit]'));
      assert.match(await textOf(page.locator('main .alert-success')), /Screening registrato/);

      const file = await download(page, page.locator('a[href$="/social-file.pdf"]'));
      assert.equal(file.bytes.subarray(0, 4).toString(), '%PDF', 'the social file is not a PDF');
    });
  });

  test('sara makes the census file for SIM and marks it sent', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'sara');
      await open(page, '/minors');
      await go(page, page.locator('main a[href="/minors/sim"]'));
      // Children's data: the file comes only inside an archive encrypted with her passphrase.
      await page.fill('#password', 'censimento settimanale');
      await page.fill('#password_again', 'censimento settimanale');
      const file = await download(page, page.locator('main form[action="/minors/sim/export"] [type=submit]'));
      assert.match(file.name, /^sim-.*\.zip$/);
      assert.equal(file.bytes.subarray(0, 2).toString('latin1'), 'PK', 'not a ZIP archive');
      assert.ok(!file.bytes.toString('latin1').includes(YONAS.split(' ')[1]), 'a name travels in clear');
      await open(page, '/minors/sim');
      await go(page, page.locator('main table form button').first());
      assert.match(await textOf(page.locator('main .alert-success')), /segnato come inviato/);
    });
  });

  test('a placement is suggested within the rules, the facility accepts and the transfer completes', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'sara');
      await open(page, '/minors');
      await go(page, page.locator('.hub-table a', { hasText: YONAS }));
      const minorPath = pathOf(page);
      await go(page, page.locator('#placement a[href$="/placement"]'));
      const offers = page.locator('#offers li.offer');
      const first = await textOf(offers.first());
      assert.ok(first.includes('Comunità Il Ponte'), `the community speaking Tigrinya is not first: "${first}"`);
      const adult = page.locator('#offers li.offer', { hasText: 'CAS Salaria' });
      assert.ok((await textOf(adult)).includes('solo perché ha almeno 16 anni'), 'the adult-centre section does not say why it is offered');
      assert.ok((await textOf(adult)).includes('al massimo fino al'), 'the adult-centre section does not show its limit');
      assert.equal(await page.locator('#offers li.offer', { hasText: 'Comunità Fiumicino' }).count(), 0, 'a full facility is offered');

      await offers.first().locator('input[name=note]').fill('Parla tigrino; ha uno zio a Roma.');
      await go(page, offers.first().locator('button[type=submit]'));
      assert.match(await textOf(page.locator('main .alert-success')), /Richiesta inviata/);

      await signInAs(app, page, 'anna');
      await go(page, page.locator('nav a[href="/transfers"]'));
      const request = page.locator('li.transfer', { hasText: YONAS });
      assert.ok((await textOf(request)).includes('ha uno zio a Roma'), 'the hub\'s note is not shared');
      await go(page, request.locator('form[action$="/accept"] button'));
      assert.match(await textOf(page.locator('main .alert-success')), /Trasferimento accettato/);

      await signInAs(app, page, 'sara');
      await open(page, `${minorPath}/placement`);
      await go(page, page.locator('#transfers form[action$="/complete"] button'));
      assert.equal(pathOf(page), minorPath);
      assert.match(await textOf(page.locator('main .alert-success')), /Trasferimento registrato/);
      await open(page, '/minors');
      assert.ok(!(await dashboardNames(page)).includes(YONAS), 'Yonas is still listed at the hub');
    });
  });

  test('an organisation without the hub cannot open a minor', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'chiara');
      assert.equal(await page.locator('nav a[href="/minors"]').count(), 0, 'the case worker is offered the hub');
      await open(page, '/minors', 403);
    });
  });
});
