// Load test: simulated operators using SPRInt's real pages, each with its own session.
//
//     BASES=http://127.0.0.1:8101 DURATION=30 node bench/load/load.mjs
//
// Each operator signs in once (GET /login, POST /login), reads its session's CSRF token
// from a page, prepares its own records (a case of its organisation, its own planned
// inspection), then loops: a random think time (100–500 ms), then one operation drawn
// from its kind's weighted mix. The first WARMUP seconds are not counted; the next
// DURATION seconds are. Latency is that of the single request of an operation (POST
// redirects are not followed). Writes a JSON and a markdown summary to OUT_DIR and prints
// the markdown; exits 1 if any request failed (5xx, network, unexpected 4xx, 409, or an
// unexpected success status), 0 otherwise.
//
// Environment (all optional):
//   BASES              comma-separated base URLs; operators are assigned round-robin
//                      (default http://127.0.0.1:8080)
//   OPERATORS          number of simulated operators (default 200)
//   DURATION           measured seconds (default 300)
//   WARMUP             seconds run before measuring, not counted (default 10)
//   MIX                operators per account, scaled to OPERATORS
//                      (default chiara:120,giulia:60,paolo:20)
//   THINK_MIN_MS / THINK_MAX_MS   think time between operations (default 100 / 500)
//   SETUP_CONCURRENCY  operators signing in and preparing at once (default 16)
//   TIMEOUT_MS         a request unanswered this long is a network error (default 60000)
//   PASSWORD           of the demo accounts (default Demo-Roma-2026)
//   CASE_ORG           organisation whose cases chiara writes notes to (default Programma Integra)
//   LABEL              name of this run, used in the output file names (default run)
//   OUT_DIR            where the summaries go (default bench/load/data beside this file)
//   NOTE               free text recorded in the summary (e.g. the engine and scale)

import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

// --- configuration ---------------------------------------------------------------------

function envInt(name, dflt) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`${name} must be a non-negative number, not "${raw}"`);
  }
  return n;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CFG = {
  bases: (process.env.BASES || 'http://127.0.0.1:8080')
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean),
  operators: envInt('OPERATORS', 200),
  duration: envInt('DURATION', 300),
  warmup: envInt('WARMUP', 10),
  mix: process.env.MIX || 'chiara:120,giulia:60,paolo:20',
  thinkMin: envInt('THINK_MIN_MS', 100),
  thinkMax: envInt('THINK_MAX_MS', 500),
  setupConcurrency: Math.max(1, envInt('SETUP_CONCURRENCY', 16)),
  timeoutMs: envInt('TIMEOUT_MS', 60000),
  password: process.env.PASSWORD || 'Demo-Roma-2026',
  caseOrg: process.env.CASE_ORG || 'Programma Integra',
  label: (process.env.LABEL || 'run').replace(/[^A-Za-z0-9._-]/g, '-'),
  outDir: process.env.OUT_DIR || path.join(HERE, 'data'),
  note: process.env.NOTE || '',
};
if (CFG.thinkMax < CFG.thinkMin) CFG.thinkMax = CFG.thinkMin;

// Common given and family names of the register's main origins: the first searches, and
// the seed from which the names actually present in the register are gathered.
const COMMON_NAMES = [
  'Mohamed', 'Ahmed', 'Hossain', 'Diallo', 'Camara', 'Tesfay', 'Ali', 'Khan',
  'Islam', 'Rahman', 'Traore', 'Coulibaly', 'Ibrahim', 'Hassan', 'Omar', 'Kone',
];

// What each kind of operator does, with the weights of the overall mix (renormalised
// within a kind by the weighted draw).
const KINDS = {
  chiara: { ops: { search: 35, open_person: 30, case_note: 15 } },
  giulia: { ops: { search: 35, contact: 15 } },
  paolo: { ops: { inspection_answer: 5 } },
};
const OP_ORDER = ['search', 'open_person', 'case_note', 'contact', 'inspection_answer'];
const OP_LABEL = {
  search: 'search the register (GET /people?q=)',
  open_person: 'open a person (GET /people/{id})',
  case_note: 'add a case note (POST /cases/{id}/notes)',
  contact: 'log a front-office contact (POST /front-office)',
  inspection_answer: 'save an inspection answer (POST /inspections/{id}/answer)',
};

// --- HTTP ------------------------------------------------------------------------------

