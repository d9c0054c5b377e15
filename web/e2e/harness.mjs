// Starts the real relais binary on a free loopback port with a throw-away SQLite database loaded
// with demo data, and a headless Debian Chromium driven by playwright-core (no browser download).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const webDir = resolve(new URL('..', import.meta.url).pathname);
const repoDir = resolve(webDir, '..');

export const DEMO = { email: 'admin@demo.relais.fr', password: 'relais-demo-2026' };

export function relaisBin() {
  // A relative RELAIS_BIN is taken from the current directory, else from the repository root.
  let bin = process.env.RELAIS_BIN ? resolve(process.env.RELAIS_BIN) : join(repoDir, 'build', 'relais');
  if (process.env.RELAIS_BIN && !existsSync(bin)) bin = resolve(repoDir, process.env.RELAIS_BIN);
  if (!existsSync(bin)) throw new Error(`relais binary not found at ${bin} (set RELAIS_BIN)`);
  return bin;
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitHealthy(url, child, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`relais serve exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error('relais serve did not become healthy in time');
}

// extraArgs: more `relais serve` options (e.g. the hidden --self-test-jobs).
export async function startServer({ extraArgs = [] } = {}) {
  // E2E_BASE_URL: drive an already running server (loaded with `relais demo`) instead.
  if (process.env.E2E_BASE_URL) return { url: process.env.E2E_BASE_URL.replace(/\/$/, ''), log: () => '', stop: async () => {} };
  const bin = relaisBin();
  const dist = join(webDir, 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error('web/dist is missing: run `npm run build` in web/ first');
  const dir = mkdtempSync(join(tmpdir(), 'relais-e2e-'));
  const db = `sqlite:${join(dir, 'relais.db')}`;
  const demo = spawnSync(bin, ['demo', '--db', db], { encoding: 'utf8', timeout: 120000 });
  if (demo.status !== 0) throw new Error(`relais demo failed (${demo.status}): ${demo.stderr || demo.stdout}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--web-root', dist, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  try {
    await waitHealthy(url, child);
  } catch (e) {
    child.kill('SIGTERM');
    throw new Error(`${e.message}\n${log.slice(-4000)}`);
  }
  return {
    url,
    db,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => (child.kill('SIGKILL'), r()), 5000);
          child.once('exit', () => (clearTimeout(t), r()));
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
  // Playwright gives each launch a fresh temporary user-data dir.
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Saves a user's language on their own user record through the API (what the language switch
// does, for every role), so tests can start from a known preference.
export async function setUserLocale(url, locale, creds = DEMO) {
  const r = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(creds),
  });
  if (!r.ok) throw new Error(`login for ${creds.email}: ${r.status}`);
  const { token } = await r.json();
  const auth = { Authorization: `Bearer ${token}` };
  const patched = await fetch(`${url}/api/v1/auth/me`, {
    method: 'PATCH',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ locale }),
  });
  if (!patched.ok) throw new Error(`set locale of ${creds.email}: ${patched.status} ${await patched.text()}`);
  await fetch(`${url}/api/v1/auth/logout`, { method: 'POST', headers: auth });
}

export async function login(page, url, path = '/', creds = DEMO) {
  await page.goto(`${url}${path}`);
  await page.getByLabel(/^(E-mail)$/).fill(creds.email);
  await page.getByLabel(/^(Password|Mot de passe)$/).fill(creds.password);
  await page.getByRole('button', { name: /^(Log in|Se connecter)$/ }).click();
  await page.getByRole('navigation', { name: /Main navigation|Navigation principale/ }).waitFor();
}
