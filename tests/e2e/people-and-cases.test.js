// The register of people and the cases, as the journeys go (in Italian, the demo's language):
// 1. the info point looks a young man up under another spelling and is warned that a
//    patronato has already registered him;
// 3. the info point opens a family reunification case for a mother, with its legal term,
//    and refers it to the Prefettura, which accepts it; an organisation with no part in the
//    case cannot open it.
// Each test makes what it needs (a case, a referral) through the pages themselves.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  go,
  login,
  open,
  pathOf,
  signInAs,
  textOf,
  useApp,
  withFreshPage,
} from './support/app.js';

const app = useApp();

const RAKIBUL = 'Mohammad Rakibul Islam';
const RAKIBUL_PATRONATO = 'Patronato Lavoro e Diritti – sede di Roma Termini';
const FATIMA = 'Fatima Zahra El Idrissi';
const INTEGRA = 'Programma Integra';
const PREFETTURA = 'Prefettura di Roma';
// Family reunification filed on 2026-11-02: 150 days (TUI art. 29 c. 8, as amended by DL
// 145/2024) run out on 2027-04-01.
const FILED_ON = '2026-11-02';
const LEGAL_TERM = '2027-04-01';

/** Fills the new-person form with the info point's spelling of Mohammad Rakibul Islam. */
async function fillMdRakibul(page) {
  await open(page, '/people/new');
  await page.locator('#given_names').fill('Md Rakibul');
  await page.locator('#family_name').fill('Islam');
  await page.locator('#birth_date').fill('2003');
  await page.locator('#nationality').fill('Bangladesh');
}

/** Checks that `#matches` names Mohammad Rakibul Islam and the patronato that registered him. */
async function assertRakibulProposed(page) {
  const matches = page.locator('#matches');
  const item = matches.locator('.match', { hasText: RAKIBUL });
  assert.equal(
    await item.count(),
    1,
    `the likely existing records do not show ${RAKIBUL} once: "${await textOf(matches)}"`,
  );
  assert.match(
    await textOf(matches.locator('h2')),
    /potrebbe essere già registrata/,
    'the warning that the person may already be registered',
  );
  const owner = await textOf(item.locator('.match-owner'));
  assert.ok(owner.includes(RAKIBUL_PATRONATO), `the match does not name the registering patronato: "${owner}"`);
}

/**
 * As the signed-in Programma Integra user: searches "Fatima" on /people and follows the link
 * of the result to her record.
 */
async function openFatimaFromSearch(page) {
  await open(page, '/people');
  await page.locator('#q').fill('Fatima');
  await go(page, page.locator('form[role=search] [type=submit]'));
  assert.equal(new URL(page.url()).searchParams.get('q'), 'Fatima');
  const result = page.locator('.match', { hasText: FATIMA });
  assert.equal(await result.count(), 1, `searching "Fatima" did not list ${FATIMA} once`);
  await go(page, result.locator('a[href^="/people/"]'));
  assert.match(pathOf(page), /^\/people\/[^/]+$/);
  assert.equal(await textOf(page.locator('main h1')), FATIMA);
}

/** From a person's record: opens a family reunification case filed on FILED_ON. */
async function openFamilyReunificationCase(page) {
  await go(page, page.locator('#cases a[href^="/cases/new?person="]'));
  assert.equal(pathOf(page), '/cases/new');
  await page.locator('#procedure').selectOption('family_reunification');
  await page.locator('#filed_on').fill(FILED_ON);
  await go(page, page.locator('main form[action="/cases"] [type=submit]'));
  assert.match(pathOf(page), /^\/cases\/[^/]+$/, `opening the case ended on ${page.url()}`);
  return new URL(page.url()).pathname;
}

/** On a case page: refers the case to `org` (by its name) with `note`. */
async function referTo(page, org, note) {
  await page.locator('#to_org').selectOption({ label: org });
  await page.locator('#note').fill(note);
  await go(page, page.locator('#referrals form [type=submit]'));
}

/** As giulia: Fatima's family reunification case, referred to the Prefettura. Its path. */
async function referredCase(page, note) {
  await signInAs(app, page, 'giulia');
  await openFatimaFromSearch(page);
  const casePath = await openFamilyReunificationCase(page);
  await referTo(page, PREFETTURA, note);
  assert.equal(pathOf(page), casePath);
  return casePath;
}

/** Checks the legal term shown on a case page: the date, and the rule it comes from. */
async function assertLegalTerm(page) {
  const section = page.locator('section[aria-labelledby="deadline-h"]');
  const text = await textOf(section);
  assert.ok(text.includes(LEGAL_TERM), `the legal term is not ${LEGAL_TERM}: "${text}"`);
  assert.ok(text.includes('DL 145/2024'), `the legal term does not give its basis (DL 145/2024): "${text}"`);
}