const agents = new Map();
function agentFor(url) {
  const key = `${url.protocol}//${url.host}`;
  let a = agents.get(key);
  if (!a) {
    const Agent = url.protocol === 'https:' ? https.Agent : http.Agent;
    // One socket per operator at most: each has a single request in flight.
    a = new Agent({ keepAlive: true, maxSockets: CFG.operators + 16, maxFreeSockets: CFG.operators + 16 });
    agents.set(key, a);
  }
  return a;
}

function formBody(pairs) {
  return pairs
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`.replace(/%20/g, '+'))
    .join('&');
}

/**
 * One request. Resolves (never rejects) with { status, headers, body, ms, netError }:
 * status 0 and netError set when no answer came.
 */
function request(base, method, pathAndQuery, { cookie, form, accept } = {}) {
  const url = new URL(base + pathAndQuery);
  const lib = url.protocol === 'https:' ? https : http;
  const headers = { 'User-Agent': 'sprint-load-test', Accept: accept || 'text/html' };
  if (cookie) headers.Cookie = cookie;
  let payload = null;
  if (form) {
    payload = Buffer.from(formBody(form));
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(payload.length);
  }
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, ms: performance.now() - started });
    };
    const req = lib.request(
      url,
      { method, headers, agent: agentFor(url) },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), netError: null }),
        );
        res.on('error', (e) => done({ status: 0, headers: {}, body: '', netError: e.code || e.message }));
      },
    );
    req.setTimeout(CFG.timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => done({ status: 0, headers: {}, body: '', netError: e.code || e.message }));
    if (payload) req.write(payload);
    req.end();
  });
}

/** The value of cookie NAME among a response's Set-Cookie headers, or null. */
function setCookie(res, name) {
  const list = res.headers['set-cookie'] || [];
  for (const line of list) {
    const m = line.match(/^([^=]+)=([^;]*)/);
    if (m && m[1].trim() === name && m[2] !== '') return m[2];
  }
  return null;
}

// --- reading pages ----------------------------------------------------------------------

const UUID = '[0-9a-fA-F-]{36}';

function csrfOf(html) {
  const m = html.match(/<input type="hidden" name="csrf" value="([^"]+)"/);
  return m ? m[1] : null;
}

function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The records a search lists that the searcher may open (others offer to ask for access). */
function personIdsOf(html) {
  const out = new Set();
  for (const m of html.matchAll(new RegExp(`class="open-record" href="/people/(${UUID})"`, 'g'))) out.add(m[1]);
  return [...out];
}

function valuesOf(html, name) {
  const out = [];
  const re = new RegExp(`<input type="(?:checkbox|radio)"[^>]*name="${name}"[^>]*value="([^"]*)"`, 'g');
  for (const m of html.matchAll(re)) out.push(m[1]);
  return out;
}

// --- statistics ------------------------------------------------------------------------

const ERROR_KINDS = ['server_5xx', 'network', 'unexpected_4xx', 'conflict_409', 'unexpected_status'];
const MAX_EXAMPLES = 5;

function newStats() {
  return { samples: [], count: 0, ok: 0, errors: Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])), examples: [] };
}

const state = {
  phase: 'setup', // setup | warmup | measure | after | done
  measureStart: 0,
  measureEnd: Infinity,
  stopping: false,
};
const measured = new Map(); // op -> stats
const warmup = new Map(); // op -> stats (counted for errors only)
const setup = new Map(); // setup step -> stats
const after = new Map(); // pages fetched once after the run -> stats
const afterBytes = {}; // page -> body size in bytes
const perBase = new Map(); // base -> stats (measured requests)

function statsIn(map, key) {
  let s = map.get(key);
  if (!s) {
    s = newStats();
    map.set(key, s);
  }
  return s;
}

function classify(res, expect) {
  if (res.status === 0) return 'network';
  if (res.status >= 500) return 'server_5xx';
  if (res.status === 409) return 'conflict_409';
  if (expect(res)) return null;
  if (res.status >= 400) return 'unexpected_4xx';
  return 'unexpected_status';
}

function excerpt(body) {
  return body
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 400);
}

function record(map, key, res, kind, ctx) {
  const s = statsIn(map, key);
  s.count += 1;
  s.samples.push(res.ms);
  if (kind === null) {
    s.ok += 1;
  } else {
    s.errors[kind] += 1;
    if (s.examples.length < MAX_EXAMPLES) {
      s.examples.push({
        kind,
        at_s: Number(((performance.now() - t0) / 1000).toFixed(3)),
        phase: state.phase,
        operator: ctx.op ? ctx.op.name : null,
        base: ctx.base,
        request: `${ctx.method} ${ctx.path}`,
        status: res.status,
        network_error: res.netError,
        location: res.headers && res.headers.location ? res.headers.location : null,
        body: res.body ? excerpt(res.body) : '',
      });
    }
  }
}

