// Weight on the wire: what each public page (in every public language) and the busiest
// operator pages cost a phone, measured in Debian's Chromium driven by playwright-core.
//
//     LABEL=before node bench/weight/weight.mjs        (bench/weight/run.sh is the entry point)
//
// For every page, in a fresh browser context (empty cache, service worker blocked, viewport
// 360×740):
//   first visit   load the page; sum the bytes of every response as received (CDP
//                 Network.loadingFinished encodedDataLength: headers and body, compressed as
//                 sent), with the number of requests and the bytes by resource type;
//   repeat visit  in the same context, go to about:blank and then to the page again (a
//                 normal navigation, as when following a link to it; not a reload, which
//                 revalidates) and sum the same way;
//   3G            in another fresh context, throttled through CDP
//                 Network.emulateNetworkConditions (latency 300 ms, 204,800 B/s down,
//                 102,400 B/s up): first-contentful-paint and navigation timing loadEventEnd.
// Operator pages: the context signs in first (not counted, on a page that is then closed),
// the browser cache is cleared (CDP Network.clearBrowserCache), and only then is the page
// loaded: "first visit" is the first page after signing in with an empty cache.
//
// The server is started the way the browser tests start it (tests/e2e/support/server.js:
// `sprint serve --demo` on a fresh SQLite file, 127.0.0.1 and a free port).
//
// Environment (all optional):
//   SPRINT_BIN     the binary (default: see tests/e2e/support/server.js)
//   CHROMIUM_BIN   the browser (default /usr/bin/chromium)
//   LABEL          name of the run: data/<LABEL>.json and data/<LABEL>.md (default run)
//   LANGS          public languages to measure, space- or comma-separated (default: every
//                  directory of crates/web/locales-public)
//   PAGES          "public operator" (default) or one of them
//   THROTTLE       1 (default) measures the 3G figures; 0 skips that slower pass
//   OUT_DIR        where the results go (default data/ beside this file)
//   FONTS          bare (default): Chromium sees Latin fonts only, like a phone without the
//                  Ethiopic, Bengali and Arabic-script fonts; system: the machine's fonts
//
// Exit status 1 if a page could not be measured or answered other than 200.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const E2E = path.join(REPO, 'tests', 'e2e');

// playwright-core as the browser tests pin it (tests/e2e/package.json), from their node_modules.
const requireE2E = createRequire(path.join(E2E, 'package.json'));
let chromium;
let playwrightVersion;
try {
  ({ chromium } = requireE2E('playwright-core'));
  playwrightVersion = requireE2E('playwright-core/package.json').version;
} catch (e) {
  console.error(`playwright-core was not found under tests/e2e (run \`cd tests/e2e && npm ci\`): ${e.message}`);
  process.exit(2);
}
// The same start-up as the browser tests: a free port, a fresh database, the demo world.
const { startServer, sprintBinary } = await import(pathToFileURL(path.join(E2E, 'support', 'server.js')).href);
const { CHROMIUM_ARGS } = await import(pathToFileURL(path.join(E2E, 'support', 'browser.js')).href);
const { login } = await import(pathToFileURL(path.join(E2E, 'support', 'app.js')).href);

// --- configuration ---------------------------------------------------------------------

