// What a case gathers besides its status, and the pages that keep the catalogue, as the
// journeys go (in Italian, the demo's language):
// a. the info point adds a note to Fatima Zahra's family reunification case and plans an
//    appointment, which her week on /cases shows, then records that it took place;
// b. the info point uploads a PDF, downloads it back unchanged, is refused a file that only
//    calls itself .pdf, and removes the document;
// c. the Prefettura accepts the demo's referral and concludes it with an outcome, which the
//    info point then reads on the case;
// d. the case worker hands a new case over to the Prefettura (a transfer): once accepted,
//    Programma Integra can no longer open it; without the person's consent nothing is sent;
// e. the case worker downloads all of Fatima Zahra's data as a PDF;
// f. the administrator edits a procedure of the catalogue and adds a version of a legal term.
// The demo seeds Fatima Zahra's case, referred to the Prefettura, with a note and an
// appointment in three days; the tests run in this order on one server.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  download,
  go,
  login,
  open,
  pathOf,
  PDF_BYTES,
  signInAs,
  textOf,
  textsOf,
  useApp,
  withFreshPage,
} from './support/app.js';

const app = useApp();

const FATIMA = 'Fatima Zahra El Idrissi';
const AMINA = 'Amina Diallo';
const INTEGRA = 'Programma Integra';
const PREFETTURA = 'Prefettura di Roma';
const FAMILY_REUNIFICATION = 'Ricongiungimento familiare (nulla osta)';
// The note the demo's referral carries to the Prefettura.
const DEMO_REFERRAL_NOTE = 'Manca il certificato di idoneità alloggiativa (demo).';
const FORBIDDEN_TITLE = 'Accesso non consentito';