/**
 * Sends one request of operation OP for operator O and records it in the phase's tables.
 * EXPECT(res) says whether the answer is the expected success. Returns the response and
 * whether it succeeded.
 */
async function timed(o, opName, method, pathAndQuery, opts, expect) {
  const startedAt = performance.now();
  const res = await request(o.base, method, pathAndQuery, { cookie: o.cookie, ...opts });
  const kind = classify(res, expect);
  const ctx = { op: o, base: o.base, method, path: pathAndQuery };
  if (state.phase === 'setup') {
    record(setup, opName, res, kind, ctx);
  } else if (state.phase === 'after') {
    record(after, opName, res, kind, ctx);
    afterBytes[opName] = Buffer.byteLength(res.body || '');
  } else if (startedAt >= state.measureStart && startedAt < state.measureEnd) {
    record(measured, opName, res, kind, ctx);
    record(perBase, o.base, res, kind, ctx);
  } else {
    record(warmup, opName, res, kind, ctx);
  }
  return { res, ok: kind === null };
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

function summarise(s, seconds) {
  const sorted = Float64Array.from(s.samples).sort();
  const errors = ERROR_KINDS.reduce((n, k) => n + s.errors[k], 0);
  const r = (x) => (x === null ? null : Number(x.toFixed(2)));
  return {
    count: s.count,
    ok: s.ok,
    errors_total: errors,
    errors: { ...s.errors },
    requests_per_s: seconds > 0 ? Number((s.count / seconds).toFixed(2)) : null,
    latency_ms: {
      p50: r(percentile(sorted, 0.5)),
      p90: r(percentile(sorted, 0.9)),
      p99: r(percentile(sorted, 0.99)),
      max: r(sorted.length ? sorted[sorted.length - 1] : null),
      mean: r(sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null),
    },
    examples: s.examples,
  };
}

function merged(maps) {
  const all = newStats();
  for (const s of maps) {
    all.count += s.count;
    all.ok += s.ok;
    for (const k of ERROR_KINDS) all.errors[k] += s.errors[k];
    for (const x of s.samples) all.samples.push(x);
  }
  return all;
}

// --- helpers -----------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
const think = () => CFG.thinkMin + Math.random() * (CFG.thinkMax - CFG.thinkMin);

function weighted(ops) {
  const entries = Object.entries(ops);
  const total = entries.reduce((n, [, w]) => n + w, 0);
  let x = Math.random() * total;
  for (const [name, w] of entries) {
    x -= w;
    if (x < 0) return name;
  }
  return entries[entries.length - 1][0];
}

class SetupError extends Error {}

function setupFail(o, what, res) {
  const detail = res.status === 0 ? `network error ${res.netError}` : `HTTP ${res.status}`;
  const body = res.body ? `: ${excerpt(res.body).slice(0, 300)}` : '';
  return new SetupError(`${o.name} (${o.base}): ${what} failed (${detail})${body}`);
}

/** Operators per account: MIX scaled to OPERATORS, every listed account at least once. */
function planOperators() {
  const parts = CFG.mix.split(',').map((p) => {
    const [user, n] = p.split(':').map((s) => s.trim());
    if (!KINDS[user]) throw new Error(`MIX: unknown account "${user}" (known: ${Object.keys(KINDS).join(', ')})`);
    const w = Number(n);
    if (!Number.isFinite(w) || w <= 0) throw new Error(`MIX: bad count in "${p}"`);
    return { user, w };
  });
  if (CFG.operators < parts.length) {
    throw new Error(`OPERATORS (${CFG.operators}) must be at least the number of accounts in MIX (${parts.length})`);
  }
  const total = parts.reduce((n, p) => n + p.w, 0);
  const counts = parts.map((p) => Math.max(1, Math.floor((p.w / total) * CFG.operators)));
  // Hand out the remainder (or take back an excess) from the largest shares.
  const order = parts.map((_, i) => i).sort((a, b) => parts[b].w - parts[a].w);
  let sum = counts.reduce((a, b) => a + b, 0);
  for (let i = 0; sum < CFG.operators; i = (i + 1) % order.length, sum++) counts[order[i]] += 1;
  for (let i = 0; sum > CFG.operators; i = (i + 1) % order.length) {
    if (counts[order[i]] > 1) {
      counts[order[i]] -= 1;
      sum--;
    }
  }
  const ops = [];
  const seen = {};
  // Interleave kinds so each base gets a share of every kind.
  const queue = parts.map((p, i) => ({ user: p.user, left: counts[i] }));
  while (queue.some((q) => q.left > 0)) {
    for (const q of queue) {
      if (q.left <= 0) continue;
      q.left -= 1;
      seen[q.user] = (seen[q.user] || 0) + 1;
      const n = ops.length;
      ops.push({
        name: `${q.user}#${seen[q.user]}`,
        user: q.user,
        index: seen[q.user] - 1,
        base: CFG.bases[n % CFG.bases.length],
        cookie: null,
        csrf: null,
        seq: 0,
      });
    }
  }
  return ops;
}

// --- signing in and preparing ------------------------------------------------------------

async function signIn(o) {
  o.cookie = null;
  const { res: page, ok } = await timed(o, 'GET /login', 'GET', '/login', {}, (r) => r.status === 200);
  if (!ok) throw setupFail(o, 'GET /login', page);
  const pre = setCookie(page, 'sprint_pre');
  const csrf = csrfOf(page.body);
  if (!pre || !csrf) throw setupFail(o, 'GET /login (no sprint_pre cookie or csrf input)', page);
  o.cookie = `sprint_pre=${pre}`;
  const form = [['username', o.user], ['password', CFG.password], ['csrf', csrf], ['next', '/']];
  const { res, ok: ok2 } = await timed(o, 'POST /login', 'POST', '/login', { form }, (r) => r.status === 303);
  const session = setCookie(res, 'sprint_session');
  if (!ok2 || !session) throw setupFail(o, `POST /login as ${o.user}`, res);
  o.cookie = `sprint_session=${session}`;
}

async function getPage(o, label, p) {
  const { res, ok } = await timed(o, label, 'GET', p, {}, (r) => r.status === 200);
  if (!ok) throw setupFail(o, `GET ${p}`, res);
  const csrf = csrfOf(res.body);
  if (!csrf) throw setupFail(o, `GET ${p} (no csrf input)`, res);
  o.csrf = csrf;
  return res.body;
}

/** Own-organisation case ids on a /cases worklist. */
function ownCasesOf(html) {
  const ids = [];
  for (const m of html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
    const row = m[1];
    const id = row.match(new RegExp(`href="/cases/(${UUID})"`));
    const cells = [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => decodeEntities(c[1].trim()));
    if (id && cells.length && cells[cells.length - 1] === CFG.caseOrg) ids.push(id[1]);
  }
  return [...new Set(ids)];
}

const shared = { queries: [...COMMON_NAMES], personIds: [], casesShared: false };

/** Gathers names and person ids from the register, through one case worker's searches. */
async function bootstrap() {
  const o = { name: 'bootstrap', user: 'chiara', base: CFG.bases[0], cookie: null, csrf: null, seq: 0 };
  await signIn(o);
  const names = new Set();
  const ids = new Set();
  for (const q of COMMON_NAMES) {
    const { res, ok } = await timed(o, 'GET /people?q= (bootstrap)', 'GET', `/people?q=${encodeURIComponent(q)}`, {}, (r) => r.status === 200);
    if (!ok) throw setupFail(o, `search for ${q}`, res);
    for (const m of res.body.matchAll(/<p class="match-name"><strong><a href="[^"]*"><bdi>([^<]+)<\/bdi>/g)) {
      const n = decodeEntities(m[1]).trim();
      if (n) names.add(n);
    }
    for (const id of personIdsOf(res.body)) ids.add(id);
  }
  // A mix of single common names (many hits) and full names seen in the register.
  const full = [...names];
  for (let i = full.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [full[i], full[j]] = [full[j], full[i]];
  }
  shared.queries = [...COMMON_NAMES, ...full.slice(0, 300)];
  shared.personIds = [...ids];
  if (shared.personIds.length === 0) {
    throw new SetupError('bootstrap: no person links in the search results of the common names (is the database seeded?)');
  }
  return { names: names.size, ids: ids.size };
}

let chiaraCases = null;
const prepare = {
  async chiara(o) {
    const html = await getPage(o, 'GET /cases', '/cases');
    const own = ownCasesOf(html);
    if (own.length === 0) throw setupFail(o, `finding a case of ${CFG.caseOrg} on /cases`, { status: 200, body: '' });
    if (!chiaraCases) chiaraCases = own;
    const list = chiaraCases;
    if (o.index >= list.length) shared.casesShared = true;
    o.caseId = list[o.index % list.length];
    o.personIds = shared.personIds.slice();
  },
  async giulia(o) {
    const html = await getPage(o, 'GET /front-office', '/front-office');
    o.topics = valuesOf(html, 'topics');
    o.outcomes = valuesOf(html, 'outcome');
    o.digital = valuesOf(html, 'digital');
    o.languages = [...html.matchAll(/<option value="([a-z]{2,3})" lang=/g)].map((m) => m[1]);
    if (!o.topics.length || !o.outcomes.length || !o.languages.length) {
      throw setupFail(o, 'reading the front-office form (topics, outcomes, languages)', { status: 200, body: '' });
    }
  },
  async paolo(o) {
    const html = await getPage(o, 'GET /inspections/new', '/inspections/new');
    const select = html.match(/<select id="centre_id"[\s\S]*?<\/select>/);
    const centres = select ? [...select[0].matchAll(new RegExp(`<option value="(${UUID})"`, 'g'))].map((m) => m[1]) : [];
    const me = html.match(new RegExp(`name="team" id="team-(${UUID})" value="${UUID}" checked`));
    const on = html.match(/name="planned_on" value="([0-9-]+)"/);
    if (!centres.length || !me || !on) throw setupFail(o, 'reading the inspection plan form', { status: 200, body: '' });
    const form = [
      ['csrf', o.csrf],
      ['centre_id', centres[o.index % centres.length]],
      ['kind', 'unannounced'],
      ['planned_on', on[1]],
      ['team', me[1]],
    ];
    const { res, ok } = await timed(o, 'POST /inspections', 'POST', '/inspections', { form }, (r) => r.status === 303);
    const loc = res.headers && res.headers.location ? res.headers.location : '';
    const id = loc.match(new RegExp(`^/inspections/(${UUID})$`));
    if (!ok || !id) throw setupFail(o, 'planning an inspection (POST /inspections)', res);
    o.inspectionId = id[1];
    const sheet = await getPage(o, 'GET /inspections/{id}', `/inspections/${o.inspectionId}`);
    o.items = [];
    const re = /data-item="([^"]+)" data-kind="(yes_no|number)" data-rev="(\d+)"/g;
    for (const m of sheet.matchAll(re)) o.items.push({ id: decodeEntities(m[1]), kind: m[2], rev: Number(m[3]), n: 0 });
    if (!o.items.length) throw setupFail(o, 'finding yes/no or number items on the inspection sheet', { status: 200, body: '' });
  },
};

