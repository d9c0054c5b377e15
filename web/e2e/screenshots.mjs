// Regenerates docs/screenshots/*.png from the real server with demo data (see scripts/screenshots).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchBrowser, login, startServer } from './harness.mjs';

const out = resolve(new URL('../../docs/screenshots/', import.meta.url).pathname);
mkdirSync(out, { recursive: true });

const server = await startServer();
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1360, height: 860 } });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const shot = async (name) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(`docs/screenshots/${name}.png`);
  };
  const nav = (name) => page.getByRole('navigation', { name: /Navigation principale|Main navigation/ }).getByRole('link', { name, exact: true });

  await page.goto(`${server.url}/`);
  await page.getByRole('button', { name: 'Se connecter' }).waitFor();
  await shot('login');
  await login(page, server.url);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await shot('home');

  await nav('Contacts').click();
  await page.getByRole('table', { name: 'Contacts' }).getByRole('link').first().waitFor();
  await shot('contacts');
  await page.getByRole('table', { name: 'Contacts' }).getByRole('link').first().click();
  await page.getByRole('heading', { level: 2, name: 'Historique' }).waitFor();
  await shot('contact');

  await nav('Pipeline').click();
  await page.getByRole('article').first().waitFor();
  await shot('pipeline');
  await page.getByRole('article').first().getByRole('link').click();
  await page.getByRole('heading', { level: 2, name: 'Historique des étapes' }).waitFor();
  await shot('deal');

  await nav('Tâches').click();
  await page.getByRole('heading', { level: 1, name: 'Tâches' }).waitFor();
  await shot('tasks');

  const dir = mkdtempSync(join(tmpdir(), 'relais-shots-'));
  const csv = join(dir, 'contacts.csv');
  writeFileSync(csv, 'Prénom;Nom;Courriel;Ville\nAmélie;Rousseau;amelie.rousseau@example.fr;Nantes\nBruno;Lefort;pas-un-email;Lille\n');
  await nav('Import').click();
  await page.getByLabel('Fichier CSV').setInputFiles(csv);
  await page.getByRole('button', { name: 'Vérifier (simulation)' }).click();
  await page.getByRole('table', { name: 'Lignes rejetées' }).waitFor();
  await shot('import');

  await nav('Paramètres').click();
  await page.getByRole('table').first().waitFor();
  await shot('settings');

  await page.getByLabel('Langue').selectOption('en');
  await nav('Pipeline').click();
  await page.getByRole('article').first().waitFor();
  await shot('pipeline-en');
} finally {
  await browser.close();
  await server.stop();
}