/** A day `days` from today, as `YYYY-MM-DD` (the browser's and the server's clock). */
function dayFromToday(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * As the signed-in Programma Integra user: from /cases, opens Fatima Zahra's family
 * reunification case (the demo's). Its path.
 */
async function openFatimaCaseFromList(page) {
  await open(page, '/cases');
  const row = page.locator('table tbody tr', { hasText: FATIMA }).filter({ hasText: FAMILY_REUNIFICATION });
  assert.equal(await row.count(), 1, `/cases does not list ${FATIMA}'s family reunification case once`);
  await go(page, row.locator('a[href^="/cases/"]'));
  assert.match(pathOf(page), /^\/cases\/[^/]+$/);
  assert.equal(await textOf(page.locator('main h1')), FAMILY_REUNIFICATION);
  assert.ok((await textOf(page.locator('main .lead'))).includes(FATIMA), 'the case does not name Fatima');
  return pathOf(page);
}

/** As the signed-in user: opens a person's record from the people list, by name. */
async function openPerson(page, name) {
  await open(page, '/people');
  await go(page, page.locator('table a[href^="/people/"]', { hasText: name }));
  assert.match(pathOf(page), /^\/people\/[^/]+$/);
  assert.equal(await textOf(page.locator('main h1')), name);
}

/** From a person's record: opens a case for the renewal of the residence permit. Its path. */
async function openPermitRenewalCase(page) {
  await go(page, page.locator('#cases a[href^="/cases/new?person="]', { hasText: 'Apri una pratica' }));
  assert.equal(pathOf(page), '/cases/new');
  await page.locator('#procedure').selectOption('permit_renewal');
  await page.locator('#filed_on').fill(dayFromToday(-7));
  await go(page, page.locator('main form[action="/cases"] [type=submit]'));
  assert.match(pathOf(page), /^\/cases\/[^/]+$/, `opening the case ended on ${page.url()}`);
  assert.equal(await textOf(page.locator('main .alert-success')), 'Pratica aperta.');
  return pathOf(page);
}

/** On a case page: asks `org` (by name) to take the case over, with `note`. */
async function requestTransfer(page, org, note, expectedStatus = 200) {
  const transfer = page.locator('#kind-transfer');
  assert.equal(await transfer.count(), 1, 'the owner of the case is not offered a transfer');
  // Bootstrap Italia draws the radio button in its label (the input itself is transparent):
  // one clicks the label.
  await page.locator('label[for="kind-transfer"]').click();
  assert.equal(await transfer.isChecked(), true, 'clicking "Un trasferimento" did not choose it');
  await page.locator('#to_org').selectOption({ label: org });
  await page.locator('#note').fill(note);
  await go(page, page.locator('#referrals form [type=submit]'), expectedStatus);
}

describe('journey a: notes and appointments of a case', () => {
  test('giulia adds a note to Fatima Zahra\'s case and finds it on the page', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'giulia');
      const casePath = await openFatimaCaseFromList(page);
      const notes = page.locator('#notes');
      assert.ok(
        (await textOf(notes.locator('.case-note'))).includes('manca l\'idoneità alloggiativa (demo)'),
        'the demo\'s note is not shown on the case',
      );
      assert.ok(
        (await textOf(notes.locator('.case-note').first())).includes('Chiara Neri'),
        'the demo\'s note should name the colleague who wrote it',
      );

      const body = `Telefonato alla signora: porterà il certificato di idoneità alloggiativa (test ${Date.now()}).`;
      await notes.locator('#body').fill(body);
      await go(page, notes.locator('button[type=submit]', { hasText: 'Aggiungi la nota' }));
      assert.equal(pathOf(page), casePath, 'adding a note should come back to the case');
      assert.equal(await textOf(page.locator('main .alert-success')), 'Nota aggiunta.');
      const note = page.locator('#notes .case-note', { hasText: body });
      assert.equal(await note.count(), 1, 'the new note is not shown once on the case');
      assert.ok((await textOf(note)).includes('Giulia Romano'), 'the note does not name its author');
      assert.equal(await page.locator('#body').inputValue(), '', 'the note field is not emptied once the note is added');
    });
  });

  test('giulia plans an appointment, sees it on the case and in the week on /cases, then marks it done', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'giulia');
      const casePath = await openFatimaCaseFromList(page);
      const day = dayFromToday(4);
      const when = `${day} 11:15`;
      const place = 'Sportello Programma Integra, via Merulana 100';
      const purpose = `Firma della domanda (test ${Date.now()})`;

      const section = page.locator('#appointments');
      await section.locator('#starts_at').fill(`${day}T11:15`);
      await section.locator('#place').fill(place);
      await section.locator('#purpose').fill(purpose);
      await go(page, section.locator('button[type=submit]', { hasText: 'Fissa l\'appuntamento' }));
      assert.equal(pathOf(page), casePath, 'planning an appointment should come back to the case');
      assert.equal(await textOf(page.locator('main .alert-success')), 'Appuntamento fissato.');
      const item = page.locator('#appointments li', { hasText: purpose });
      assert.equal(await item.count(), 1, 'the new appointment is not listed once on the case');
      const shown = await textOf(item);
      for (const part of [when, place, 'previsto']) {
        assert.ok(shown.includes(part), `the appointment does not show "${part}": "${shown}"`);
      }

      // The week ahead on /cases: the new appointment, with a link back to the case.
      await open(page, '/cases');
      const week = page.locator('section[aria-labelledby="appointments-h"]');
      assert.equal(await textOf(week.locator('h2')), 'Appuntamenti dei prossimi 7 giorni');
      const upcoming = week.locator('li', { hasText: purpose });
      assert.equal(await upcoming.count(), 1, `the week ahead does not list the appointment: "${await textOf(week)}"`);
      assert.ok((await textOf(upcoming)).includes(when), `the week ahead does not show ${when}`);
      assert.ok((await textOf(upcoming)).includes(FATIMA), 'the week ahead does not name the person');
      await go(page, upcoming.locator(`a[href="${casePath}#appointments"]`));
      assert.equal(pathOf(page), casePath);

      await go(page, page.locator('#appointments li', { hasText: purpose }).locator('button', { hasText: 'Svolto' }));
      assert.equal(pathOf(page), casePath);
      const done = page.locator('#appointments li', { hasText: purpose });
      assert.ok((await textOf(done)).includes('svolto'), `the appointment is not shown as done: "${await textOf(done)}"`);
      assert.equal(await done.locator('button').count(), 0, 'a done appointment still offers to be marked');

      // Done, it is no longer ahead.
      await open(page, '/cases');
      assert.equal(
        await page.locator('section[aria-labelledby="appointments-h"] li', { hasText: purpose }).count(),
        0,
        'the week ahead still lists the appointment marked done',
      );
    });
  });
});

