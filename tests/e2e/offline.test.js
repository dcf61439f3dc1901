// Nothing lost on a bad connection (journeys 1 and 6, with the signal dropped half-way):
// Giulia logs a contact offline and it arrives once; the new-person form keeps what she typed
// through a reload without signal and a Back; Paolo on a phone answers, attaches a photo and
// reloads offline, and everything arrives once; a booking's confirmation survives a reload
// (and opens offline, with the banner in the reader's language); a queued edit that met a
// newer version shows both; after logout the next user of the browser finds nothing.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { go, login, open, pathOf, textOf, useApp, withFreshPage } from './support/app.js';

const app = useApp();

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082',
  'hex',
);
const PHONE = { width: 390, height: 844 };

/** Waits until the service worker controls the page (it takes over after the first load). */
async function workerReady(page) {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
  }
}

async function offline(page, on) {
  await page.context().setOffline(on);
}

/** A fresh tab, online, that goes back online whatever happens in the test. */
async function withTab(fn) {
  await app.context.setOffline(false);
  try {
    return await withFreshPage(app, async (page) => {
      if (process.env.DEBUG_PAGE) {
        page.on('console', (m) => console.log('console:', m.text()));
        page.on('pageerror', (e) => console.log('pageerror:', e.message));
      }
      return fn(page);
    });
  } finally {
    await app.context.setOffline(false);
  }
}

/** Registers a new person through the form (confirming past any likely match). */
async function registerPerson(page, given, family) {
  await open(page, '/people/new');
  await page.locator('#given_names').fill(given);
  await page.locator('#family_name').fill(family);
  await page.locator('#birth_date').fill('1990');
  await page.locator('#nationality').fill('Ghana');
  await Promise.all([page.waitForNavigation(), page.locator('#person-form [type=submit]').first().click()]);
  if (await page.locator('#confirm_new').count()) {
    await page.locator('#confirm_new').check();
    await Promise.all([page.waitForNavigation(), page.locator('#person-form [type=submit]').first().click()]);
  }
  assert.match(pathOf(page), /^\/people\/[^/]+$/, `registering ${given} ${family} ended on ${page.url()}`);
  return pathOf(page).split('/')[2];
}

/** The items of the queue panel with the given status. */
function queued(page, status) {
  return page.locator(`#sprint-field li[data-status="${status}"]`);
}