describe('journey 1: the info point is warned that the person is already registered', () => {
  test('giulia registering "Md Rakibul Islam" is shown Mohammad Rakibul Islam, registered by a patronato', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'giulia');
      await fillMdRakibul(page);
      await go(page, page.locator('form.person-form [type=submit]'));

      await assertRakibulProposed(page);
      // Nothing was registered: the form is shown again, as typed, with the confirmation
      // that this is someone else.
      assert.equal(await textOf(page.locator('main h1')), 'Registra una persona');
      assert.equal(await page.locator('#given_names').inputValue(), 'Md Rakibul');
      assert.equal(await page.locator('#family_name').inputValue(), 'Islam');
      assert.ok(await page.locator('#confirm_new').isVisible(), 'no checkbox to confirm a different person');
      assert.equal(await page.locator('#confirm_new').isChecked(), false);
      // The patronato's record is not Programma Integra's: it is not offered to open, but
      // access to it can be asked for.
      const item = page.locator('#matches .match', { hasText: RAKIBUL });
      assert.equal(await item.locator('a', { hasText: 'Apri il record' }).count(), 0, 'another organisation\'s record is offered to open');
      assert.equal(await item.locator('a.ask-access').count(), 1, 'no way to ask for access');
    });
  });

  test('the warning already appears while the form is being filled in', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'giulia');
      await fillMdRakibul(page);
      await page.locator('#nationality').blur();
      await page.locator('#matches .match', { hasText: RAKIBUL }).waitFor();
      await assertRakibulProposed(page);
      assert.equal(pathOf(page), '/people/new', 'the check should not leave the form');
    });
  });

  test('searching the register for the family name "Islam" finds Mohammad Rakibul Islam', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'giulia');
      await open(page, '/people?q=Islam');
      const results = page.locator('section[aria-labelledby="found-h"]');
      const item = results.locator('.match', { hasText: RAKIBUL });
      assert.equal(await item.count(), 1, `searching "Islam" did not list ${RAKIBUL}: "${await textOf(results)}"`);
      assert.ok((await textOf(item)).includes(RAKIBUL_PATRONATO), 'the result does not name the registering patronato');
    });
  });
});

describe('journey 3: a family reunification case referred to the Prefettura', () => {
  test('giulia opens a case for Fatima Zahra with its legal term and refers it to the Prefettura', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'giulia');
      await openFatimaFromSearch(page);
      const casePath = await openFamilyReunificationCase(page);

      assert.equal(await textOf(page.locator('main h1')), 'Ricongiungimento familiare (nulla osta)');
      assert.ok((await textOf(page.locator('main .lead'))).includes(FATIMA), 'the case does not name Fatima');
      assert.equal(await textOf(page.locator('main .alert-success')), 'Pratica aperta.');
      await assertLegalTerm(page);

      const note = 'Due figli minori in Marocco: verifica dei requisiti per il nulla osta.';
      await referTo(page, PREFETTURA, note);
      assert.equal(pathOf(page), casePath, 'the referral should come back to the case');
      assert.equal(await textOf(page.locator('main .alert-success')), 'Segnalazione inviata.');
      const referrals = await textOf(page.locator('#referrals ul').first());
      assert.ok(
        referrals.includes(`${INTEGRA} → ${PREFETTURA}: in attesa di risposta`),
        `the case does not list the referral waiting for an answer: "${referrals}"`,
      );

      // The record lists the case it now has.
      await go(page, page.locator('main .lead a[href^="/people/"]'));
      assert.equal(await page.locator(`#cases a[href="${casePath}"]`).count(), 1, 'the record does not list the case');
    });
  });

  test('marco sees the referral on /cases, accepts it and finds the legal term with its basis', async () => {
    await withFreshPage(app, async (page) => {
      const note = `Per la Prefettura, test ${Date.now()}`;
      const casePath = await referredCase(page, note);

      await signInAs(app, page, 'marco');
      await open(page, '/cases');
      const incoming = page.locator('section[aria-labelledby="incoming-h"] .match', { hasText: note });
      assert.equal(await incoming.count(), 1, 'the referral is not among those to accept on /cases');
      assert.ok((await textOf(incoming)).includes(INTEGRA), 'the referral does not say who sent it');
      assert.equal(await incoming.locator(`a[href="${casePath}"]`).count(), 1, 'the referral has no link to its case');

      await go(page, incoming.locator('form[action$="/accept"] [type=submit]'));
      assert.equal(pathOf(page), casePath, 'accepting should open the case');
      assert.equal(
        await textOf(page.locator('main .alert-success')),
        'Segnalazione accettata: la pratica è ora nel tuo elenco.',
      );

      // On the list: no longer to accept, and among the cases, from where marco opens it.
      await open(page, '/cases');
      assert.equal(
        await page.locator('section[aria-labelledby="incoming-h"] .match', { hasText: note }).count(),
        0,
        'the accepted referral is still among those to accept',
      );
      const row = page.locator('table tbody tr', { has: page.locator(`a[href="${casePath}"]`) });
      assert.equal(await row.count(), 1, 'the accepted case is not on marco\'s list');
      assert.ok((await textOf(row)).includes(LEGAL_TERM), `the list does not show the legal term ${LEGAL_TERM}`);
      await go(page, row.locator(`a[href="${casePath}"]`));
      assert.equal(pathOf(page), casePath);
      await assertLegalTerm(page);
      const referrals = await textOf(page.locator('#referrals ul').first());
      assert.ok(
        referrals.includes(`${INTEGRA} → ${PREFETTURA}: accettata`),
        `the case does not show the referral as accepted: "${referrals}"`,
      );
    });
  });

  test('sara (Red Cross) gets a 403 page on that case, with nothing of it shown', async () => {
    await withFreshPage(app, async (page) => {
      const casePath = await referredCase(page, `Per la Prefettura, test ${Date.now()}`);

      await signInAs(app, page, 'sara');
      await open(page, casePath, 403);
      assert.equal(await textOf(page.locator('main h1')), 'Accesso non consentito');
      const body = await textOf(page.locator('body'));
      assert.ok(!body.includes(FATIMA), 'the 403 page shows the person\'s name');
      assert.ok(!body.includes(LEGAL_TERM), 'the 403 page shows the case\'s legal term');
    });
  });
});
