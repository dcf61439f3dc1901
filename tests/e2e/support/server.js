// Starts the already-built `sprint` binary for the browser tests: a free port on the
// loopback, a fresh SQLite file in a temp directory, the demo world seeded (--demo).
// Nothing is built here: CI builds the binary first (`cargo build -p sprint`).

import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

/** Where the binary is: $SPRINT_BIN, else $CARGO_TARGET_DIR/debug/sprint, else the CI cache. */
export function sprintBinary() {
  if (process.env.SPRINT_BIN) {
    if (!existsSync(process.env.SPRINT_BIN)) {
      throw new Error(`SPRINT_BIN=${process.env.SPRINT_BIN} does not exist`);
    }
    return process.env.SPRINT_BIN;
  }
  const candidates = [];
  if (process.env.CARGO_TARGET_DIR) {
    candidates.push(path.join(process.env.CARGO_TARGET_DIR, 'debug', 'sprint'));
  }
  candidates.push(path.join(os.homedir(), '.cache', 'sprint', 'target', 'debug', 'sprint'));
  candidates.push('/root/.cache/sprint/target/debug/sprint');
  candidates.push(path.join(repoRoot, 'target', 'debug', 'sprint'));
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(
      `the sprint binary was not found (tried: ${candidates.join(', ')}); ` +
        'build it with `cargo build -p sprint` or set SPRINT_BIN',
    );
  }
  return found;
}

/** A port that is free on 127.0.0.1 right now. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The environment for the server: ours, less any SPRINT_* setting that could change it. */
function serverEnv(dbUrl, bind) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('SPRINT_')) env[k] = v;
  }
  env.SPRINT_DATABASE_URL = dbUrl;
  env.SPRINT_BIND = bind;
  env.SPRINT_LOG = process.env.SPRINT_E2E_LOG || 'warn';
  return env;
}

async function waitHealthy(url, child, logTail, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `sprint exited before it was ready (code ${child.exitCode}, signal ${child.signalCode})\n${logTail()}`,
      );
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause?.code || e.message;
    }
    await sleep(100);
  }
  throw new Error(`sprint did not answer /healthz with 200 within ${timeoutMs} ms (${last})\n${logTail()}`);
}

/**
 * Starts `sprint serve --demo`. Resolves to { url, stop(), logTail() } once /healthz answers 200.
 */
export async function startServer({ timeoutMs = 60_000 } = {}) {
  const bin = sprintBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sprint-e2e-'));
  const lines = [];
  const keep = (chunk) => {
    for (const l of chunk.toString().split('\n')) {
      if (l.trim() === '') continue;
      lines.push(l);
      if (lines.length > 200) lines.shift();
    }
  };
  const logTail = () => `--- sprint output (last lines) ---\n${lines.slice(-60).join('\n')}\n---`;

  let child;
  let url;
  // A port found free may be taken before the server binds it: try a few times.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(bin, ['serve', '--demo'], {
      cwd: dir, // so that no sprint.toml of the developer is picked up
      env: serverEnv(`sqlite://${path.join(dir, 'e2e.db')}`, `127.0.0.1:${port}`),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    try {
      await waitHealthy(url, child, logTail, timeoutMs);
      break;
    } catch (e) {
      child.kill('SIGKILL');
      const inUse = lines.some((l) => /address already in use/i.test(l));
      if (attempt >= 3 || !inUse) {
        await rm(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }

  // The server must not outlive the test process, even one that is interrupted.
  const killOnExit = () => child.kill('SIGKILL');
  const killOnSignal = (signal) => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.on('exit', killOnExit);
  process.once('SIGINT', killOnSignal);
  process.once('SIGTERM', killOnSignal);

  // A server that dies during the tests makes every later page fail with "connection
  // refused": say why, once, with its last lines of output.
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`sprint (pid ${child.pid}) exited during the tests: code ${code}, signal ${signal}\n${logTail()}`);
    }
  });

  const stop = async () => {
    stopping = true;
    process.off('exit', killOnExit);
    process.off('SIGINT', killOnSignal);
    process.off('SIGTERM', killOnSignal);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const gone = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  return { url, stop, logTail };
}