const PASSWORD = 'Demo-Roma-2026';
const VIEWPORT = { width: 360, height: 740 };
// The 3G profile: bytes per second, as CDP takes them.
const THROTTLED = { offline: false, latency: 300, downloadThroughput: 204800, uploadThroughput: 102400 };
// The targets (KB = 1000 bytes).
const TARGETS = {
  public: { firstKB: 60, repeatKB: 10, fcpMs: 1000, loadMs: 2000 },
  operator: { firstKB: 150, repeatKB: 20 },
};
// Languages in the order the platform lists them; any other directory follows.
const LANG_ORDER = ['it', 'en', 'fr', 'es', 'sq', 'uk', 'ar', 'fa', 'ps', 'prs', 'ur', 'ti', 'bn', 'zh', 'tl'];
// Public pages of every language ({code}: a service, found on the language's services list).
const PUBLIC_PAGES = ['/{lang}/', '/{lang}/services', '/{lang}/services/{code}', '/{lang}/guide', '/{lang}/info-points', '/{lang}/book', '/{lang}/booking'];
// Pages in one language only.
const EXTRA_PUBLIC = [
  { path: '/it/open-data', lang: 'it' },
  { path: '/login', lang: 'it' },
];
// The busiest operator pages, with the account that works on each (the demo users are Italian).
const OPERATOR_PAGES = [
  { path: '/', user: 'giulia' },
  { path: '/front-office', user: 'giulia' },
  { path: '/people', user: 'giulia' },
  { path: '/cases', user: 'chiara' },
  { path: '/inbox', user: 'chiara' },
  { path: '/minors', user: 'sara' },
  { path: '/inspections', user: 'paolo' },
];