describe('journey b: documents of a case', () => {
  test('giulia uploads a PDF, downloads it unchanged, is refused a fake PDF, and removes the document', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'giulia');
      const casePath = await openFatimaCaseFromList(page);
      const title = `Contratto di affitto (test ${Date.now()})`;
      const filename = 'contratto-affitto.pdf';

      const section = page.locator('#documents');
      await section.locator('#doc_title').fill(title);
      await section.locator('#file').setInputFiles({ name: filename, mimeType: 'application/pdf', buffer: PDF_BYTES });
      await go(page, section.locator('button[type=submit]', { hasText: 'Carica' }));
      assert.equal(pathOf(page), casePath, 'the upload should come back to the case');
      assert.equal(await textOf(page.locator('main .alert-success')), 'Documento caricato.');
      const item = page.locator('#documents li', { hasText: title });
      assert.equal(await item.count(), 1, 'the document is not listed once on the case');
      assert.ok((await textOf(item)).includes(filename), 'the document does not show its file name');

      const got = await download(page, item.locator('a', { hasText: title }));
      assert.equal(got.name, filename, 'the download does not keep the uploaded file\'s name');
      assert.ok(got.bytes.equals(PDF_BYTES), `the downloaded bytes differ from the uploaded ones (${got.bytes.length} bytes, ${PDF_BYTES.length} uploaded)`);

      // A file named .pdf whose bytes are no PDF (nor image) is refused, and the title typed stays.
      const fakeTitle = 'Passaporto (scansione)';
      await page.locator('#doc_title').fill(fakeTitle);
      await page.locator('#file').setInputFiles({
        name: 'passaporto.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('MZ\x90\x00 questo non è un PDF ma un eseguibile rinominato', 'latin1'),
      });
      await go(page, page.locator('#documents button[type=submit]', { hasText: 'Carica' }), 422);
      const alerts = await textsOf(page.locator('main [role=alert]'));
      assert.ok(
        alerts.includes('Sono accettati solo PDF, JPEG, PNG e WebP.'),
        `the refusal of the fake PDF is not explained: "${alerts}"`,
      );
      assert.equal(await page.locator('#doc_title').inputValue(), fakeTitle, 'the title typed is lost');
      assert.equal(
        await page.locator('#documents li', { hasText: 'passaporto.pdf' }).count(),
        0,
        'the refused file is listed among the documents',
      );

      await go(page, page.locator('#documents li', { hasText: title }).locator('button', { hasText: 'Rimuovi' }));
      assert.equal(pathOf(page), casePath);
      assert.equal(await textOf(page.locator('main .alert-success')), 'Documento rimosso.');
      assert.equal(await page.locator('#documents li', { hasText: title }).count(), 0, 'the removed document is still listed');
    });
  });
});

