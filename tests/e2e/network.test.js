// Journey 7: the network. Marco records yesterday's council meeting (attendance, minutes, a
// decision), approves and publishes the minutes, gives Chiara an action item and downloads
// the minutes; Chiara finds the item on her home page and marks it done. Luca, of a
// patronato, answers the course survey and downloads his certificate, whose code anyone checks
// on the public page, where a forged code is refused. A patronato's question becomes a
// knowledge-base entry. Anna screens a guest and refers her, with consent, under Safe Space.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertAccessible, download, go, login, open, signInAs, textOf, useApp, withFreshPage } from './support/app.js';

const app = useApp();

test('the council meeting is recorded, its minutes approved and published, and the action item reaches its owner', async () => {
  await withFreshPage(app, async (page) => {
    await login(page, 'marco');
    await go(page, page.locator('nav a[href="/network"]'));
    await go(page, page.locator('main table a', { hasText: 'Consiglio Territoriale' }));
    // The meetings are newest first: next month's, yesterday's, last month's.
    await go(page, page.locator('ul.meetings a').nth(1));
    await assertAccessible(page, 'council meeting before it is recorded');
    for (const who of ['Viceprefetto Laura Santoro', 'Marco Bianchi', 'Chiara Neri', 'Sara Esposito']) {
      await page.locator('label', { hasText: who }).click();
    }
    await go(page, page.locator('form:has(input[name=step][value=attendance]) button'));
    await page.locator('#minutes').fill('Seduta aperta alle 10:00. Il Consiglio esamina le presenze all\'hub e il piano di formazione.');
    await go(page, page.locator('form:has(input[name=step][value=minutes]) button'));
    await page.locator('#decision').fill('Convocare il gruppo di lavoro sui minori entro il mese.');
    await go(page, page.locator('form:has(input[name=step][value=decision]) button'));
    await go(page, page.locator('form:has(input[name=step][value=approve]) button'));
    assert.match(await textOf(page.locator('#minutes-state')), /approvato/);
    await go(page, page.locator('form:has(input[name=step][value=publish]) button'));
    assert.match(await textOf(page.locator('#minutes-state')), /pubblicato/);
    await page.locator('#title').fill('Preparare la nota sul gruppo di lavoro minori');
    await page.locator('#owner_id').selectOption({ label: 'Chiara Neri — Programma Integra' });
    const due = new Date(Date.now() + 6 * 86400000).toISOString().slice(0, 10);
    await page.locator('#due_on').fill(due);
    await go(page, page.locator('form:has(input[name=step][value=action]) button'));
    await assertAccessible(page, 'council meeting recorded');
    const pdf = await download(page, page.locator('a[href$="/minutes.pdf"]'));
    assert.equal(pdf.bytes.subarray(0, 4).toString('latin1'), '%PDF');

    await signInAs(app, page, 'chiara');
    const item = page.locator('ul.action-items li', { hasText: 'Preparare la nota sul gruppo di lavoro minori' });
    await item.waitFor();
    await assertAccessible(page, 'home with action items');
    await go(page, item.locator('button'));
    assert.equal(await page.locator('ul.action-items li', { hasText: 'Preparare la nota' }).count(), 0);
  });
});

test('a patronato operator takes the survey, downloads the certificate, and its code verifies in public', async () => {
  await withFreshPage(app, async (page) => {
    await login(page, 'luca');
    await go(page, page.locator('nav a[href="/trainings"]'));
    await go(page, page.locator('main table a', { hasText: 'Decreto flussi' }));
    await page.locator('label[for="useful-yes"]').click();
    await page.locator('label[for="rating-5"]').click();
    await go(page, page.locator('#survey button[type=submit]'));
    const cert = await download(page, page.locator('a[href$="/certificate.pdf"]'));
    assert.equal(cert.bytes.subarray(0, 4).toString('latin1'), '%PDF');
    await page.reload();
    const code = (await textOf(page.locator('main strong').last())).trim();
    assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    await app.context.clearCookies();
    await open(page, '/verify');
    await page.locator('#code').fill(code.toLowerCase());
    await go(page, page.locator('main form button'));
    assert.match(await textOf(page.locator('#verify-result')), /Luca Moretti/);
    await assertAccessible(page, 'certificate verified');
    const forged = (code[0] === '7' ? '8' : '7') + code.slice(1);
    await page.locator('#code').fill(forged);
    await go(page, page.locator('main form button'), 404);
    assert.doesNotMatch(await textOf(page.locator('#verify-result')), /Luca Moretti/);
  });
});

test('a patronato question is answered and becomes a knowledge-base entry the patronato finds', async () => {
  await withFreshPage(app, async (page) => {
    await login(page, 'marco');
    await go(page, page.locator('nav a[href="/helpdesk"]'));
    await go(page, page.locator('main table a', { hasText: 'Conversione da studio a lavoro' }));
    await page.locator('#answer').fill('Per la conversione fuori quota conta il contratto di lavoro in corso: il reddito deve raggiungere l\'importo annuo dell\'assegno sociale.');
    await go(page, page.locator('form[action$="/answer"] button'));
    await page.locator('#kb-question').fill('Conversione da studio a lavoro fuori quota: quale reddito conta?');
    await go(page, page.locator('form[action$="/kb"] button'));
    await assertAccessible(page, 'knowledge-base entry');

    await signInAs(app, page, 'luca');
    await open(page, '/kb');
    await page.locator('#q').fill('fuori quota');
    await go(page, page.locator('main form[role=search] button'));
    assert.match(await textOf(page.locator('main')), /quale reddito conta/);
    await open(page, '/helpdesk');
    assert.match(await textOf(page.locator('main table')), /risposta data/);
  });
});

test('a managing body screens a guest and refers her, with her consent, to the anti-trafficking service', async () => {
  await withFreshPage(app, async (page) => {
    await login(page, 'anna');
    await go(page, page.locator('nav a[href="/safe-space"]'));
    assert.match(await textOf(page.locator('#ack-state')), /preso atto/);
    await open(page, '/people?q=Okafor');
    await go(page, page.locator('main table a', { hasText: 'Okafor' }));
    await go(page, page.locator('main a[href$="/screening"]'));
    assert.match(await textOf(page.locator('#consent-state')), /ha dato il consenso/);
    await page.locator('label[for="cat-trafficking_victim"]').click();
    await page.locator('#service').selectOption('anti_trafficking');
    await page.locator('#refer_to').selectOption({ label: 'Rete antitratta del Lazio – sportello di Roma' });
    await go(page, page.locator('main form button[type=submit]'));
    await page.locator('.alert-success').waitFor();
    const row = page.locator('main table tr', { hasText: 'Okafor' });
    assert.match(await textOf(row), /Vittima della tratta/);
    assert.match(await textOf(row), /antitratta/);
    await assertAccessible(page, 'safe space screenings');
  });
});
