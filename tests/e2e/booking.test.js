// Booking an appointment at an info point without an account (journey 2, in Bengali and
// Arabic): two people on two phones press "book" on the same time at the same moment; one
// gets it and a code, the other is told in Arabic to choose another time. The first then
// finds the booking with the code and cancels it.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertAccessible, open, useApp } from './support/app.js';

const app = useApp();

test('a slot pressed by two phones at once is booked once, and the booking is cancelled with its code', async () => {
  // Two tabs of one browser stand for the two phones: the page keeps nothing between them.
  const a = await app.context.newPage();
  const b = await app.context.newPage();
  try {
    for (const page of [a, b]) await page.setViewportSize({ width: 360, height: 740 });
    await open(a, '/bn/book');
    await a.locator('#point').selectOption({ label: 'Info point Stazione Termini (demo)' });
    await Promise.all([a.waitForNavigation(), a.locator('form[method=get] button').click()]);
    await assertAccessible(a, 'public booking form in Bengali');
    const point = new URL(a.url()).searchParams.get('point');
    await open(b, `/ar/book?point=${point}`);
    const slot = await a.locator('input[name=slot_id]').first().getAttribute('value');
    for (const page of [a, b]) {
      await page.locator(`label[for="slot-${slot}"]`).click();
    }
    await b.locator('#service').selectOption('family_reunification');
    const [ra, rb] = await Promise.all([
      a.waitForNavigation().then(() => null).catch(() => null),
      b.waitForNavigation().then(() => null).catch(() => null),
      a.locator('#book-form [type=submit]').click(),
      b.locator('#book-form [type=submit]').click(),
    ]);
    void ra;
    void rb;
    const codes = await Promise.all([a, b].map((p) => p.locator('#booking-code').count()));
    assert.deepEqual(codes.sort(), [0, 1], 'exactly one of the two must get the slot');
    const winner = (await a.locator('#booking-code').count()) === 1 ? a : b;
    const loser = winner === a ? b : a;
    assert.ok(await loser.locator('.pub-error').isVisible(), 'the second one is not told the time was taken');
    assert.equal(await loser.locator(`input[value="${slot}"]`).count(), 0, 'the taken time is still offered');
    const code = (await winner.locator('#booking-code').innerText()).trim();
    assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);

    // Later, with the code: find it and cancel it.
    const lang = winner === a ? 'bn' : 'ar';
    await open(winner, `/${lang}/booking`);
    await winner.locator('#code').fill(code.toLowerCase());
    await Promise.all([winner.waitForNavigation(), winner.locator('form [type=submit]').click()]);
    assert.ok(await winner.locator('#booking').isVisible());
    await Promise.all([winner.waitForNavigation(), winner.locator('form input[value=cancel] ~ button').click()]);
    assert.ok(await winner.locator('.pub-ok').isVisible(), 'no confirmation of the cancellation');
    const status = await winner.locator('#booking-status').innerText();
    await open(winner, `/it/booking`);
    await winner.locator('#code').fill(code);
    await Promise.all([winner.waitForNavigation(), winner.locator('form [type=submit]').click()]);
    assert.equal((await winner.locator('#booking-status').innerText()).trim(), 'Annullato', `status was ${status}`);
  } finally {
    await a.close();
    await b.close();
  }
});