describe('journey c: the Prefettura concludes a referral with its outcome', () => {
  test('marco accepts the demo\'s referral, concludes it with an outcome, and giulia reads it on the case', async () => {
    await withFreshPage(app, async (page) => {
      const outcome = `Nulla osta rilasciato il ${dayFromToday(0)}; convocazione allo Sportello Unico.`;

      await signInAs(app, page, 'marco');
      await open(page, '/cases');
      const incoming = page.locator('section[aria-labelledby="incoming-h"] .match', { hasText: DEMO_REFERRAL_NOTE });
      assert.equal(await incoming.count(), 1, 'the demo\'s referral is not among those to accept on /cases');
      assert.ok((await textOf(incoming)).includes(INTEGRA), 'the referral does not say who sent it');
      await go(page, incoming.locator('form[action$="/accept"] button', { hasText: 'Accetta' }));
      const casePath = pathOf(page);
      assert.match(casePath, /^\/cases\/[^/]+$/, 'accepting should open the case');
      assert.equal(
        await textOf(page.locator('main .alert-success')),
        'Segnalazione accettata: la pratica è ora nel tuo elenco.',
      );
      // A helping organisation may refer the case on, not give it away.
      assert.equal(await page.locator('#kind-transfer').count(), 0, 'the Prefettura is offered to transfer a case it does not own');
      assert.equal(await page.locator('#kind-referral').count(), 0, 'the Prefettura is asked to choose among one kind of referral');

      const referral = page.locator('#referrals li', { hasText: `${INTEGRA} → ${PREFETTURA}` });
      assert.ok((await textOf(referral)).includes('accettata'), `the referral is not shown as accepted: "${await textOf(referral)}"`);
      await referral.getByLabel('Esito').fill(outcome);
      await go(page, referral.locator('button[type=submit]', { hasText: 'Concludi' }));
      assert.equal(pathOf(page), casePath);
      assert.equal(await textOf(page.locator('main .alert-success')), 'Segnalazione conclusa con il suo esito.');
      const concluded = await textOf(page.locator('#referrals li', { hasText: `${INTEGRA} → ${PREFETTURA}` }));
      assert.ok(concluded.includes('completata'), `the referral is not shown as completed: "${concluded}"`);
      assert.ok(concluded.includes(`Esito: ${outcome}`), `the referral does not show its outcome: "${concluded}"`);
      assert.equal(
        await page.locator('#referrals button', { hasText: 'Concludi' }).count(),
        0,
        'a concluded referral still offers to be concluded',
      );

      await signInAs(app, page, 'giulia');
      await open(page, casePath);
      const seen = await textOf(page.locator('#referrals li', { hasText: `${INTEGRA} → ${PREFETTURA}` }));
      assert.ok(seen.includes('completata'), `giulia does not see the referral as completed: "${seen}"`);
      assert.ok(seen.includes(`Esito: ${outcome}`), `giulia does not see the outcome: "${seen}"`);
      assert.equal(await page.locator('#referrals input[name=outcome]').count(), 0, 'the sender is offered to conclude the referral');
    });
  });
});