describe('offline: the front office, the new-person form, the inspection, the booking', () => {
  test('giulia logs a contact without signal and it arrives once when the signal returns', async () => {
    await withTab(async (page) => {
      await login(page, 'giulia');
      await go(page, page.locator('nav a[href="/front-office"]'));
      await workerReady(page);
      const rows = await page.locator('#contacts-today tbody tr').count();

      await offline(page, true);
      assert.ok(await page.locator('#offline-banner').isVisible(), 'no offline banner');
      await page.locator('label[for="topic-permit_renewal"]').click();
      await page.locator('#language').selectOption('ti');
      await page.locator('#contact-form [type=submit]').click();
      await page.locator('#contact-form .offline-note.is-queued').waitFor();
      assert.match(await textOf(page.locator('#contact-form .offline-note')), /in coda/);
      assert.equal(await queued(page, 'queued').count(), 1);
      assert.equal(pathOf(page), '/front-office', 'the page stayed');

      // A reload without signal: the page comes from the device — the empty form, not the
      // day's list, which names people — and the queue is still there.
      await page.reload();
      assert.equal(await page.locator('#contacts-today').count(), 0, 'the kept page lists the day\'s contacts');
      assert.ok(await page.locator('#contact-form').isVisible());
      assert.equal(await queued(page, 'queued').count(), 1);

      await offline(page, false);
      await queued(page, 'sent').first().waitFor();
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await open(page, '/front-office');
      assert.equal(await page.locator('#contacts-today tbody tr').count(), rows + 1, 'the contact arrived once');
      assert.match(await textOf(page.locator('#contacts-today tbody tr').first()), /ትግርኛ/);
    });
  });

  test('the new-person form keeps what was typed through a reload without signal and a Back', async () => {
    await withTab(async (page) => {
      await login(page, 'giulia');
      await open(page, '/people/new');
      await workerReady(page);
      await page.locator('#given_names').fill('Abdoulaye');
      await page.locator('#family_name').fill('Diallo');
      await page.locator('#birth_date').fill('1994');
      await page.locator('#nationality').fill('Senegal');
      await page.waitForTimeout(400); // the draft is written a moment after the last key

      await offline(page, true);
      await page.reload();
      assert.equal(await page.locator('#given_names').inputValue(), 'Abdoulaye');
      assert.equal(await page.locator('#family_name').inputValue(), 'Diallo');
      assert.equal(await page.locator('#birth_date').inputValue(), '1994');
      assert.ok(await page.locator('#person-form .offline-note').isVisible(), 'the restored draft is not announced');
      await offline(page, false);

      await open(page, '/');
      await page.goBack();
      await page.locator('#person-form .offline-note').waitFor();
      assert.equal(await page.locator('#given_names').inputValue(), 'Abdoulaye');
      assert.equal(await page.locator('#family_name').inputValue(), 'Diallo');

      // Sent, the draft is gone.
      await Promise.all([page.waitForNavigation(), page.locator('#person-form [type=submit]').first().click()]);
      if (await page.locator('#confirm_new').count()) {
        await page.locator('#confirm_new').check();
        await Promise.all([page.waitForNavigation(), page.locator('#person-form [type=submit]').first().click()]);
      }
      assert.match(pathOf(page), /^\/people\/[^/]+$/, await textOf(page.locator('main')));
      await open(page, '/people/new');
      await page.waitForTimeout(300);
      assert.equal(await page.locator('#given_names').inputValue(), '');
    });
  });

  test('paolo answers, attaches a photo and reloads without signal on a phone; all of it arrives once', async () => {
    await withTab(async (page) => {
      await page.setViewportSize(PHONE);
      await login(page, 'paolo');
      await open(page, '/inspections/new');
      await page.locator('#centre_id').selectOption({ index: 1 });
      await page.locator('label[for="kind-unannounced"]').click();
      await page.locator('#planned_on').fill(new Date().toISOString().slice(0, 10));
      await go(page, page.locator('main form [type=submit]'));
      assert.match(pathOf(page), /^\/inspections\/[^/]+$/);
      await workerReady(page);
      const sheet = pathOf(page);
      const items = await page.locator('.sheet-item[data-kind="yes_no"]').evaluateAll((els) => els.map((e) => e.dataset.item));
      const photoFor = await page.locator('.sheet-item[data-kind="photo"]').first().getAttribute('data-item');
      const photoItem = `ev-${photoFor}`;

      await offline(page, true);
      await page.locator(`label[for="v-${items[0]}-yes"]`).click();
      await page.locator(`label[for="v-${items[1]}-no"]`).click();
      await page.locator('#save-status', { hasText: 'Nessuna connessione' }).waitFor();
      await page.locator(`#file-${photoFor}`).setInputFiles({ name: 'cucina.png', mimeType: 'image/png', buffer: PNG });
      await page.locator(`button[form="${photoItem}"]`).click();
      await queued(page, 'queued').first().waitFor();
      // "Save answers" offline keeps the page instead of ending on the browser's error page.
      await page.locator('#sheet .sheet-bar [type=submit]').click();
      assert.equal(pathOf(page), sheet);

      await page.reload();
      assert.equal(await page.locator(`input[name="v-${items[0]}"]:checked`).evaluate((e) => e.value), 'yes');
      assert.equal(await page.locator(`input[name="v-${items[1]}"]:checked`).evaluate((e) => e.value), 'no');
      assert.equal(await queued(page, 'queued').count(), 1, 'the photo is still queued after the reload');

      await offline(page, false);
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await queued(page, 'sent').first().waitFor();
      await page.locator('#save-status', { hasText: 'Tutte le risposte sono salvate' }).waitFor();
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await page.evaluate(() => localStorage.removeItem(`sprint-inspection-${location.pathname.split('/').pop()}`));
      await open(page, sheet);
      assert.equal(await page.locator(`input[name="v-${items[0]}"]:checked`).evaluate((e) => e.value), 'yes');
      assert.equal(await page.locator(`input[name="v-${items[1]}"]:checked`).evaluate((e) => e.value), 'no');
      const photos = await page.locator('#evidence a', { hasText: 'cucina.png' }).count();
      assert.equal(photos, 1, 'the photo arrived once');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= PHONE.width, `the sheet is ${width}px wide on a ${PHONE.width}px phone`);
    });
  });

  test('a booking confirmation keeps its address and code through reloads, and opens offline in Arabic', async () => {
    await withTab(async (page) => {
      await page.setViewportSize(PHONE);
      await open(page, '/ar/book');
      const point = await page.locator('select[name=point] option').nth(1).getAttribute('value');
      await open(page, `/ar/book?point=${point}`);
      await workerReady(page);
      const slot = await page.locator('input[name=slot_id]').first().getAttribute('value');
      await page.locator(`label[for="slot-${slot}"]`).click();
      await go(page, page.locator('#book-form [type=submit]'));
      assert.match(pathOf(page), /^\/ar\/booking\/[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      const code = (await page.locator('#booking-code').innerText()).trim();
      const res = await page.reload();
      assert.equal(res.status(), 200);
      assert.equal((await page.locator('#booking-code').innerText()).trim(), code, 'a reload lost the code');
      assert.equal(await page.locator('.pub-error').count(), 0, 'a reload booked again');

      await offline(page, true);
      await page.reload();
      assert.equal((await page.locator('#booking-code').innerText()).trim(), code);
      const banner = page.locator('#offline-banner');
      assert.ok(await banner.isVisible(), 'no offline banner');
      assert.match(await banner.innerText(), /غير متصل/);
      assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
      await offline(page, false);
    });
  });
});

describe('offline: the field forms of a case and a centre', () => {
  test('a case note written without signal opens from the device and arrives once', async () => {
    await withTab(async (page) => {
      await login(page, 'chiara');
      await open(page, '/cases');
      const week = page.locator('section[aria-labelledby="appointments-h"] li', { hasText: 'Consegna dei documenti originali (demo)' });
      await go(page, week.locator('a[href^="/cases/"]'));
      const casePath = pathOf(page);
      await go(page, page.locator('a[href$="/notes/new"]'));
      await workerReady(page);
      const notes = async () => {
        await open(page, casePath);
        return page.locator('#notes .case-note', { hasText: 'Richiamato dalla stazione' }).count();
      };
      await open(page, `${casePath}/notes/new`);

      await offline(page, true);
      await page.reload();
      assert.ok(await page.locator('#offline-banner').isVisible());
      assert.equal(await page.locator('#notes').count(), 0, 'the kept page shows no notes');
      await page.locator('#body').fill('Richiamato dalla stazione: porterà il contratto');
      await page.locator('#note-form [type=submit]').click();
      await queued(page, 'queued').first().waitFor();
      await offline(page, false);
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await queued(page, 'sent').first().waitFor();
      assert.equal(await notes(), 1);
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      assert.equal(await notes(), 1, 'the note arrived twice');
    });
  });

  test('a centre manager records the day\'s presences without signal', async () => {
    await withTab(async (page) => {
      await login(page, 'anna');
      await open(page, '/centres');
      await go(page, page.locator('main table a', { hasText: 'CAS Via Casilina' }));
      const centre = pathOf(page);
      await go(page, page.locator('a[href$="/presences/new"]'));
      await workerReady(page);
      await offline(page, true);
      await page.reload();
      await page.locator('#male').fill('41');
      await page.locator('#female').fill('17');
      await page.locator('#presences-form [type=submit]').click();
      await queued(page, 'queued').first().waitFor();
      await offline(page, false);
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await queued(page, 'sent').first().waitFor();
      await open(page, centre);
      assert.match(await textOf(page.locator('#presences table tbody tr').first()), /41/);
    });
  });
});

describe('offline: conflicts and a shared browser', () => {
  test('a queued edit of a record changed meanwhile shows both versions field by field', async () => {
    await withTab(async (page) => {
      await login(page, 'giulia');
      const person = await registerPerson(page, 'Kofi', 'Mensah');
      await workerReady(page);
      await open(page, `/people/${person}/edit`);

      // Someone else (another tab) changes the name meanwhile.
      const other = await page.context().newPage();
      await open(other, `/people/${person}/edit`);
      await other.locator('#given_names').fill('Kofi Junior');
      await go(other, other.locator('#person-form [type=submit]').first());
      await other.close();

      await offline(page, true);
      await page.locator('#phone').fill('+39 333 444 5555');
      await page.locator('#person-form [type=submit]').first().click();
      await queued(page, 'queued').first().waitFor();
      await offline(page, false);
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      const refused = queued(page, 'refused').first();
      await refused.waitFor();
      await refused.locator('button').click();
      await page.locator('#conflict').waitFor();
      const row = page.locator('#conflict tr[data-field="given_names"]');
      assert.match(await textOf(row), /Kofi/);
      assert.match(await textOf(row), /Kofi Junior/);
      assert.equal(await page.locator('#phone').inputValue(), '+39 333 444 5555', 'the queued input is back in the form');
      // She keeps the current name and her phone number.
      await page.locator('#pick-given_names-theirs').check();
      await go(page, page.locator('#person-form [type=submit]').first());
      await open(page, `/people/${person}/edit`);
      assert.equal(await page.locator('#given_names').inputValue(), 'Kofi Junior');
      assert.equal(await page.locator('#phone').inputValue(), '+39 333 444 5555');
    });
  });

  test('after logout the next user of the browser reads no draft, kept page or queued item', async () => {
    await withTab(async (page) => {
      await login(page, 'giulia');
      await go(page, page.locator('nav a[href="/front-office"]'));
      await workerReady(page);
      // A contact sent through the queue (listed on this device) and a draft left typed.
      await offline(page, true);
      await page.locator('label[for="topic-permit_renewal"]').click();
      await page.locator('#contact-form [type=submit]').click();
      await queued(page, 'queued').first().waitFor();
      await offline(page, false);
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await queued(page, 'sent').first().waitFor();
      await open(page, '/people/new');
      await page.locator('#given_names').fill('Segreto');
      await page.locator('#family_name').fill('Precedente');
      await page.waitForTimeout(400);
      const kept = await page.evaluate(async () => (await caches.keys()).length);
      assert.ok(kept > 0, 'nothing was kept to be wiped');

      page.once('dialog', (d) => d.accept());
      await Promise.all([page.waitForNavigation({ url: /\/login/ }), page.locator('form[action="/logout"] button').click()]);
      // Only assets may be cached again (the login page's own styles); no page of Giulia's.
      const left = await page.evaluate(async () => {
        const pages = [];
        for (const name of await caches.keys()) {
          for (const req of await (await caches.open(name)).keys()) {
            if (!new URL(req.url).pathname.startsWith('/assets/')) pages.push(req.url);
          }
        }
        return {
          pages,
          dbs: (await indexedDB.databases()).filter((d) => d.name === 'sprint').length,
          local: Object.keys(localStorage).filter((k) => k.startsWith('sprint-')),
          session: Object.keys(sessionStorage).filter((k) => k.startsWith('sprint-')),
        };
      });
      assert.deepEqual(left, { pages: [], dbs: 0, local: [], session: [] }, JSON.stringify(left));

      await login(page, 'chiara');
      await open(page, '/people/new');
      await page.waitForTimeout(300);
      assert.equal(await page.locator('#given_names').inputValue(), '');
      assert.equal(await page.locator('.offline-note').count(), 0, 'a draft was restored for the next user');
      assert.ok(await page.locator('#sprint-field').isHidden(), 'the queue of the previous user is shown');
    });
  });
});
