// Work that moves between organisations and people, walked in the browser (in Italian):
// - journey 1 end to end: Giulia (info point) finds Mohammad Rakibul Islam, registered by the
//   patronato, asks for access to open a permit renewal; Luca grants it from his inbox;
//   Giulia opens the record and the case on it, and no second record exists. A second run
//   where Luca refuses shows Giulia the reason;
// - the inbox and the header's count: Anna (Il Faro) with a transfer to answer, Sara (the
//   hub) told of its acceptance, Chiara with the task Marco gave her on a referred case;
// - every demo role's home page: live cards, none announcing a module "in preparazione".

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  assertAccessible,
  DEMO_USERS,
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
const PATRONATO = 'Patronato Lavoro e Diritti – sede di Roma Termini';

/** The number in the header's "Da fare" link. */
async function headerCount(page) {
  return Number(await textOf(page.locator('header .inbox-link .inbox-count')));
}

/** Opens the inbox from the header, as a person would. */
async function openInbox(page) {
  await go(page, page.locator('header a.inbox-link'));
  assert.equal(pathOf(page), '/inbox');
}

/** The open inbox item whose text holds `text`. */
function inboxItem(page, text) {
  return page.locator('section[aria-labelledby="open-h"] li.inbox-item', { hasText: text });
}

describe('journey 1: the info point asks the patronato for a record instead of registering it twice', () => {
  test('giulia asks for access, luca grants it from his inbox, giulia opens the record and a renewal on it', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'giulia');
      await open(page, '/people');
      await page.locator('#q').fill('Md Rakibul Islam');
      await go(page, page.locator('form[role=search] [type=submit]'));
      const result = page.locator('section[aria-labelledby="found-h"] .match', { hasText: RAKIBUL });
      assert.equal(await result.count(), 1, 'the search does not list Mohammad Rakibul Islam once');
      assert.ok((await textOf(result)).includes(PATRONATO), 'the result does not name the patronato');
      // Not hers to open: the result asks for access.
      await go(page, result.locator('a.ask-access'), 403);
      const personPath = pathOf(page);
      assert.equal(await textOf(page.locator('main h1')), RAKIBUL);
      await assertAccessible(page, 'record of another organisation');
      await page.locator('#purpose').selectOption('open_case');
      await page.locator('#procedure_code').selectOption('permit_renewal');
      await page.locator('#note').fill('È allo sportello della stazione con il permesso in scadenza.');
      await go(page, page.locator('form.access-form [type=submit]'), 403);
      assert.match(await textOf(page.locator('main .alert-success')), /Richiesta inviata/);
      assert.match(await textOf(page.locator('.access-state')), /in attesa di risposta/);

      // Luca, at the patronato, sees it counted in the header and waiting in his inbox.
      await signInAs(app, page, 'luca');
      assert.ok((await headerCount(page)) >= 1, 'the header counts nothing for luca');
      await openInbox(page);
      await assertAccessible(page, 'inbox');
      const item = inboxItem(page, `Programma Integra chiede l'accesso al record di ${RAKIBUL}`);
      assert.equal(await item.count(), 1, `the request is not in luca's inbox: ${await textOf(page.locator('main'))}`);
      await go(page, item.locator('a'));
      assert.match(pathOf(page), /^\/access-requests\/[^/]+$/);
      assert.match(await textOf(page.locator('main dl')), /Aprire una pratica: Permesso di soggiorno: rinnovo/);
      await assertAccessible(page, 'access request to answer');
      await go(page, page.locator('form[action$="/grant"] [type=submit]'));
      assert.match(await textOf(page.locator('main .alert-success')), /Accesso concesso/);
      await openInbox(page);
      assert.equal(await inboxItem(page, RAKIBUL).count(), 0, 'the answered request is still waiting');

      // Giulia is told, and the record opens for her at once.
      await signInAs(app, page, 'giulia');
      await openInbox(page);
      const told = inboxItem(page, `ha concesso l'accesso al record di ${RAKIBUL}`);
      assert.equal(await told.count(), 1, 'giulia is not told of the grant');
      await go(page, told.locator('a'));
      assert.equal(pathOf(page), personPath);
      assert.equal(await textOf(page.locator('main h1')), RAKIBUL);
      assert.match(await textOf(page.locator('main .access-via')), /Accesso concesso da Patronato/);

      // She opens the renewal on the very record.
      await go(page, page.locator('#cases a[href^="/cases/new?person="]'));
      await page.locator('#procedure').selectOption('permit_renewal');
      await go(page, page.locator('main form[action="/cases"] [type=submit]'));
      assert.match(pathOf(page), /^\/cases\/[^/]+$/);
      assert.equal(await textOf(page.locator('main .alert-success')), 'Pratica aperta.');
      assert.ok((await page.locator('.checklist li').count()) > 0, 'no checklist of documents');

      // One record only.
      await open(page, '/people?q=Islam');
      const all = page.locator('section[aria-labelledby="found-h"] .match', { hasText: 'Rakibul' });
      assert.equal(await all.count(), 1, 'a second record of Rakibul exists');
    });
  });

  test('when luca refuses, giulia reads his reason on the record\'s page', async () => {
    await withFreshPage(app, async (page) => {
      // The demo's request of Programma Integra for Aliou Ndiaye waits for the patronato.
      await login(page, 'luca');
      await openInbox(page);
      const item = inboxItem(page, 'Aliou Ndiaye');
      assert.equal(await item.count(), 1, 'the demo request for Aliou Ndiaye is not in the inbox');
      await go(page, item.locator('a'));
      const reason = 'Lo seguiamo già noi per il ricongiungimento: chiamateci.';
      await page.locator('#reason').fill(reason);
      await go(page, page.locator('form[action$="/refuse"] [type=submit]'));
      assert.match(await textOf(page.locator('main .alert-success')), /Richiesta rifiutata/);

      await signInAs(app, page, 'giulia');
      await open(page, '/people?q=Aliou+Ndiaye');
      await go(page, page.locator('.match a.ask-access'), 403);
      const state = await textOf(page.locator('.access-state'));
      assert.match(state, /Accesso rifiutato/);
      assert.ok(state.includes(reason), `the reason is not shown: "${state}"`);
      assert.ok(!(await textOf(page.locator('main'))).includes('wo, fr'), 'the record shows before access');
    });
  });
});