// --- operations ----------------------------------------------------------------------------

const operations = {
  async search(o) {
    const q = pick(shared.queries);
    const { res, ok } = await timed(o, 'search', 'GET', `/people?q=${encodeURIComponent(q)}`, {}, (r) => r.status === 200);
    if (ok && o.personIds) {
      for (const id of personIdsOf(res.body)) {
        if (o.personIds.length < 300) o.personIds.push(id);
        else o.personIds[Math.floor(Math.random() * o.personIds.length)] = id;
      }
    }
  },
  async open_person(o) {
    await timed(o, 'open_person', 'GET', `/people/${pick(o.personIds)}`, {}, (r) => r.status === 200);
  },
  async case_note(o) {
    o.seq += 1;
    const form = [['csrf', o.csrf], ['body', `Load test: follow-up call ${o.seq} by ${o.name} at ${new Date().toISOString()}.`]];
    await timed(o, 'case_note', 'POST', `/cases/${o.caseId}/notes`, { form }, (r) =>
      r.status === 303 && String(r.headers.location || '').startsWith(`/cases/${o.caseId}`),
    );
  },
  async contact(o) {
    const form = [['csrf', o.csrf], ['form_token', randomBytes(16).toString('hex')]];
    const topics = new Set([pick(o.topics)]);
    if (Math.random() < 0.3) topics.add(pick(o.topics));
    for (const t of topics) form.push(['topics', t]);
    form.push(['language', pick(o.languages)]);
    form.push(['outcome', Math.random() < 0.7 ? 'informed' : pick(o.outcomes)]);
    if (o.digital.length && Math.random() < 0.3) form.push(['digital', pick(o.digital)]);
    if (Math.random() < 0.5) {
      form.push(['sex', pick(['female', 'male'])]);
      form.push(['age_band', pick(['18-24', '25-34', '35-54'])]);
    }
    await timed(o, 'contact', 'POST', '/front-office', { form }, (r) =>
      r.status === 303 && String(r.headers.location || '').startsWith('/front-office'),
    );
  },
  async inspection_answer(o) {
    const item = pick(o.items);
    item.n += 1;
    const value = item.kind === 'yes_no' ? ['yes', 'no', 'na'][item.n % 3] : String(item.n % 50);
    const form = [
      ['csrf', o.csrf],
      ['item', item.id],
      ['value', value],
      ['note', `Load test answer ${item.n} by ${o.name}`],
      ['rev', String(item.rev)],
    ];
    const { res } = await timed(o, 'inspection_answer', 'POST', `/inspections/${o.inspectionId}/answer`, { form, accept: 'application/json' }, (r) => {
      if (r.status !== 200) return false;
      try {
        return typeof JSON.parse(r.body).rev === 'number';
      } catch {
        return false;
      }
    });
    // Follow the revision the server holds, as the page's script does (also after a 409).
    try {
      const j = JSON.parse(res.body);
      if (typeof j.rev === 'number') item.rev = j.rev;
    } catch {
      /* not JSON: already recorded as an error */
    }
  },
};

