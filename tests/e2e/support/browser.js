// Debian's Chromium driven by playwright-core (no browser download), with a fresh profile.

import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium with a temp user-data dir. `locale` sets navigator.language and the
 * Accept-Language header, so the app's first language is predictable (Italian by default).
 */
export async function launchBrowser({ baseURL, locale = 'it-IT' } = {}) {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'sprint-e2e-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      baseURL,
      locale,
      viewport: { width: 1280, height: 900 },
    });
  } catch (e) {
    await rm(userDataDir, { recursive: true, force: true });
    throw e;
  }
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  // An interrupted run leaves no profile behind (Chromium itself goes with its parent).
  const onSignal = (signal) => {
    rmSync(userDataDir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const close = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await context.close().catch(() => {});
    await rm(userDataDir, { recursive: true, force: true });
  };
  return { context, close };
}
