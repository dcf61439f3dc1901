// The pages of the application that the accessibility and page-health tests visit, and how
// to reach each one as a person would (signed in as whom, through which link).

import assert from 'node:assert/strict';

import { htmlLangDir, login, pathOf, PDF_BYTES } from './app.js';

/** Clicks a link and waits for the page it opens; checks that page's HTTP status. */
async function follow(page, link, expectedStatus = 200) {
  await link.first().waitFor();
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.first().click()]);
  assert.ok(res, 'the link opened no page');
  assert.equal(res.status(), expectedStatus, `${page.url()} answered ${res.status()}, expected ${expectedStatus}`);
}

/** Submits a form with its button and waits for the page that answers; checks its status. */
async function submit(page, button, expectedStatus = 200) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.first().click()]);
  assert.ok(res, 'the form opened no page');
  assert.equal(res.status(), expectedStatus, `${page.url()} answered ${res.status()}, expected ${expectedStatus}`);
}

/** From the people list of a Programma Integra user, the record of Fatima Zahra El Idrissi. */
async function openFatima(page) {
  await follow(page, page.locator('table a[href^="/people/"]', { hasText: 'Fatima Zahra El Idrissi' }));
  assert.match(pathOf(page), /^\/people\/[^/]+$/);
}

/**
 * From /cases of a Programma Integra user, the demo's case of Fatima Zahra (family
 * reunification), through its appointment in the week ahead: other pages open cases of the
 * same person and procedure, which the table cannot tell apart.
 */
async function openDemoCase(page) {
  const week = page.locator('section[aria-labelledby="appointments-h"] li', { hasText: 'Consegna dei documenti originali (demo)' });
  await follow(page, week.locator('a[href^="/cases/"]'));
  assert.match(pathOf(page), /^\/cases\/[^/]+$/);
}

/** On a case page: uploads `buffer` as `name` with the title `title`; checks the answer's status. */
async function upload(page, title, name, buffer, expectedStatus) {
  await page.locator('#doc_title').fill(title);
  await page.locator('#file').setInputFiles({ name, mimeType: 'application/pdf', buffer });
  await submit(page, page.locator('#documents form[enctype="multipart/form-data"] [type=submit]'), expectedStatus);
}

/**
 * Each page: who is signed in (null: nobody), and how to get there. `reach` is used when a
 * path alone cannot name the page (details pages reached from their list, a form's answer).
 * `path` may carry a query string (a search).
 */