async function runOperator(o) {
  const ops = KINDS[o.user].ops;
  while (!state.stopping) {
    await sleep(think());
    if (state.stopping || performance.now() >= state.measureEnd) break;
    const op = weighted(ops);
    await operations[op](o);
  }
}

// --- report ------------------------------------------------------------------------------

function fmt(x) {
  return x === null || x === undefined ? '–' : x.toFixed(1);
}

function tableRow(label, s) {
  const e = s.errors;
  return `| ${label} | ${s.count} | ${s.requests_per_s ?? '–'} | ${fmt(s.latency_ms.p50)} | ${fmt(s.latency_ms.p90)} | ${fmt(s.latency_ms.p99)} | ${fmt(s.latency_ms.max)} | ${e.server_5xx} | ${e.network} | ${e.unexpected_4xx} | ${e.conflict_409} | ${e.unexpected_status} |`;
}

const TABLE_HEAD = [
  '| operation | count | requests/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | 5xx | network | unexpected 4xx | 409 | other unexpected |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];

function markdown(r) {
  const lines = [];
  lines.push(`# Load test: ${r.label}`);
  lines.push('');
  lines.push(`**Result: ${r.pass ? 'PASS' : 'FAIL'}** — ${r.errors_total} error(s) (measured ${r.overall.errors_total}, warm-up ${r.warmup_errors}, setup ${r.setup_errors}, after the run ${r.after_errors}).`);
  lines.push('');
  lines.push(`- date: ${r.started_at}`);
  if (r.note) lines.push(`- run: ${r.note}`);
  lines.push(`- machine: ${r.machine.cpus} cores, ${r.machine.memory_gib} GiB, ${r.machine.platform}; load average at the start ${r.machine.loadavg_start.join(' ')}, at the end ${r.machine.loadavg_end.join(' ')}`);
  lines.push(`- bases: ${r.config.bases.join(', ')} (operators assigned round-robin)`);
  lines.push(`- operators: ${r.config.operators} (${Object.entries(r.operators_by_account).map(([u, n]) => `${n} ${u}`).join(', ')}), each with its own session`);
  lines.push(`- measured ${r.config.duration} s after a ${r.config.warmup} s warm-up; think time ${r.config.think_ms[0]}–${r.config.think_ms[1]} ms; client: Node ${process.versions.node}, node:http with keep-alive, ${r.client_cpu_s.user + r.client_cpu_s.system} s of CPU over the whole run`);
  lines.push(`- mixes: ${Object.entries(KINDS).map(([u, k]) => `${u}: ${Object.entries(k.ops).map(([op, w]) => `${op} ${w}`).join(', ')}`).join('; ')} (weights renormalised per account)`);
  if (r.cases_shared) lines.push(`- fewer cases of ${CFG.caseOrg} than case-worker operators: some share a case (notes are only added, so no conflict is possible)`);
  lines.push('');
  lines.push(...TABLE_HEAD);
  for (const op of OP_ORDER) if (r.operations[op]) lines.push(tableRow(OP_LABEL[op], r.operations[op]));
  lines.push(tableRow('**all operations**', r.overall));
  lines.push('');
  if (r.config.bases.length > 1) {
    lines.push('Per instance (measured requests):');
    lines.push('');
    lines.push(...TABLE_HEAD);
    for (const [b, s] of Object.entries(r.per_base)) lines.push(tableRow(b, s));
    lines.push('');
  }
  lines.push('Setup (sign-in and preparation, not in the figures above):');
  lines.push('');
  lines.push(...TABLE_HEAD);
  for (const [k, s] of Object.entries(r.setup)) lines.push(tableRow(k, s));
  lines.push('');
  if (Object.keys(r.after_run).length) {
    lines.push('After the run (each page once, as its operators find it after their writes):');
    lines.push('');
    lines.push('| page | status | latency (ms) | size (bytes) |');
    lines.push('| --- | --- | ---: | ---: |');
    for (const [k, s] of Object.entries(r.after_run)) {
      lines.push(`| ${k} | ${s.errors_total ? 'error' : 'ok'} | ${fmt(s.latency_ms.max)} | ${s.bytes} |`);
    }
    lines.push('');
  }
  const examples = [];
  const add = (where, s) => {
    for (const x of s.examples || []) examples.push({ where, ...x });
  };
  for (const [k, s] of Object.entries(r.setup)) add(`setup ${k}`, s);
  for (const [k, s] of Object.entries(r.warmup)) add(`warm-up ${k}`, s);
  for (const [k, s] of Object.entries(r.after_run)) add(`after the run ${k}`, s);
  for (const [k, s] of Object.entries(r.operations)) add(k, s);
  if (r.setup_failure) {
    lines.push(`Setup failed: ${r.setup_failure}`);
    lines.push('');
  }
  if (examples.length) {
    lines.push('First errors (at most 5 per operation and phase):');
    lines.push('');
    for (const x of examples) {
      const what = x.status === 0 ? `network error ${x.network_error}` : `HTTP ${x.status}`;
      const loc = x.location ? ` → ${x.location}` : '';
      lines.push(`- ${x.where} at ${x.at_s} s, ${x.operator} on ${x.base}: \`${x.request}\` ${what}${loc}${x.body ? ` — “${x.body.slice(0, 200)}”` : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

// --- main ----------------------------------------------------------------------------------

const t0 = performance.now();

async function main() {
  if (!CFG.bases.length) throw new Error('BASES is empty');
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg().map((x) => Number(x.toFixed(2)));
  const ops = planOperators();
  const byAccount = {};
  for (const o of ops) byAccount[o.user] = (byAccount[o.user] || 0) + 1;
  const log = (m) => process.stderr.write(`[load ${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);

  let setupFailure = null;
  process.on('SIGINT', () => {
    log('interrupted: stopping the operators');
    state.stopping = true;
  });

  try {
    log(`bootstrap: gathering names and person ids on ${CFG.bases[0]}`);
    const b = await bootstrap();
    log(`bootstrap: ${b.names} names, ${b.ids} person ids; ${shared.queries.length} search terms`);
    log(`setup: signing in ${ops.length} operators (${Object.entries(byAccount).map(([u, n]) => `${n} ${u}`).join(', ')}), ${CFG.setupConcurrency} at a time`);
    let next = 0;
    const worker = async () => {
      while (next < ops.length && !state.stopping) {
        const o = ops[next++];
        await signIn(o);
        await prepare[o.user](o);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CFG.setupConcurrency, ops.length) }, worker));
  } catch (e) {
    if (!(e instanceof SetupError)) throw e;
    setupFailure = e.message;
    log(`setup failed: ${e.message}`);
  }

  if (!setupFailure && !state.stopping) {
    const now = performance.now();
    state.phase = 'warmup';
    state.measureStart = now + CFG.warmup * 1000;
    state.measureEnd = state.measureStart + CFG.duration * 1000;
    log(`running: ${CFG.warmup} s warm-up, then ${CFG.duration} s measured`);
    const timers = [
      setTimeout(() => {
        state.phase = 'measure';
        log('warm-up over: measuring');
      }, CFG.warmup * 1000),
    ];
    const progress = setInterval(() => {
      if (state.phase !== 'measure') return;
      const all = merged([...measured.values()]);
      const errs = ERROR_KINDS.reduce((n, k) => n + all.errors[k], 0);
      const secs = (performance.now() - state.measureStart) / 1000;
      log(`measuring: ${all.count} requests (${(all.count / Math.max(secs, 0.001)).toFixed(0)}/s), ${errs} errors`);
    }, 15000);
    await Promise.all(ops.map((o) => runOperator(o)));
    timers.forEach(clearTimeout);
    clearInterval(progress);
    // The pages each kind lands on after its writes, once, now that the run has added to
    // them (the front office lists all of the day's contacts of the organisation).
    state.phase = 'after';
    const firstOf = (u) => ops.find((o) => o.user === u);
    const probes = [
      ['chiara', 'GET /cases', () => '/cases'],
      ['chiara', 'GET /cases/{id}', (o) => `/cases/${o.caseId}`],
      ['giulia', 'GET /front-office', () => '/front-office'],
      ['paolo', 'GET /inspections/{id}', (o) => `/inspections/${o.inspectionId}`],
    ];
    for (const [user, label, p] of probes) {
      const o = firstOf(user);
      if (o) await timed(o, label, 'GET', p(o), {}, (r) => r.status === 200);
    }
    state.phase = 'done';
  }

  // Actual measured span: shorter than DURATION only when interrupted.
  const measuredSeconds =
    state.measureStart && performance.now() > state.measureStart
      ? Math.min(CFG.duration, (performance.now() - state.measureStart) / 1000)
      : 0;
  const operations = {};
  for (const op of OP_ORDER) if (measured.has(op)) operations[op] = summarise(measured.get(op), measuredSeconds);
  const overall = summarise(merged([...measured.values()]), measuredSeconds);
  const warm = {};
  for (const [k, s] of warmup) warm[k] = summarise(s, 0);
  const setupSummary = {};
  for (const [k, s] of setup) setupSummary[k] = summarise(s, 0);
  const afterSummary = {};
  for (const [k, s] of after) afterSummary[k] = { ...summarise(s, 0), bytes: afterBytes[k] };
  const perBaseSummary = {};
  for (const [k, s] of perBase) perBaseSummary[k] = summarise(s, measuredSeconds);
  const warmupErrors = Object.values(warm).reduce((n, s) => n + s.errors_total, 0);
  const setupErrors = Object.values(setupSummary).reduce((n, s) => n + s.errors_total, 0);
  const afterErrors = Object.values(afterSummary).reduce((n, s) => n + s.errors_total, 0);
  const errorsTotal = overall.errors_total + warmupErrors + setupErrors + afterErrors;
  const result = {
    label: CFG.label,
    note: CFG.note,
    started_at: startedAt,
    finished_at: new Date().toISOString(),
    pass: errorsTotal === 0 && !setupFailure && !state.stopping && overall.count > 0,
    interrupted: state.stopping,
    setup_failure: setupFailure,
    errors_total: errorsTotal,
    warmup_errors: warmupErrors,
    setup_errors: setupErrors,
    after_errors: afterErrors,
    cases_shared: shared.casesShared,
    config: {
      bases: CFG.bases,
      operators: ops.length,
      duration: CFG.duration,
      measured_seconds: Number(measuredSeconds.toFixed(3)),
      warmup: CFG.warmup,
      think_ms: [CFG.thinkMin, CFG.thinkMax],
      mix: CFG.mix,
      weights: Object.fromEntries(Object.entries(KINDS).map(([u, k]) => [u, k.ops])),
      timeout_ms: CFG.timeoutMs,
    },
    operators_by_account: byAccount,
    client_cpu_s: {
      user: Number((process.cpuUsage().user / 1e6).toFixed(2)),
      system: Number((process.cpuUsage().system / 1e6).toFixed(2)),
    },
    machine: {
      cpus: os.cpus().length,
      memory_gib: Number((os.totalmem() / 2 ** 30).toFixed(1)),
      platform: `${os.type()} ${os.release()}`,
      loadavg_start: loadStart,
      loadavg_end: os.loadavg().map((x) => Number(x.toFixed(2))),
    },
    operations,
    overall,
    per_base: perBaseSummary,
    warmup: warm,
    setup: setupSummary,
    after_run: afterSummary,
  };
  mkdirSync(CFG.outDir, { recursive: true });
  const md = markdown(result);
  writeFileSync(path.join(CFG.outDir, `results-${CFG.label}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(path.join(CFG.outDir, `results-${CFG.label}.md`), md + '\n');
  process.stdout.write(md + '\n');
  for (const a of agents.values()) a.destroy();
  return result.pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`load test failed: ${e.stack || e}\n`);
    process.exit(1);
  },
);