describe('the inbox: work that passes from one person to another', () => {
  test('anna finds the hub\'s transfer request in her inbox, accepts it, and sara is told', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'anna');
      const before = await headerCount(page);
      assert.ok(before >= 1, 'the header counts nothing for anna');
      await openInbox(page);
      const item = inboxItem(page, 'Richiesta di trasferimento da Croce Rossa');
      assert.ok((await item.count()) >= 1, `no transfer request in anna's inbox: ${await textOf(page.locator('main'))}`);
      const text = await textOf(item.first());
      const minor = text.split(': ')[1].split(' (')[0];
      await go(page, item.first().locator('a'));
      assert.equal(pathOf(page), '/transfers');
      const request = page.locator('li.transfer', { hasText: minor });
      await go(page, request.locator('form[action$="/accept"] button'));
      assert.match(await textOf(page.locator('main .alert-success')), /Trasferimento accettato/);
      assert.equal(await headerCount(page), before - 1, 'the answered request still counts');

      await signInAs(app, page, 'sara');
      await openInbox(page);
      const told = inboxItem(page, `Trasferimento di ${minor} accettato`);
      assert.equal(await told.count(), 1, `sara is not told: ${await textOf(page.locator('main'))}`);
      // A notice is marked as read, and the count follows.
      const count = await headerCount(page);
      await go(page, told.locator('form button'));
      assert.equal(await headerCount(page), count - 1);
    });
  });

  test('marco reads a referral\'s summary, accepts it and gives chiara a task, which she finds at home and in her inbox', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'marco');
      await openInbox(page);
      const item = inboxItem(page, 'Segnalazione da Programma Integra: Fatima Zahra El Idrissi');
      assert.equal(await item.count(), 1, 'the demo referral is not in marco\'s inbox');
      await go(page, item.locator('a'));
      // Before accepting: the summary, not the notes.
      assert.match(await textOf(page.locator('main .alert-info')), /solo la sintesi/);
      const body = await textOf(page.locator('main'));
      assert.ok(body.includes('Manca il certificato di idoneità alloggiativa'), 'what is asked is not shown');
      assert.ok(!body.includes('buste paga'), 'a note of the case shows before acceptance');
      await go(page, page.locator('#referrals form[action$="/accept"] [type=submit]'));
      assert.ok((await textOf(page.locator('#notes'))).includes('buste paga'), 'the notes do not open on acceptance');

      const task = `Portare il certificato di idoneità alloggiativa (${Date.now()})`;
      await page.locator('#title').fill(task);
      await page.locator('#assignee').selectOption({ label: 'Chiara Neri — Programma Integra' });
      await go(page, page.locator('#tasks form[action$="/tasks"] [type=submit]'));
      assert.ok((await textOf(page.locator('#tasks'))).includes('per Chiara Neri'), 'the task does not name chiara');

      await signInAs(app, page, 'chiara');
      assert.ok((await headerCount(page)) >= 1);
      const home = await textOf(page.locator('section[aria-labelledby="waiting-h"]'));
      assert.ok(home.includes(task), `the task is not on chiara's home page: "${home}"`);
      await openInbox(page);
      assert.equal(await inboxItem(page, task).count(), 1, 'the task is not in chiara\'s inbox');
    });
  });
});

describe('home pages', () => {
  for (const user of DEMO_USERS) {
    test(`${user.username}'s home shows live cards and nothing "in preparazione"`, async () => {
      await withFreshPage(app, async (page) => {
        await login(page, user.username);
        const main = await textOf(page.locator('main'));
        assert.ok(!/in preparazione|in preparation/i.test(main), `a card announces a module to come: "${main}"`);
        const cards = page.locator('.home-card');
        assert.ok((await cards.count()) > 0, 'no cards');
        for (const card of await cards.all()) {
          assert.equal(await card.locator('h3 a[href]').count(), 1, `a card links nowhere: "${await textOf(card)}"`);
        }
        await page.locator('header .inbox-link').waitFor();
      });
    });
  }
});