describe('journey d: a case handed over to the Prefettura', () => {
  test('chiara transfers a new case of Fatima Zahra; once marco accepts, Programma Integra gets 403 on it', async () => {
    await withFreshPage(app, async (page) => {
      const note = `Rinnovo da seguire in Prefettura (test ${Date.now()})`;

      await signInAs(app, page, 'chiara');
      await openPerson(page, FATIMA);
      const casePath = await openPermitRenewalCase(page);
      assert.equal(await page.locator('#kind-referral').isChecked(), true, 'a referral (not a transfer) should be the default');
      await requestTransfer(page, PREFETTURA, note);
      assert.equal(pathOf(page), casePath, 'the transfer request should come back to the case');
      assert.equal(
        await textOf(page.locator('main .alert-success')),
        'Richiesta di trasferimento inviata: la pratica passa all\'altra organizzazione quando la accetta.',
      );
      const requested = await textOf(page.locator('#referrals li', { hasText: PREFETTURA }));
      assert.ok(
        requested.includes(`Trasferimento ${INTEGRA} → ${PREFETTURA}: in attesa di risposta`),
        `the case does not list the transfer waiting for an answer: "${requested}"`,
      );

      await signInAs(app, page, 'marco');
      await open(page, '/cases');
      const incoming = page.locator('section[aria-labelledby="incoming-h"] .match', { hasText: note });
      assert.equal(await incoming.count(), 1, 'the transfer is not among those to accept on /cases');
      assert.ok((await textOf(incoming)).includes('Trasferimento'), 'the request is not marked as a transfer');
      await go(page, incoming.locator('form[action$="/accept"] button', { hasText: 'Accetta' }));
      assert.equal(pathOf(page), casePath, 'accepting should open the case');
      // Now the Prefettura's case: it may hand it over in turn.
      assert.ok(
        (await textOf(page.locator('main .lead'))).includes(PREFETTURA),
        'the case does not name the Prefettura as its organisation',
      );
      assert.equal(await page.locator('#kind-transfer').count(), 1, 'the new owner is not offered a transfer');

      for (const who of ['chiara', 'giulia']) {
        await signInAs(app, page, who);
        await open(page, casePath, 403);
        assert.equal(await textOf(page.locator('main h1')), FORBIDDEN_TITLE, `${who} is not shown the 403 page`);
        const body = await textOf(page.locator('body'));
        assert.ok(!body.includes(FATIMA), `the 403 page shows the person's name to ${who}`);
      }
      // Nor is the case on the list of Programma Integra any longer.
      await open(page, '/cases');
      assert.equal(await page.locator(`a[href="${casePath}"]`).count(), 0, 'the transferred case is still on giulia\'s list');
    });
  });

  test('chiara cannot transfer a case of Amina Diallo, who gave no consent to share', async () => {
    await withFreshPage(app, async (page) => {
      await signInAs(app, page, 'chiara');
      await openPerson(page, AMINA);
      const casePath = await openPermitRenewalCase(page);
      const note = `Trasferimento senza consenso (test ${Date.now()})`;
      await requestTransfer(page, PREFETTURA, note, 422);
      const alerts = await textsOf(page.locator('main [role=alert]'));
      assert.ok(
        alerts.includes('La persona non ha dato il consenso alla condivisione per segnalazione'),
        `the refusal does not name the missing consent: "${alerts}"`,
      );
      // What was typed stays, transfer included.
      assert.equal(await page.locator('#kind-transfer').isChecked(), true, 'the choice of a transfer is lost');
      assert.equal(await page.locator('#note').inputValue(), note);

      await open(page, casePath);
      assert.equal(await textOf(page.locator('#referrals > p').first()), 'Nessuna segnalazione.');
    });
  });
});

describe('journey e: all of a person\'s data as a PDF', () => {
  test('chiara downloads "Scarica tutti i dati (PDF)" from Fatima Zahra\'s record and gets a PDF', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'chiara');
      await openPerson(page, FATIMA);
      const link = page.locator('#rights a', { hasText: 'Scarica tutti i dati (PDF)' });
      assert.equal(await link.count(), 1, 'the record has no "Scarica tutti i dati (PDF)" link');
      assert.match(await link.getAttribute('href'), /^\/people\/[^/]+\/export\.pdf$/);
      assert.equal(
        await page.locator('#rights a', { hasText: 'Scarica tutti i dati (JSON)' }).count(),
        1,
        'the JSON export is no longer offered beside the PDF',
      );

      const got = await download(page, link);
      assert.equal(got.bytes.subarray(0, 5).toString('latin1'), '%PDF-', `the download is not a PDF: starts with ${JSON.stringify(got.bytes.subarray(0, 8).toString('latin1'))}`);
      assert.match(got.name, /\.pdf$/, `the downloaded file is named ${got.name}`);
      assert.ok(got.bytes.length > 1000, `the PDF is suspiciously small (${got.bytes.length} bytes)`);
    });
  });
});