const label = (process.env.LABEL || 'run').replace(/[^A-Za-z0-9._-]/g, '-');
const outDir = process.env.OUT_DIR || path.join(HERE, 'data');
const throttle = (process.env.THROTTLE ?? '1') !== '0';
const groups = (process.env.PAGES || 'public operator').split(/[\s,]+/).filter(Boolean);
for (const g of groups) {
  if (g !== 'public' && g !== 'operator') throw new Error(`PAGES: unknown group "${g}" (public, operator)`);
}
const available = readdirSync(path.join(REPO, 'crates', 'web', 'locales-public'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const ordered = [...LANG_ORDER.filter((l) => available.includes(l)), ...available.filter((l) => !LANG_ORDER.includes(l)).sort()];
let langs = ordered;
if (process.env.LANGS && process.env.LANGS.trim() !== '') {
  langs = process.env.LANGS.split(/[\s,]+/).filter(Boolean);
  const unknown = langs.filter((l) => !available.includes(l));
  if (unknown.length) throw new Error(`LANGS: no public locale ${unknown.join(', ')} (there are: ${ordered.join(' ')})`);
}

const log = (msg) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// --- recording what crosses the wire ---------------------------------------------------------

const TYPES = { Document: 'document', Stylesheet: 'stylesheet', Script: 'script', Font: 'font', Image: 'image' };
const typeOf = (cdpType) => TYPES[cdpType] || 'other';

/** Collects a page's network events from its CDP session between start() and stop(). */
class Recorder {
  constructor(cdp) {
    this.active = false;
    this.reqs = new Map();
    cdp.on('Network.requestWillBeSent', (e) => {
      if (!this.active || !/^https?:/.test(e.request.url)) return;
      const r = this.reqs.get(e.requestId);
      if (r && e.redirectResponse) {
        // A redirect hop: its response was received; the request goes on under the same id.
        r.redirects.push({ url: r.url, status: e.redirectResponse.status, bytes: e.redirectResponse.encodedDataLength || 0 });
        r.url = e.request.url;
        return;
      }
      this.reqs.set(e.requestId, {
        url: e.request.url,
        method: e.request.method,
        type: typeOf(e.type),
        status: null,
        bytes: 0,
        cached: false,
        done: false,
        failed: null,
        redirects: [],
      });
    });
    cdp.on('Network.requestServedFromCache', (e) => {
      const r = this.reqs.get(e.requestId);
      if (r) r.cached = true;
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = this.reqs.get(e.requestId);
      if (!r) return;
      r.status = e.response.status;
      if (e.type) r.type = typeOf(e.type);
      if (e.response.fromDiskCache || e.response.fromPrefetchCache || e.response.fromServiceWorker) r.cached = true;
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = this.reqs.get(e.requestId);
      if (!r) return;
      r.bytes = e.encodedDataLength || 0;
      r.done = true;
    });
    cdp.on('Network.loadingFailed', (e) => {
      const r = this.reqs.get(e.requestId);
      if (!r) return;
      r.failed = e.canceled ? 'canceled' : e.errorText || 'failed';
      r.done = true;
    });
  }

  start() {
    this.reqs = new Map();
    this.active = true;
  }

  inflight() {
    let n = 0;
    for (const r of this.reqs.values()) if (!r.done) n++;
    return n;
  }

  /** Waits until no request has been open for `quietMs` (at most `maxMs`). */
  async settle(quietMs, maxMs) {
    const deadline = Date.now() + maxMs;
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      if (this.inflight() > 0) quietSince = Date.now();
      else if (Date.now() - quietSince >= quietMs) return true;
      await sleep(25);
    }
    return false;
  }

  /** Stops recording; the visit's totals. A response from the browser's cache costs 0 bytes. */
  stop() {
    this.active = false;
    const byType = { document: 0, stylesheet: 0, script: 0, font: 0, image: 0, other: 0 };
    const requests = [];
    let bytes = 0;
    let network = 0;
    let cached = 0;
    const favicon = [];
    for (const r of this.reqs.values()) {
      // The browser's own request for /favicon.ico (the pages name no icon): made once per
      // browser, after whichever page comes first, so it is kept out of every page's sums
      // and recorded by the warm-up instead.
      if (new URL(r.url).pathname === '/favicon.ico') {
        favicon.push({ status: r.status, bytes: r.bytes });
        continue;
      }
      const redirectBytes = r.redirects.reduce((s, h) => s + h.bytes, 0);
      const b = r.cached ? 0 : r.bytes + redirectBytes;
      bytes += b;
      byType[r.type] += b;
      if (r.cached) cached++;
      else network++;
      const u = new URL(r.url);
      requests.push({
        path: u.pathname + u.search,
        type: r.type,
        status: r.status,
        bytes: b,
        ...(r.cached ? { cached: true } : {}),
        ...(r.redirects.length ? { redirects: r.redirects.map((h) => ({ status: h.status, bytes: h.bytes })) } : {}),
        ...(r.failed ? { failed: r.failed } : {}),
        ...(r.done ? {} : { unfinished: true }),
      });
    }
    return { bytes, requests: requests.length, network, cached, byType, list: requests, ...(favicon.length ? { favicon } : {}) };
  }
}

// --- the browser -----------------------------------------------------------------------------

async function newContext(browser, base) {
  const context = await browser.newContext({
    baseURL: base,
    serviceWorkers: 'block',
    viewport: VIEWPORT,
    locale: 'it-IT',
  });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(90_000);
  return context;
}

/** Signs in with the browser tests' own `login` on a page of its own, then closes it. */
async function signIn(context, username) {
  const page = await context.newPage();
  try {
    await login(page, username, PASSWORD);
  } finally {
    // Closing the page takes its renderer (and what it kept in memory) with it.
    await page.close();
  }
}

/**
 * A page with its CDP session and recorder, in `context`, with the HTTP cache emptied. For
 * an operator page, the context signs in first.
 */
async function preparedPage(context, spec) {
  if (spec.user) await signIn(context, spec.user);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const rec = new Recorder(cdp);
  await cdp.send('Network.clearBrowserCache');
  return { page, cdp, rec };
}

async function visit(page, rec, url, { quietMs, maxMs }) {
  rec.start();
  const res = await page.goto(url, { waitUntil: 'load' });
  await rec.settle(quietMs, maxMs);
  const v = rec.stop();
  v.status = res ? res.status() : null;
  v.finalPath = new URL(page.url()).pathname;
  return v;
}

async function throttleOn(cdp) {
  try {
    await cdp.send('Network.emulateNetworkConditions', THROTTLED);
  } catch (e) {
    // Newer Chromium: the same conditions as one rule matching every URL.
    await cdp.send('Network.emulateNetworkConditionsByRule', {
      offline: false,
      matchedNetworkConditions: [{ urlPattern: '', latency: THROTTLED.latency, downloadThroughput: THROTTLED.downloadThroughput, uploadThroughput: THROTTLED.uploadThroughput }],
    });
  }
}

/** First-contentful-paint and loadEventEnd of the current document, once both are known. */
async function paintTimes(page) {
  return page.evaluate(async () => {
    const deadline = performance.now() + 10_000;
    for (;;) {
      const fcp = performance.getEntriesByName('first-contentful-paint', 'paint')[0];
      const nav = performance.getEntriesByType('navigation')[0];
      const done = nav && nav.loadEventEnd > 0;
      if ((fcp && done) || performance.now() > deadline) {
        return {
          fcp: fcp ? Math.round(fcp.startTime) : null,
          load: done ? Math.round(nav.loadEventEnd) : null,
          ttfb: nav ? Math.round(nav.responseStart) : null,
          dcl: nav ? Math.round(nav.domContentLoadedEventEnd) : null,
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}

async function measure(browser, base, spec) {
  const out = { ...spec };
  {
    const context = await newContext(browser, base);
    try {
      const { page, rec } = await preparedPage(context, spec);
      out.first = await visit(page, rec, spec.path, { quietMs: 300, maxMs: 10_000 });
      await page.goto('about:blank');
      out.repeat = await visit(page, rec, spec.path, { quietMs: 300, maxMs: 10_000 });
    } finally {
      await context.close();
    }
  }
  if (throttle) {
    const context = await newContext(browser, base);
    try {
      const { page, cdp, rec } = await preparedPage(context, spec);
      await throttleOn(cdp);
      const v = await visit(page, rec, spec.path, { quietMs: 500, maxMs: 30_000 });
      const t = await paintTimes(page);
      out.throttled = { ...t, bytes: v.bytes, requests: v.requests, status: v.status };
    } finally {
      await context.close();
    }
  }
  return out;
}

/**
 * One page loaded in a throwaway context before measuring, so that what the browser does
 * once (asking for /favicon.ico, starting its network service) lands on no measured page.
 */
async function warmUp(browser, base) {
  const context = await newContext(browser, base);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const rec = new Recorder(cdp);
    const v = await visit(page, rec, `/${langs[0] || 'it'}/`, { quietMs: 1000, maxMs: 10_000 });
    return { path: `/${langs[0] || 'it'}/`, status: v.status, favicon: v.favicon || [] };
  } finally {
    await context.close();
  }
}

// --- the pages -----------------------------------------------------------------------------------

/** A service code from a language's services list (the first service linked). */
async function serviceCode(base, lang) {
  const res = await fetch(`${base}/${lang}/services`);
  const html = await res.text();
  const re = new RegExp(`href="/${lang}/services/([^"/?#]+)"`, 'g');
  const m = re.exec(html);
  return m ? decodeURIComponent(m[1]) : null;
}

async function pageList(base) {
  const pages = [];
  if (groups.includes('public')) {
    for (const lang of langs) {
      const code = await serviceCode(base, lang);
      for (const tpl of PUBLIC_PAGES) {
        if (tpl.includes('{code}') && !code) {
          pages.push({ group: 'public', lang, path: tpl.replace('{lang}', lang), missing: 'no service linked from the services list' });
          continue;
        }
        pages.push({ group: 'public', lang, path: tpl.replace('{lang}', lang).replace('{code}', encodeURIComponent(code ?? '')) });
      }
    }
    for (const p of EXTRA_PUBLIC) pages.push({ group: 'public', ...p });
  }
  if (groups.includes('operator')) {
    for (const p of OPERATOR_PAGES) pages.push({ group: 'operator', lang: 'it', ...p });
  }
  return pages;
}

// --- the report ------------------------------------------------------------------------------------

const kb = (b) => (b === null || b === undefined ? '—' : (b / 1000).toFixed(1));
const ms = (v) => (v === null || v === undefined ? '—' : String(v));
function median(xs) {
  const s = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const max = (xs) => {
  const s = xs.filter((x) => x !== null && x !== undefined);
  return s.length ? Math.max(...s) : null;
};
const pageName = (r) => (r.user ? `${r.path} (${r.user})` : r.path);
const flagged = (r) => {
  const bad = [];
  if (r.error) bad.push('error');
  else if (r.missing) bad.push('missing');
  else {
    if (r.first && r.first.status !== 200) bad.push(`HTTP ${r.first.status}`);
    if (r.first && r.first.finalPath !== r.path.split('?')[0] && decodeURIComponent(r.first.finalPath) !== decodeURIComponent(r.path)) bad.push(`ended on ${r.first.finalPath}`);
  }
  return bad;
};

function row(r) {
  const bad = flagged(r);
  const name = pageName(r) + (bad.length ? ` **(${bad.join(', ')})**` : '');
  if (!r.first) return `| ${name} | ${r.lang} | — | — | — | — | — | — | — | — |`;
  const f = r.first;
  return `| ${name} | ${r.lang} | ${kb(f.bytes)} | ${f.requests} | ${kb(f.byType.font)} | ${kb(f.byType.stylesheet)} | ${kb(f.byType.script)} | ${kb(r.repeat?.bytes)} | ${ms(r.throttled?.fcp)} | ${ms(r.throttled?.load)} |`;
}

const TABLE_HEAD = [
  '| page | lang | first visit (KB) | requests | fonts (KB) | CSS (KB) | JS (KB) | repeat (KB) | 3G FCP (ms) | 3G load (ms) |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];

function summarise(results) {
  const summary = {};
  for (const group of ['public', 'operator']) {
    const rs = results.filter((r) => r.group === group && r.first);
    if (rs.length === 0) continue;
    const t = TARGETS[group];
    const metric = (values, target, cmp) => ({
      max: max(values),
      median: median(values),
      ...(target !== undefined
        ? { target, meeting: values.filter((v) => v !== null && v !== undefined && cmp(v, target)).length, of: rs.length }
        : {}),
    });
    summary[group] = {
      pages: rs.length,
      first_bytes: metric(rs.map((r) => r.first.bytes), t.firstKB !== undefined ? t.firstKB * 1000 : undefined, (v, x) => v <= x),
      repeat_bytes: metric(rs.map((r) => r.repeat.bytes), t.repeatKB !== undefined ? t.repeatKB * 1000 : undefined, (v, x) => v <= x),
      first_requests: metric(rs.map((r) => r.first.requests)),
      ...(throttle
        ? {
            fcp_3g_ms: metric(rs.map((r) => r.throttled?.fcp ?? null), t.fcpMs, (v, x) => v < x),
            load_3g_ms: metric(rs.map((r) => r.throttled?.load ?? null), t.loadMs, (v, x) => v < x),
          }
        : {}),
    };
  }
  return summary;
}

function summaryTable(summary) {
  const lines = [
    '| group | measure | max | median | target | pages meeting it |',
    '|---|---|---:|---:|---|---:|',
  ];
  const names = {
    first_bytes: ['first visit', (v) => `${kb(v)} KB`, (x) => `≤ ${x / 1000} KB`],
    repeat_bytes: ['repeat visit', (v) => `${kb(v)} KB`, (x) => `≤ ${x / 1000} KB`],
    first_requests: ['requests, first visit', (v) => ms(v), () => '—'],
    fcp_3g_ms: ['3G first contentful paint', (v) => `${ms(v)} ms`, (x) => `< ${x} ms`],
    load_3g_ms: ['3G load', (v) => `${ms(v)} ms`, (x) => `< ${x} ms`],
  };
  for (const [group, s] of Object.entries(summary)) {
    for (const [key, [name, fmt, tfmt]] of Object.entries(names)) {
      const m = s[key];
      if (!m) continue;
      const hasTarget = m.target !== undefined && m.target !== null;
      lines.push(
        `| ${group} (${s.pages} pages) | ${name} | ${m.max === null ? '—' : fmt(m.max)} | ${m.median === null ? '—' : fmt(m.median)} | ${hasTarget ? tfmt(m.target) : '—'} | ${hasTarget ? `${m.meeting} / ${m.of}` : '—'} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Per language: the home page and the heaviest public page (first visit); then the operator pages. */
function compactTable(results) {
  const lines = [...TABLE_HEAD];
  const pub = results.filter((r) => r.group === 'public' && r.first);
  for (const lang of [...new Set(pub.map((r) => r.lang))]) {
    const rs = pub.filter((r) => r.lang === lang && !EXTRA_PUBLIC.some((e) => e.path === r.path));
    const home = rs.find((r) => r.path === `/${lang}/`);
    const worst = rs.reduce((a, b) => (b.first.bytes > a.first.bytes ? b : a), rs[0]);
    if (home) lines.push(row(home));
    if (worst && worst !== home) lines.push(row(worst));
  }
  for (const r of pub.filter((r) => EXTRA_PUBLIC.some((e) => e.path === r.path))) lines.push(row(r));
  for (const r of results.filter((r) => r.group === 'operator')) lines.push(row(r));
  return lines.join('\n');
}

function markdown(report) {
  const { results } = report;
  const out = [];
  out.push(`# Weight on the wire: ${report.label}`);
  out.push('');
  out.push(
    `${report.date}; ${report.sprint}; Chromium ${report.chromium}, playwright-core ${report.playwright}; ` +
      `viewport ${VIEWPORT.width}×${VIEWPORT.height}, service worker blocked. ${results.length} pages, ${report.seconds} s.`,
  );
  out.push('');
  out.push(
    'KB = 1000 bytes, as received: response headers and body (compressed as sent), from CDP ' +
      '`Network.loadingFinished` `encodedDataLength`; a response from the browser cache counts 0. ' +
      '"first visit": fresh context, empty cache (operator pages: signed in first, then the cache ' +
      'cleared); "repeat": the same page again in the same context (a navigation, not a reload); ' +
      (report.throttle
        ? '3G: a fresh context throttled to 300 ms latency, 204,800 B/s down, 102,400 B/s up; FCP from ' +
          "`performance.getEntriesByType('paint')`, load = navigation timing `loadEventEnd`."
        : '3G pass skipped (THROTTLE=0).'),
  );
  const fav = report.warmup?.favicon?.[0];
  if (fav) {
    out.push('');
    out.push(
      `Not in any page's figures: the browser's own request for \`/favicon.ico\` (made once per browser; ` +
        `HTTP ${fav.status}, ${kb(fav.bytes)} KB here), recorded on a warm-up load of ${report.warmup.path}.`,
    );
  }
  out.push('');
  out.push('## Summary');
  out.push('');
  out.push(summaryTable(report.summary));
  out.push('');
  out.push(
    'Targets: public first visit ≤ 60 KB, repeat ≤ 10 KB, 3G first paint < 1000 ms, load < 2000 ms; ' +
      'operator first visit ≤ 150 KB, repeat ≤ 20 KB.',
  );
  const bad = results.filter((r) => flagged(r).length);
  if (bad.length) {
    out.push('');
    out.push('Pages not measured as asked:');
    out.push('');
    for (const r of bad) out.push(`- ${pageName(r)} (${r.lang}): ${flagged(r).join(', ')}${r.error ? `: ${r.error}` : ''}${r.missing ? `: ${r.missing}` : ''}`);
  }
  out.push('');
  out.push('## Per language: home page and heaviest public page; operator pages');
  out.push('');
  out.push(compactTable(results));
  out.push('');
  out.push('## Every page');
  out.push('');
  out.push(...TABLE_HEAD);
  for (const r of results) out.push(row(r));
  out.push('');
  return out.join('\n');
}

// A phone without the scripts' fonts (the worst case, and a common one on cheap phones):
// Chromium sees only Latin fonts through a fontconfig of its own, so `local()` finds no
// Ethiopic, Bengali or Arabic-script font and the page's web fonts are what it gets. This
// machine has Debian's fonts-noto-core, which would hide every font download. FONTS=system
// measures with the machine's fonts instead.
async function bareFonts() {
  if ((process.env.FONTS || 'bare') === 'system') return {};
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sprint-weight-fonts-'));
  const latin = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/truetype/noto']
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d).filter((f) => /^(DejaVuSans|NotoSans-|NotoSerif-|NotoSansMono-)/.test(f)).map((f) => path.join(d, f)));
  for (const f of latin) symlinkSync(f, path.join(dir, path.basename(f)));
  const conf = path.join(dir, 'fonts.conf');
  writeFileSync(conf, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${dir}</dir><cachedir>${dir}/cache</cachedir></fontconfig>\n`);
  log(`fonts: ${latin.length} Latin font files only (FONTS=system for the machine's own)`);
  return { FONTCONFIG_FILE: conf };
}

// --- main ---------------------------------------------------------------------------------------------

const started = Date.now();
const bin = sprintBinary();
let sprintVersion = 'sprint';
try {
  sprintVersion = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim() || sprintVersion;
} catch {
  // an old binary without --version: the name will do
}
log(`starting ${path.basename(bin)} (${sprintVersion})`);
const server = await startServer({ timeoutMs: 120_000 });
const chromiumBin = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
if (!existsSync(chromiumBin)) {
  await server.stop();
  throw new Error(`no browser at ${chromiumBin} (install Debian's chromium or set CHROMIUM_BIN)`);
}
const browser = await chromium.launch({
  executablePath: chromiumBin,
  headless: true,
  args: CHROMIUM_ARGS,
  env: { ...process.env, ...(await bareFonts()) },
});
const chromiumVersion = browser.version();
let status = 0;
let warmup = null;
const results = [];
try {
  warmup = await warmUp(browser, server.url);
  const pages = await pageList(server.url);
  log(`${pages.length} pages on ${server.url}${throttle ? ', with the 3G pass' : ''}`);
  for (const [i, spec] of pages.entries()) {
    if (spec.missing) {
      log(`${spec.path}: skipped (${spec.missing})`);
      results.push(spec);
      status = 1;
      continue;
    }
    const t0 = Date.now();
    let r;
    try {
      r = await measure(browser, server.url, spec);
    } catch (e) {
      r = { ...spec, error: e.message.split('\n')[0] };
    }
    results.push(r);
    if (flagged(r).length) status = 1;
    log(
      `${String(i + 1).padStart(3)}/${pages.length} ${pageName(r)}: ` +
        (r.first
          ? `${r.first.status} first ${kb(r.first.bytes)} KB / ${r.first.requests} req, repeat ${kb(r.repeat.bytes)} KB` +
            (r.throttled ? `, 3G FCP ${ms(r.throttled.fcp)} ms load ${ms(r.throttled.load)} ms` : '')
          : `FAILED ${r.error}`) +
        ` (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
} finally {
  await browser.close().catch(() => {});
}
const serverErrors = server
  .logTail()
  .split('\n')
  .filter((l) => / ERROR |panicked at/.test(l));
await server.stop();

const report = {
  label,
  date: new Date().toISOString(),
  seconds: Math.round((Date.now() - started) / 1000),
  sprint: sprintVersion,
  binary: path.basename(bin),
  chromium: chromiumVersion,
  playwright: playwrightVersion,
  viewport: VIEWPORT,
  throttle: throttle ? THROTTLED : null,
  targets: TARGETS,
  langs,
  warmup,
  server_error_lines: serverErrors,
  summary: summarise(results),
  results,
};
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, `${label}.json`), JSON.stringify(report, null, 2) + '\n');
const md = markdown(report);
writeFileSync(path.join(outDir, `${label}.md`), md);
process.stdout.write(`${summaryTable(report.summary)}\n`);
if (serverErrors.length) {
  log(`the server logged ${serverErrors.length} ERROR line(s); the first: ${serverErrors[0]}`);
  status = 1;
}
log(`wrote data/${label}.json and data/${label}.md (${report.seconds} s)`);
process.exit(status);
