// End-to-end: the admin's background jobs page follows a long job live (EventSource on
// /api/v1/jobs/stream) until its progress bar reaches 100 %; a sales user has no such page.
// Its own server runs the hidden --self-test-jobs kinds: a company named "selftest progress
// <steps> <ms>" starts a job of that many steps.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, login, startServer } from './harness.mjs';

let server;
let browser;

describe('Background jobs page', { concurrency: false }, () => {
  before(async () => {
    server = await startServer({ extraArgs: ['--self-test-jobs'] });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('an admin starts a long job and watches its progress reach 100 %', async () => {
    // The demo admin reads French.
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(15000);
    try {
      const page = await context.newPage();
      await login(page, server.url);
      const nav = page.getByRole('navigation', { name: 'Navigation principale' });
      await nav.getByRole('link', { name: 'Tâches de fond', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Tâches de fond' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Mises à jour en direct' }).waitFor();

      // Start the job as the UI's own session would (cookie + CSRF header).
      const company = await page.evaluate(async () => {
        const me = await fetch('/api/v1/auth/me').then((r) => r.json());
        const r = await fetch('/api/v1/companies', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
          body: JSON.stringify({ name: 'selftest progress 10 300 e2e' }),
        });
        return r.json();
      });
      assert.ok(company.id, JSON.stringify(company));

      // The job appears without a reload, and its bar moves as the worker reports.
      const row = page.locator('tr', { hasText: 'selftest.progress' }).first();
      await row.waitFor();
      const bar = row.getByRole('progressbar', { name: /^Avancement de la tâche \d+$/ });
      const seen = new Set();
      const end = Date.now() + 30000;
      for (;;) {
        const value = (await bar.count()) ? await bar.getAttribute('value') : null;
        if (value !== null) seen.add(Number(value));
        if (value === '100') break;
        assert.ok(Date.now() < end, `progress never reached 100 %: saw ${[...seen]}`);
        await page.waitForTimeout(50);
      }
      assert.ok([...seen].some((v) => v > 0 && v < 100), `no progress before the end: ${[...seen]}`);
      await row.getByText(/100\s*%/).waitFor();
      await row.getByText('Terminée', { exact: true }).waitFor();

      // The job's detail: done, no Retry button.
      await row.getByRole('button', { name: /^Voir la tâche \d+$/ }).click();
      const detail = page.getByRole('region', { name: /^Tâche \d+$/ });
      await detail.waitFor();
      await detail.locator('pre', { hasText: '"steps": 10' }).waitFor();
      assert.equal(await detail.getByRole('button', { name: 'Relancer' }).count(), 0);

      // The status filter lists done jobs of that kind from the server.
      await page.getByLabel('Statut').selectOption('done');
      await page.getByLabel('Type').fill('selftest.progress');
      await page.getByRole('button', { name: 'Appliquer le filtre' }).click();
      await page.locator('tbody tr').first().waitFor();
      const kinds = await page.locator('tbody tr td:nth-child(2)').allTextContents();
      assert.ok(kinds.length >= 1 && kinds.every((k) => k === 'selftest.progress'), kinds.join(','));
    } finally {
      await context.close();
    }
  });

  test('a sales user sees neither the link nor the page', async () => {
    const SALES = { email: 'julien.roux@demo.relais.fr', password: 'relais-demo-2026' };
    const context = await browser.newContext({ locale: 'en-GB' });
    context.setDefaultTimeout(15000);
    try {
      const page = await context.newPage();
      await login(page, server.url, '/', SALES);
      const nav = page.getByRole('navigation', { name: /Main navigation|Navigation principale/ });
      await nav.getByRole('link').first().waitFor();
      assert.equal(await nav.getByRole('link', { name: /Background jobs|Tâches de fond/ }).count(), 0);
      await page.goto(`${server.url}/jobs`);
      await page.getByRole('heading', { level: 1, name: /^(Not found|Introuvable)$/ }).waitFor();
      const status = await page.evaluate(() => fetch('/api/v1/jobs/stream').then((r) => r.status));
      assert.equal(status, 403);
    } finally {
      await context.close();
    }
  });
});