export const PAGES = [
  { name: 'login', user: null, path: '/login' },
  { name: 'home', user: 'roberto', path: '/' },
  { name: 'admin users list', user: 'roberto', path: '/admin/users' },
  { name: 'admin new user form', user: 'roberto', path: '/admin/users/new' },
  {
    name: 'admin user detail',
    user: 'roberto',
    path: '/admin/users',
    reach: async (page) => {
      await follow(page, page.locator('table a[href^="/admin/users/"]', { hasText: 'Marco Bianchi' }));
      assert.match(pathOf(page), /^\/admin\/users\/[^/]+$/);
    },
  },
  { name: 'admin organisations list', user: 'roberto', path: '/admin/organisations' },
  { name: 'admin new organisation form', user: 'roberto', path: '/admin/organisations/new' },
  {
    name: 'admin organisation detail',
    user: 'roberto',
    path: '/admin/organisations',
    reach: async (page) => {
      await follow(page, page.locator('table tbody a[href^="/admin/organisations/"]'));
      assert.match(pathOf(page), /^\/admin\/organisations\/[^/]+$/);
    },
  },
  { name: 'admin audit log', user: 'roberto', path: '/admin/audit' },
  { name: 'admin catalogue', user: 'roberto', path: '/admin/catalogue' },
  { name: 'admin new procedure form', user: 'roberto', path: '/admin/catalogue/new' },
  { name: 'admin procedure form', user: 'roberto', path: '/admin/catalogue/family_reunification' },
  {
    name: 'admin procedure form once saved (with its versions)',
    user: 'roberto',
    path: '/admin/catalogue/family_reunification',
    reach: async (page) => {
      // A real change: saving the form unchanged makes no version.
      await page.locator('#offices').fill(`Sportello Unico per l'Immigrazione (${Date.now()})`);
      await submit(page, page.locator('main form [type=submit]'));
      assert.equal(pathOf(page), '/admin/catalogue/family_reunification');
      await page.locator('section[aria-labelledby="versions-h"] li').first().waitFor();
    },
  },
  { name: 'admin legal rules', user: 'roberto', path: '/admin/legal-rules' },
  {
    name: 'admin legal rules with a refused version',
    user: 'roberto',
    path: '/admin/legal-rules',
    reach: async (page) => {
      // Days and months both: refused, with the fields as typed and their messages.
      await page.locator('#code').fill('family_reunification_decision');
      await page.locator('#days').fill('120');
      await page.locator('#months').fill('4');
      await page.locator('#valid_from').fill('2020-01-01');
      await submit(page, page.locator('main form [type=submit]'), 422);
      await page.locator('main .field-error').first().waitFor();
    },
  },
  { name: 'profile', user: 'roberto', path: '/profile' },
  { name: 'profile password', user: 'roberto', path: '/profile/password' },
  { name: 'profile two-factor (TOTP)', user: 'roberto', path: '/profile/totp' },
  { name: 'profile API tokens', user: 'roberto', path: '/profile/tokens' },
  { name: 'people search', user: 'giulia', path: '/people?q=Islam' },
  { name: 'new person form', user: 'giulia', path: '/people/new' },
  {
    name: 'new person form with likely matches',
    user: 'giulia',
    path: '/people/new',
    reach: async (page) => {
      await page.locator('#given_names').fill('Md Rakibul');
      await page.locator('#family_name').fill('Islam');
      await page.locator('#birth_date').fill('2003');
      await page.locator('#nationality').fill('Bangladesh');
      await submit(page, page.locator('form.person-form [type=submit]'));
      await page.locator('#matches .match').first().waitFor();
    },
  },
  {
    name: 'person record',
    user: 'chiara',
    path: '/people',
    reach: async (page) => {
      await openFatima(page);
    },
  },
  { name: 'cases list', user: 'chiara', path: '/cases' },
  // The Prefettura's desk: the demo's referral waits there to be accepted or rejected.
  {
    name: 'cases list with referrals to accept',
    user: 'marco',
    path: '/cases',
    reach: async (page) => {
      assert.ok(
        (await page.locator('section[aria-labelledby="incoming-h"] .match').count()) > 0,
        'no referral to accept is shown to marco (the demo seeds one)',
      );
    },
  },
  // The demo's referral, accepted: the receiver's form to conclude it with an outcome. After
  // the list above, which needs the referral still waiting.
  {
    name: 'case with a referral to conclude',
    user: 'marco',
    path: '/cases',
    reach: async (page) => {
      const waiting = page.locator('section[aria-labelledby="incoming-h"] .match', {
        hasText: 'Manca il certificato di idoneità alloggiativa (demo).',
      });
      await submit(page, waiting.locator('form[action$="/accept"] [type=submit]'));
      assert.match(pathOf(page), /^\/cases\/[^/]+$/);
      await page.locator('#referrals input[name=outcome]').first().waitFor();
    },
  },
  {
    name: 'citizenship office view',
    user: 'marco',
    path: '/cases',
    reach: async (page) => {
      await follow(page, page.locator('main a[href="/cases/citizenship"]'));
      assert.equal(pathOf(page), '/cases/citizenship');
    },
  },
  {
    name: 'new case form',
    user: 'chiara',
    path: '/people',
    reach: async (page) => {
      await openFatima(page);
      await follow(page, page.locator('#cases a[href^="/cases/new?person="]'));
      assert.equal(pathOf(page), '/cases/new');
    },
  },
  {
    name: 'case',
    user: 'chiara',
    path: '/people',
    reach: async (page) => {
      // A new case: no note, appointment or document yet, every form shown (the owner's).
      await openFatima(page);
      await follow(page, page.locator('#cases a[href^="/cases/new?person="]'));
      await page.locator('#procedure').selectOption('family_reunification');
      await page.locator('#filed_on').fill('2026-11-02');
      await submit(page, page.locator('main form[action="/cases"] [type=submit]'));
      assert.match(pathOf(page), /^\/cases\/[^/]+$/);
    },
  },
  // The demo's case: a note, a planned appointment, the referral (accepted by marco above),
  // and a document uploaded here; then the same case answering a file that is no PDF.
  {
    name: 'case with notes, appointments and documents',
    user: 'chiara',
    path: '/cases',
    reach: async (page) => {
      await openDemoCase(page);
      await upload(page, 'Contratto di affitto', 'contratto.pdf', PDF_BYTES, 200);
      await page.locator('#documents li a[download]').first().waitFor();
      await page.locator('#notes .case-note').first().waitFor();
      await page.locator('#appointments li button').first().waitFor();
    },
  },
  {
    name: 'case note form for the field',
    user: 'chiara',
    path: '/cases',
    reach: async (page) => {
      await openDemoCase(page);
      await follow(page, page.locator('a[href$="/notes/new"]'));
      await page.locator('#note-form').waitFor();
    },
  },
  {
    name: 'case after a refused upload',
    user: 'chiara',
    path: '/cases',
    reach: async (page) => {
      await openDemoCase(page);
      await upload(page, 'Passaporto', 'passaporto.pdf', Buffer.from('non è un PDF'), 422);
      await page.locator('main .field-error[role=alert]').first().waitFor();
    },
  },
  { name: 'minors hub dashboard', user: 'sara', path: '/minors' },
  { name: 'minor intake form', user: 'sara', path: '/minors/new' },
  {
    name: 'minor intake refused',
    user: 'sara',
    path: '/minors/new',
    reach: async (page) => {
      // A first contact in the future: only the server can refuse it.
      await page.locator('#given_names').fill('Futuro');
      await page.locator('#family_name').fill('Arrivo');
      await page.locator('#contact_place').fill('Stazione Termini');
      await page.locator('#arrived_at').fill('2099-01-01T10:00');
      await submit(page, page.locator('main form [type=submit]'), 422);
      await page.locator('main .field-error').first().waitFor();
    },
  },
  {
    name: 'minor record',
    user: 'sara',
    path: '/minors',
    reach: async (page) => {
      await follow(page, page.locator('.hub-table a', { hasText: 'Abdoulaye Camara' }));
      await page.locator('#clock').waitFor();
    },
  },
  { name: 'guardians register', user: 'sara', path: '/minors/guardians' },
  {
    name: 'minor placement suggestions',
    user: 'sara',
    path: '/minors',
    reach: async (page) => {
      await follow(page, page.locator('.hub-table a', { hasText: 'Abdoulaye Camara' }));
      await follow(page, page.locator('#placement a[href$="/placement"]'));
      await page.locator('#offers').waitFor();
    },
  },
  { name: 'transfers to answer (facility)', user: 'anna', path: '/transfers' },
  { name: 'minors daily register', user: 'sara', path: '/minors/register' },
  { name: 'minors figures (analyst)', user: 'elena', path: '/minors/counts' },
  {
    name: 'absconded minor record',
    user: 'sara',
    path: '/minors',
    reach: async (page) => {
      await follow(page, page.locator('#tracing a', { hasText: 'Omar Haddad' }));
      await page.locator('#absconding').waitFor();
    },
  },
  { name: 'SIM census exports', user: 'sara', path: '/minors/sim' },
  { name: 'centres list', user: 'paolo', path: '/centres' },
  { name: 'new centre form', user: 'paolo', path: '/centres/new' },
  {
    name: 'centre page with presences',
    user: 'anna',
    path: '/centres',
    reach: async (page) => {
      await follow(page, page.locator('main table a', { hasText: 'CAS Via Casilina' }));
      await page.locator('#presences').waitFor();
    },
  },
  {
    name: 'daily presences form for the field',
    user: 'anna',
    path: '/centres',
    reach: async (page) => {
      await follow(page, page.locator('main table a', { hasText: 'CAS Via Casilina' }));
      await follow(page, page.locator('a[href$="/presences/new"]'));
      await page.locator('#presences-form').waitFor();
    },
  },
  { name: 'presences import', user: 'anna', path: '/centres/presences/import' },
  { name: 'checklist template (2021)', user: 'paolo', path: '/checklists/2021' },
  { name: 'front office', user: 'giulia', path: '/front-office' },
  { name: 'content and translations', user: 'roberto', path: '/content' },
  { name: 'network bodies', user: 'marco', path: '/network' },
  {
    name: 'council page',
    user: 'marco',
    path: '/network',
    reach: async (page) => {
      await follow(page, page.locator('main table a', { hasText: 'Consiglio Territoriale' }));
    },
  },
  {
    name: 'council meeting with published minutes',
    user: 'chiara',
    path: '/network',
    reach: async (page) => {
      await follow(page, page.locator('main table a', { hasText: 'Consiglio Territoriale' }));
      await follow(page, page.locator('ul.meetings a').nth(2));
    },
  },
  { name: 'trainings', user: 'davide', path: '/trainings' },
  {
    name: 'course page (trainer)',
    user: 'davide',
    path: '/trainings',
    reach: async (page) => {
      await follow(page, page.locator('main table a', { hasText: 'Decreto flussi' }));
    },
  },
  {
    name: 'course page (participant, survey)',
    user: 'luca',
    path: '/trainings',
    reach: async (page) => {
      await follow(page, page.locator('main table a', { hasText: 'Decreto flussi' }));
    },
  },
  { name: 'certificate check', user: null, path: '/verify' },
  { name: 'helpdesk (patronato)', user: 'luca', path: '/helpdesk' },
  { name: 'helpdesk (Prefecture, with response times)', user: 'marco', path: '/helpdesk' },
  {
    name: 'helpdesk question to answer',
    user: 'marco',
    path: '/helpdesk',
    reach: async (page) => {
      await follow(page, page.locator('main table a', { hasText: 'Conversione da studio a lavoro' }));
    },
  },
  { name: 'knowledge base', user: 'paolo', path: '/kb?q=ricongiungimento' },
  { name: 'safe space (managing body)', user: 'anna', path: '/safe-space' },
  { name: 'safe space protocol (monitoring office)', user: 'paolo', path: '/safe-space/protocol' },
  {
    name: 'safe space screening form',
    user: 'anna',
    path: '/people?q=Okafor',
    reach: async (page) => {
      await follow(page, page.locator('main table a', { hasText: 'Okafor' }));
      await follow(page, page.locator('main a[href$="/screening"]'));
    },
  },
  { name: 'translation editor (out of date)', user: 'tanvir', path: '/content/citizenship_residence/fr' },
  { name: 'inspections list', user: 'paolo', path: '/inspections' },
  { name: 'inspection planning', user: 'paolo', path: '/monitoring/planning' },
  {
    name: 'inspection checklist',
    user: 'paolo',
    path: '/inspections/new',
    reach: async (page) => {
      await page.locator('#centre_id').selectOption({ label: 'CAS Monte Sacro (demo) (CAS-RM-0102)' });
      await submit(page, page.locator('main form [type=submit]'));
      await page.locator('#sheet').waitFor();
    },
  },
  {
    name: 'closed inspection report',
    user: 'anna',
    path: '/centres',
    reach: async (page) => {
      await follow(page, page.locator('main table a', { hasText: 'CAS Via Casilina' }));
      await follow(page, page.locator('#inspections a[href^="/inspections/"]'));
      await page.locator('.integrity').waitFor();
    },
  },
  { name: 'corrective actions (manager)', user: 'bruno', path: '/actions' },
  {
    name: 'corrective action',
    user: 'bruno',
    path: '/actions',
    reach: async (page) => {
      await follow(page, page.locator('main table a[href^="/actions/"]'));
      await page.locator('#action-status').waitFor();
    },
  },
  { name: 'centres map', user: 'paolo', path: '/centres/map' },
  { name: 'monitoring figures (analyst)', user: 'elena', path: '/monitoring/figures' },
  { name: 'programme dashboard (analyst)', user: 'elena', path: '/reports?board=programme&by=nationality' },
  { name: 'partner dashboard (case worker)', user: 'chiara', path: '/reports' },
  { name: 'hub dashboard (minors officer)', user: 'sara', path: '/reports?board=hub&by=nationality' },
  { name: 'monitoring dashboard (inspector)', user: 'paolo', path: '/reports?board=monitoring&by=org_id' },
  { name: 'open data', user: null, path: '/it/open-data' },
  { name: 'inbox', user: 'luca', path: '/inbox' },
  { name: 'access requests', user: 'luca', path: '/access-requests' },
  {
    name: 'access request to answer',
    user: 'luca',
    path: '/access-requests',
    reach: async (page) => {
      await follow(page, page.locator('a[href^="/access-requests/"]', { hasText: 'Aliou Ndiaye' }));
      assert.match(pathOf(page), /^\/access-requests\/[^/]+$/);
    },
  },
  { name: 'duplicates queue', user: 'giulia', path: '/people/duplicates' },
  {
    name: 'record of another organisation (403, ask for access)',
    user: 'giulia',
    path: '/people?q=Rakibul',
    reach: async (page) => {
      await follow(page, page.locator('a.ask-access'), 403);
      assert.match(pathOf(page), /^\/people\/[^/]+$/);
    },
  },
  {
    name: 'purpose of a programme-wide read (403)',
    user: 'marco',
    path: '/people?q=Olena',
    reach: async (page) => {
      await follow(page, page.locator('.match a[href^="/people/"]', { hasText: 'Olena' }), 403);
      await page.locator('form[action="/purposes"]').waitFor();
    },
  },
  { name: 'not found (404)', user: 'roberto', path: '/questa-pagina-non-esiste', status: 404 },
  { name: 'forbidden (403)', user: 'marco', path: '/admin/users', status: 403 },
];

