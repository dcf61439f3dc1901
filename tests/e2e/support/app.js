// What every test file shares: one server and one browser per file, signing in, and the
// accessibility check.

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';

import { launchBrowser } from './browser.js';
import { startServer } from './server.js';

export const DEMO_PASSWORD = 'Demo-Roma-2026';

/** The demo world (see crates/store/src/demo.rs). */
export const DEMO_USERS = [
  { username: 'roberto', fullName: 'Roberto Conti', role: 'admin', lang: 'it' },
  { username: 'marco', fullName: 'Marco Bianchi', role: 'prefecture_officer', lang: 'it' },
  { username: 'chiara', fullName: 'Chiara Neri', role: 'case_worker', lang: 'it' },
  { username: 'giulia', fullName: 'Giulia Romano', role: 'info_point_operator', lang: 'it' },
  { username: 'tanvir', fullName: 'Tanvir Ahmed', role: 'mediator', lang: 'en' },
  { username: 'sara', fullName: 'Sara Esposito', role: 'minors_officer', lang: 'it' },
  { username: 'paolo', fullName: 'Paolo Ferri', role: 'inspector', lang: 'it' },
  { username: 'anna', fullName: 'Anna Greco', role: 'centre_manager', lang: 'it' },
  { username: 'bruno', fullName: 'Bruno Costa', role: 'centre_manager', lang: 'it' },
  { username: 'davide', fullName: 'Davide Marino', role: 'trainer', lang: 'it' },
  { username: 'elena', fullName: 'Elena Ricci', role: 'analyst', lang: 'it' },
];

export const GREETING = { it: 'Buongiorno', en: 'Good morning', ar: 'مرحبًا' };
export const LOGIN_TITLE = { it: 'Accedi', en: 'Log in', ar: 'تسجيل الدخول' };

/**
 * Registers before/after hooks for the calling test file: starts the server and the browser
 * once, stops both at the end. Returns an object filled in by the time tests run. `setup`,
 * if given, runs once after both are up (a file must not add a second top-level `before`:
 * Node 20 starts top-level hooks without waiting for the one before).
 */
export function useApp({ setup } = {}) {
  const app = { server: null, browser: null, context: null, url: null };
  before(async () => {
    app.server = await startServer();
    app.url = app.server.url;
    app.browser = await launchBrowser({ baseURL: app.url });
    app.context = app.browser.context;
    if (setup) await setup(app);
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.stop();
  });
  return app;
}

/**
 * Runs `fn(page)` in a new tab of a browser with no cookies (so no session, no language
 * choice), and closes the tab afterwards.
 */
export async function withFreshPage(app, fn) {
  await app.context.clearCookies();
  const page = await app.context.newPage();
  try {
    return await fn(page);
  } finally {
    await page.close();
  }
}

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/** Signs in through the login form and checks that it landed on the dashboard. */
export async function login(page, username, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('form[action="/login"] [type=submit]').click(),
  ]);
  if (pathOf(page) !== '/') {
    const error = await page.locator('#login-error').textContent().catch(() => null);
    assert.fail(
      `signing in as ${username} ended on ${page.url()} instead of /` +
        (error ? ` (error shown: ${error.trim()})` : ''),
    );
  }
}

/** Text with its runs of white space made single spaces, as a reader sees it. */
export const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
/** The visible text of what `locator` finds, squashed. */
export const textOf = async (locator) => squash(await locator.innerText());
/** The text of every element `locator` finds, in one string. */
export const textsOf = async (locator) => squash((await locator.allInnerTexts()).join(' '));

/** Signs out whoever is signed in (a new session) and signs in as `username`. */
export async function signInAs(app, page, username) {
  await app.context.clearCookies();
  await login(page, username);
}

/** Clicks a link or a form's button and waits for the page it opens; checks its status. */
export async function go(page, locator, expectedStatus = 200) {
  await locator.first().waitFor();
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.first().click()]);
  assert.ok(res, 'no page was opened');
  assert.equal(res.status(), expectedStatus, `${page.url()} answered ${res.status()}, expected ${expectedStatus}`);
  return res;
}

// The smallest file that is a PDF from its first bytes to its last.
export const PDF_BYTES = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
    '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    'trailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

/** Clicks a download link; resolves to the download's suggested name and its bytes. */
export async function download(page, link) {
  await link.first().waitFor();
  const [dl] = await Promise.all([page.waitForEvent('download'), link.first().click()]);
  const failure = await dl.failure();
  assert.equal(failure, null, `the download of ${dl.url()} failed: ${failure}`);
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
}

/** Opens a URL and checks the HTTP status of the page itself. */
export async function open(page, url, expectedStatus = 200) {
  const res = await page.goto(url);
  assert.ok(res, `no response for ${url}`);
  assert.equal(res.status(), expectedStatus, `GET ${url} answered ${res.status()}, expected ${expectedStatus}`);
  return res;
}

/** Follows a language link of the header (a[hreflang=…]) and waits for the new page. */
export async function switchLanguage(page, code) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator(`header a[hreflang="${code}"]`).click(),
  ]);
}

export async function htmlLangDir(page) {
  return page.evaluate(() => ({
    lang: document.documentElement.getAttribute('lang'),
    dir: document.documentElement.getAttribute('dir'),
  }));
}

const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => {
          const summary = (n.failureSummary || '').replace(/\s+/g, ' ').trim();
          return `    - ${n.target.join(' ')}\n      html: ${n.html}\n      ${summary}`;
        })
        .join('\n');
      return `  * ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
}

/**
 * Runs axe (WCAG 2 A and AA rules) on the current page and fails on any violation of
 * impact serious or critical, listing rule, impact and the elements concerned. Every
 * violation found (of any impact) is also written to test-results/axe-<label>.json.
 */
export async function assertAccessible(page, label) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  assert.ok(results.passes.length > 0, `axe checked nothing on ${label}: was the page empty?`);
  const file = label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
  if (results.violations.length > 0) {
    await mkdir(resultsDir, { recursive: true });
    await writeFile(
      path.join(resultsDir, `axe-${file}.json`),
      JSON.stringify({ page: label, url: page.url(), violations: results.violations }, null, 2),
    );
  }
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) {
    const text = `axe found ${bad.length} serious/critical violation(s) on ${label} (${page.url()}):\n${describeViolations(bad)}`;
    console.error(text);
    assert.fail(text);
  }
}