describe('journey f: the catalogue of procedures and the legal terms', () => {
  test('roberto renames a procedure in English from "Catalogo" and finds his version among those saved', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'roberto');
      await go(page, page.locator('nav.app-nav a', { hasText: 'Catalogo' }));
      assert.equal(pathOf(page), '/admin/catalogue');
      assert.equal(await textOf(page.locator('main h1')), 'Catalogo dei procedimenti');

      await go(page, page.locator('table a', { hasText: 'Cittadinanza per matrimonio' }));
      assert.equal(pathOf(page), '/admin/catalogue/citizenship_marriage');
      assert.equal(await page.locator('#code').inputValue(), 'citizenship_marriage');
      assert.equal(await page.locator('#name_en').inputValue(), 'Citizenship by marriage (art. 5 L. 91/1992)');
      const renamed = 'Citizenship through marriage (art. 5 L. 91/1992)';
      await page.locator('#name_en').fill(renamed);
      await go(page, page.locator('main form button[type=submit]', { hasText: 'Salva' }));
      assert.equal(pathOf(page), '/admin/catalogue/citizenship_marriage');
      assert.equal(await textOf(page.locator('main .alert-success')), 'Modifiche salvate.');
      assert.equal(await page.locator('#name_en').inputValue(), renamed, 'the new English name is not kept');
      assert.equal(
        await page.locator('#name_it').inputValue(),
        'Cittadinanza per matrimonio (art. 5 L. 91/1992)',
        'the Italian name changed',
      );

      const versions = page.locator('section[aria-labelledby="versions-h"]');
      assert.equal(await textOf(versions.locator('h2')), 'Versioni salvate');
      const latest = await textOf(versions.locator('li').first());
      assert.ok(latest.includes('Versione 2') && latest.includes('Roberto Conti'), `the latest saved version is not roberto's second: "${latest}"`);
      const seeded = await textOf(versions.locator('li').last());
      assert.ok(seeded.includes('Versione 1') && seeded.includes('catalogo iniziale'), `the seeded version is not kept: "${seeded}"`);

      // Saving again without a change makes no new version.
      await go(page, page.locator('main form button[type=submit]', { hasText: 'Salva' }));
      assert.equal(await textOf(page.locator('main .alert-success')), 'Nessuna modifica: la versione in vigore resta la stessa.');
      assert.equal(await versions.locator('li').count(), 2, 'an unchanged save made a version');
    });
  });

  test('roberto adds a future version of the family reunification term, which closes the one in force', async () => {
    await withFreshPage(app, async (page) => {
      await login(page, 'roberto');
      await open(page, '/admin/catalogue');
      await go(page, page.locator('main a[href="/admin/legal-rules"]', { hasText: 'Regole dei termini di legge' }));
      assert.equal(pathOf(page), '/admin/legal-rules');

      const year = new Date().getFullYear() + 2;
      const validFrom = `${year}-01-01`;
      const basis = `Ipotetica legge ${year} (test e2e)`;
      const inForce = page.locator('table tbody tr', { hasText: 'DL 145/2024' });
      assert.equal(await inForce.count(), 1, 'the term in force for family reunification (DL 145/2024) is not listed');
      assert.ok((await textOf(inForce)).includes('2024-10-11 → in vigore'), `the term in force is not open-ended: "${await textOf(inForce)}"`);

      await page.locator('#code').fill('family_reunification_decision');
      await page.locator('#days').fill('120');
      await page.locator('#basis').fill(basis);
      await page.locator('#valid_from').fill(validFrom);
      await go(page, page.locator('main form button[type=submit]', { hasText: 'Aggiungi la versione' }));
      assert.equal(pathOf(page), '/admin/legal-rules');
      assert.equal(await textOf(page.locator('main .alert-success')), 'Creato.');

      const added = page.locator('table tbody tr', { hasText: basis });
      assert.equal(await added.count(), 1, 'the new version is not listed');
      const addedText = await textOf(added);
      for (const part of ['family_reunification_decision', '120 giorni', `${validFrom} → in vigore`]) {
        assert.ok(addedText.includes(part), `the new version does not show "${part}": "${addedText}"`);
      }
      const closed = await textOf(page.locator('table tbody tr', { hasText: 'DL 145/2024' }));
      assert.ok(
        closed.includes(`2024-10-11 → ${year - 1}-12-31`),
        `the previous version does not end the day before ${validFrom}: "${closed}"`,
      );
    });
  });
});