export const pageNamed = (name) => {
  const p = PAGES.find((x) => x.name === name);
  if (!p) throw new Error(`no page named ${name}`);
  return p;
};

/** Every page in Italian; the login page and the dashboard in English and Arabic too. */
export const PAGE_RUNS = [
  ...PAGES.map((p) => ({ entry: p, lang: 'it' })),
  ...['en', 'ar'].flatMap((lang) => ['login', 'home'].map((n) => ({ entry: pageNamed(n), lang }))),
];

/**
 * Opens `entry` in language `lang` with a fresh session: signs in if needed, chooses the
 * language with the header's language switch (its target URL), then goes to the page.
 * `beforeTarget` runs once signed in, just before the page is opened.
 */
export async function visit(context, page, entry, lang, { beforeTarget } = {}) {
  await context.clearCookies();
  if (entry.user) await login(page, entry.user);
  if (beforeTarget) await beforeTarget();
  // The language switch answers with a redirect to `next`; the session keeps the choice.
  const res = await page.goto(`/language/${lang}?next=${encodeURIComponent(entry.path)}`);
  assert.ok(res, `no response for ${entry.path}`);
  const { pathname, search } = new URL(page.url());
  assert.equal(pathname + search, entry.path, `switching the language did not lead back to ${entry.path}`);
  assert.equal(
    res.status(),
    entry.status ?? 200,
    `GET ${entry.path} answered ${res.status()}, expected ${entry.status ?? 200}`,
  );
  if (entry.reach) await entry.reach(page);
  const { lang: shown } = await htmlLangDir(page);
  assert.equal(shown, lang, `${entry.name} is shown in ${shown}, expected ${lang}`);
}
