// End-to-end: the real relais server + demo data, driven through headless Chromium by role and
// label, as a screen reader user would.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO, launchBrowser, login, setUserLocale, startServer } from './harness.mjs';

let server;
let browser;
let context;
let page;
const dialogs = [];

async function eventually(fn, ms = 8000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last;
}

const navLink = (name) => page.getByRole('navigation', { name: /Main navigation|Navigation principale/ }).getByRole('link', { name, exact: true });

const NAME = { first: 'Hélène', last: 'Çavédon' };

describe('Relais web UI', { concurrency: false }, () => {
  before(async () => {
    server = await startServer();
    // The demo admin's record says French; these tests read the English UI.
    await setUserLocale(server.url, 'en');
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(10000);
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('logs in with the demo credentials and restores the session on reload', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByLabel('E-mail').fill('admin@demo.relais.fr');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password' }).waitFor();
    const signIn = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login') && r.status() === 200);
    await login(page, server.url);
    await page.getByRole('heading', { level: 1, name: /^Hello/ }).waitFor();
    // The UI asks for a cookie-only session: the token is in the HttpOnly cookie only, never
    // in a response body or storage that page scripts can read.
    const body = await (await signIn).json();
    assert.equal(body.token, undefined, 'the login response carries no token for the UI');
    assert.ok(body.csrf_token);
    const session = (await page.context().cookies()).find((c) => c.name === 'relais_session');
    assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    const readable = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]));
    assert.ok(!readable.includes(session.value), 'no page-readable copy of the session token');
    await navLink('Contacts').click();
    await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
    assert.match(page.url(), /\/contacts$/);
  });

  test('creates a contact and finds it by searching its name without accents', async () => {
    await navLink('Contacts').click();
    await page.getByRole('button', { name: 'New contact' }).click();
    const form = page.getByRole('form', { name: 'New contact' });
    await form.getByLabel('First name').fill(NAME.first);
    await form.getByLabel('Last name').fill(NAME.last);
    await form.getByLabel('E-mails').fill('helene.cavedon@example.fr');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { level: 1, name: `${NAME.first} ${NAME.last}` }).waitFor();

    await navLink('Contacts').click();
    const searched = page.waitForRequest((r) => r.url().includes('/api/v1/contacts?') && r.url().includes('q=helene'));
    await page.getByLabel('Search').fill('helene cavedon');
    // In the default order a search leaves the order to the server, which walks its index.
    assert.ok(!(await searched).url().includes('sort='), 'no sort parameter while searching by default');
    const table = page.getByRole('table', { name: 'Contacts' });
    await table.getByRole('link', { name: `${NAME.first} ${NAME.last}` }).waitFor();
    await eventually(async () => assert.equal(await table.getByRole('row').count(), 2)); // header + match
  });

  test('shows a validation error at the field for a bad e-mail', async () => {
    await page.getByRole('table', { name: 'Contacts' }).getByRole('link', { name: `${NAME.first} ${NAME.last}` }).click();
    await page.getByRole('heading', { level: 1, name: `${NAME.first} ${NAME.last}` }).waitFor();
    const details = page.getByRole('form', { name: 'Details' });
    const emails = details.getByLabel('E-mails');
    await emails.fill('not-an-email');
    await details.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => assert.equal(await emails.getAttribute('aria-invalid'), 'true'));
    const errId = await emails.getAttribute('aria-describedby');
    const message = await page.locator(`[id="${errId}"]`).textContent();
    assert.ok(message && message.trim().length > 0, 'the field shows the server message');

    await emails.fill('helene@example.fr');
    await details.getByRole('button', { name: 'Save' }).click();
    await details.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.equal(await emails.getAttribute('aria-invalid'), null);
  });

  test('logs a call and sees it on the timeline', async () => {
    await page.getByRole('button', { name: 'Log a call' }).click();
    const form = page.getByRole('form', { name: 'Log a call' });
    await form.getByLabel('Subject').fill('Called about the renewal');
    await form.getByLabel('Details').fill('She wants a quote by Friday.');
    await form.getByLabel('Duration (min)').fill('12');
    await form.getByRole('button', { name: 'Save' }).click();
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('Called about the renewal').waitFor();
    await timeline.getByText(/She wants a quote by Friday/).waitFor();
  });

  test('renders user-supplied markup as text', async () => {
    await navLink('Contacts').click();
    await page.getByRole('button', { name: 'New contact' }).click();
    const form = page.getByRole('form', { name: 'New contact' });
    const payload = '<img src=x onerror=alert(1)>';
    await form.getByLabel('First name').fill(payload);
    await form.getByLabel('Last name').fill('Xss');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { level: 1, name: `${payload} Xss` }).waitFor();
    assert.equal(await page.locator('main img').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  test('drags a deal to another stage and the column totals change', async () => {
    await navLink('Pipeline').click();
    await page.getByRole('heading', { level: 1, name: 'Pipeline' }).waitFor();
    const columns = page.locator('.board > section');
    await eventually(async () => assert.ok((await page.getByRole('article').count()) > 0, 'the demo pipeline has deals'));
    const n = await columns.count();
    let from = -1;
    let to = -1;
    for (let i = 0; i < n && (from < 0 || to < 0); i++) {
      const lost = (await columns.nth(i).getAttribute('class')).includes('kind-lost');
      const cards = await columns.nth(i).getByRole('article').count();
      if (from < 0 && cards > 0 && !lost) from = i;
      else if (from >= 0 && to < 0 && !lost) to = i;
    }
    assert.ok(from >= 0 && to > from, 'found a source and a target stage');
    const fromName = (await columns.nth(from).getByRole('heading', { level: 2 }).textContent()).trim();
    const toName = (await columns.nth(to).getByRole('heading', { level: 2 }).textContent()).trim();
    const totals = (stage) => page.getByLabel(`Totals for ${stage}`);
    const before = { from: await totals(fromName).textContent(), to: await totals(toName).textContent() };
    const fromCount = await columns.nth(from).getByRole('article').count();
    const toCount = await columns.nth(to).getByRole('article').count();
    const card = columns.nth(from).getByRole('article').first();
    const title = await card.getAttribute('aria-label');

    // Drop near the top of the column: its centre can be screens below once it holds many deals,
    // and scrolling there mid-drag would start the drag from another card.
    await card.dragTo(columns.nth(to), { targetPosition: { x: 100, y: 40 } });
    await columns.nth(to).getByRole('article', { name: title }).waitFor();
    await eventually(async () => {
      assert.equal(await columns.nth(to).getByRole('article').count(), toCount + 1);
      assert.equal(await columns.nth(from).getByRole('article').count(), fromCount - 1);
      assert.notEqual(await totals(toName).textContent(), before.to);
      assert.notEqual(await totals(fromName).textContent(), before.from);
    });
    await page.getByRole('status').filter({ hasText: `moved to ${toName}` }).waitFor();

    // The move was saved: it survives a reload.
    await page.reload();
    await columns.nth(to).getByRole('article', { name: title }).waitFor();

    // Keyboard alternative: Alt+ArrowLeft moves it back.
    await columns.nth(to).getByRole('article', { name: title }).focus();
    await page.keyboard.press('Alt+ArrowLeft');
    await eventually(async () => assert.equal(await columns.nth(to).getByRole('article', { name: title }).count(), 0));

    // Won/lost columns show the last 30 days by default; a wider window brings older ones back.
    const won = page.locator('.board > section.kind-won');
    const recentWon = await won.getByRole('article').count();
    await page.getByLabel('Won and lost deals').selectOption({ label: 'All closed deals' });
    await eventually(async () => assert.ok((await won.getByRole('article').count()) > recentWon, 'older won deals appear'));
  });

  test('imports a CSV with one bad row and reports that row', async () => {
    const csv = 'Prénom;Nom;Courriel;Ville\nAmélie;Rousseau;amelie.rousseau@example.fr;Nantes\nBruno;Lefort;pas-un-email;Lille\nChloé;Garnier;chloe.garnier@example.fr;Rennes\n';
    await navLink('Import').click();
    // Handed to the file input from memory: nothing is left behind in /tmp.
    await page.getByLabel('CSV file').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    assert.equal(await page.getByLabel('Field for column “Prénom”').inputValue(), 'first_name');
    assert.equal(await page.getByLabel('Field for column “Courriel”').inputValue(), 'email');
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    const rejected = page.getByRole('table', { name: 'Rejected rows' });
    await rejected.waitFor();
    await page.getByRole('status').filter({ hasText: '3 rows read, 2 would be imported, 1 rejected.' }).waitFor();
    const rows = rejected.getByRole('row');
    assert.equal(await rows.count(), 2);
    const cells = await rows.nth(1).getByRole('cell').allTextContents();
    assert.ok(['2', '3'].includes(cells[0]), `the bad row is reported (got row ${cells[0]})`);
    assert.match(cells.join(' '), /mail/i);

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '3 rows read, 2 imported, 1 rejected.' }).waitFor();
    await navLink('Contacts').click();
    await page.getByLabel('Search').fill('garnier');
    await page.getByRole('table', { name: 'Contacts' }).getByRole('link', { name: 'Chloé Garnier' }).waitFor();
  });

  test('filters with the visual builder and exports the current view as CSV', async () => {
    await navLink('Contacts').click();
    await page.getByLabel('Search').fill('');
    await page.getByText('Filter builder').click();
    await page.getByLabel('Field of condition 1').selectOption('city');
    await page.getByLabel('Operator of condition 1').selectOption('=');
    await page.getByLabel('Value of condition 1').fill('Nantes');
    await page.getByRole('button', { name: 'Apply filter' }).last().click();
    assert.equal(await page.getByLabel('Filter expression').first().inputValue(), 'city = "Nantes"');
    const table = page.getByRole('table', { name: 'Contacts' });
    await eventually(async () => {
      const cities = await table.locator('tbody td:nth-child(5)').allTextContents();
      assert.ok(cities.length > 0 && cities.every((c) => c === 'Nantes'), `only Nantes rows (${cities})`);
    });
    await table.getByRole('link', { name: 'Amélie Rousseau' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    assert.ok(lines.length >= 2, 'header and rows');
    assert.match(csv, /Rousseau/);
    assert.doesNotMatch(csv, /Garnier/); // Chloé Garnier lives in Rennes
  });

  test('switches the language to French', async () => {
    await page.getByLabel('Language').selectOption('fr');
    await navLink('Entreprises').waitFor();
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    await navLink('Tâches').click();
    await page.getByRole('heading', { level: 1, name: 'Tâches' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Mes tâches' }).waitFor();
    // French money formatting on the board: "1 234,56 €" style.
    await navLink('Pipeline').click();
    const total = await page.getByLabel(/^Totaux pour/).first().textContent();
    assert.match(total, /\d,\d\d\s€/);

    // The choice is saved on the user record and read back at login: a fresh English browser
    // (no local storage) shows the login page in English, then French once signed in.
    const fresh = await browser.newContext({ locale: 'en-GB' });
    try {
      const other = await fresh.newPage();
      await other.goto(`${server.url}/`);
      await other.getByRole('button', { name: 'Log in' }).waitFor();
      await login(other, server.url);
      await other.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Entreprises', exact: true }).waitFor();
      assert.equal(await other.evaluate(() => document.documentElement.lang), 'fr');
    } finally {
      await fresh.close();
    }

    // Session restore (/auth/me) reads it too, over a stale choice stored in this browser.
    await page.evaluate(() => localStorage.setItem('relais.lang', 'en'));
    await page.reload();
    await navLink('Entreprises').waitFor();

    await page.getByLabel('Langue').selectOption('en');
    await navLink('Companies').waitFor();
    await eventually(async () => {
      const me = await page.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.json()));
      assert.equal(me.user.locale, 'en');
    });
  });

  test('a sales user saves their language, profile and password from the UI', async () => {
    const SALES = { email: 'julien.roux@demo.relais.fr', password: 'relais-demo-2026' };
    await setUserLocale(server.url, 'fr', SALES);
    const me = (p) => p.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.json()));

    // The header switch saves on the record although sales users may not edit users.
    const first = await browser.newContext({ locale: 'en-GB' });
    try {
      const p = await first.newPage();
      await login(p, server.url, '/', SALES);
      await p.getByRole('navigation', { name: 'Navigation principale' }).waitFor();
      await p.getByLabel('Langue').selectOption('en');
      await p.getByRole('navigation', { name: 'Main navigation' }).waitFor();
      await eventually(async () => assert.equal((await me(p)).user.locale, 'en'));
      assert.equal(await p.evaluate(() => localStorage.getItem('relais.lang.localOnly')), null);
    } finally {
      await first.close();
    }

    // A French browser with nothing stored shows English once this user is signed in.
    const second = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 900 } });
    try {
      const p = await second.newPage();
      await login(p, server.url, '/', SALES);
      await p.getByRole('navigation', { name: 'Main navigation' }).waitFor();
      assert.equal(await p.evaluate(() => document.documentElement.lang), 'en');

      // My profile, from the header: time zone and language in one save.
      await p.getByRole('link', { name: 'My profile' }).click();
      await p.getByRole('heading', { level: 1, name: 'My profile' }).waitFor();
      const details = p.getByRole('form', { name: 'Name, language and time zone' });
      await details.getByLabel('Time zone').fill('America/Montreal');
      await details.getByLabel('Language').selectOption('fr');
      await details.getByRole('button', { name: 'Save' }).click();
      await p.getByRole('heading', { level: 1, name: 'Mon profil' }).waitFor();
      await p.getByRole('status').filter({ hasText: 'Enregistré.' }).waitFor();
      const saved = (await me(p)).user;
      assert.equal(saved.locale, 'fr');
      assert.equal(saved.time_zone, 'America/Montreal');

      // Password: a wrong current one is refused on its field, the right one works.
      const pw = p.getByRole('form', { name: 'Mot de passe' });
      await pw.getByLabel('Mot de passe actuel').fill('pas-le-bon');
      await pw.getByLabel('Nouveau mot de passe', { exact: true }).fill('un nouveau secret');
      await pw.getByLabel('Confirmer le nouveau mot de passe').fill('un nouveau secret');
      await pw.getByRole('button', { name: 'Changer le mot de passe' }).click();
      await pw.getByText('Le mot de passe actuel est incorrect.').waitFor();
      await pw.getByLabel('Mot de passe actuel').fill(SALES.password);
      await pw.getByRole('button', { name: 'Changer le mot de passe' }).click();
      await pw.getByRole('status').filter({ hasText: 'Mot de passe modifié.' }).waitFor();
      const relogin = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: SALES.email, password: 'un nouveau secret' }),
      });
      assert.equal(relogin.status, 200);
    } finally {
      await second.close();
    }
  });

  test('an admin adds a team and a user in Settings, then changes her role; she can log in', async () => {
    const stamp = Date.now().toString(36);
    const team = `Équipe Export ${stamp}`;
    const email = `ines.export.${stamp}@demo.relais.fr`;
    const api = (path) => page.evaluate((p) => fetch(`/api/v1${p}`).then((r) => r.json()), path);

    await navLink('Settings').click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const tabs = page.getByRole('navigation', { name: 'Settings' });
    await tabs.getByRole('link', { name: 'Teams' }).click();
    const teams = page.getByRole('region', { name: 'Teams' });
    await teams.getByLabel('Team name').fill(team);
    await teams.getByRole('button', { name: 'Create' }).click();
    await teams.getByRole('listitem').filter({ hasText: team }).waitFor();

    await tabs.getByRole('link', { name: 'Users' }).click();
    const form = page.getByRole('form', { name: 'Add a user' });
    await form.getByLabel('E-mail').fill(email);
    await form.getByLabel('Name').fill('Inès Export');
    await form.getByLabel('Role').selectOption('sales');
    await form.getByLabel('Team').selectOption({ label: team });
    await form.getByLabel('Password').fill('mot de passe export');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const role = page.getByLabel('Role of Inès Export');
    assert.equal(await role.inputValue(), 'sales');

    const created = (await api(`/users?filter=${encodeURIComponent(`email = "${email}"`)}`)).data[0];
    const teamId = (await api(`/teams?filter=${encodeURIComponent(`name = "${team}"`)}`)).data[0].id;
    assert.equal(created.team_id, teamId);
    assert.equal(created.role, 'sales');

    await role.selectOption('manager');
    await eventually(async () => {
      const now = (await api(`/users/${created.id}`));
      assert.equal(now.role, 'manager');
    });
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: 'mot de passe export' }),
    });
    assert.equal(login.status, 200);
  });

  test('selects contacts in the list and tags them all at once', async () => {
    const stamp = Date.now().toString(36);
    const family = `Salonbulk${stamp}`;
    const tag = `salon-${stamp}`;
    // Three contacts of one family, made over the API with a bearer token.
    const { token } = await (
      await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(DEMO),
      })
    ).json();
    for (const first of ['Anne', 'Basile', 'Céline']) {
      const r = await fetch(`${server.url}/api/v1/contacts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ first_name: first, last_name: family }),
      });
      assert.equal(r.status, 201);
    }
    const api = (path) => page.evaluate((p) => fetch(`/api/v1${p}`).then((r) => r.json()), path);

    await navLink('Contacts').click();
    await page.getByLabel('Search').fill(family);
    const table = page.getByRole('table', { name: 'Contacts' });
    const boxes = table.locator('tbody').getByRole('checkbox', { name: /^Select / });
    await eventually(async () => assert.equal(await boxes.count(), 3));
    await table.locator('tbody').getByRole('checkbox', { name: `Select Anne ${family}` }).check();
    await table.locator('tbody').getByRole('checkbox', { name: `Select Céline ${family}` }).check();
    const bulk = page.getByRole('region', { name: 'Bulk actions' });
    await bulk.getByText('2 selected').waitFor();
    await bulk.getByLabel('Tag for selection').fill(tag);
    await bulk.getByRole('button', { name: 'Add tag' }).click();
    // The bar closes with the selection; the outcome stays on the page.
    await page.getByRole('status').filter({ hasText: 'Done for 2 record(s).' }).waitFor();
    const tagged = await api(`/contacts?filter=${encodeURIComponent(`tags contains "${tag}"`)}`);
    assert.deepEqual(tagged.data.map((c) => c.first_name).sort(), ['Anne', 'Céline']);
  });

  test('logs out, then returns to the requested page after logging in again', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.goto(`${server.url}/tasks`);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await login(page, server.url, '/tasks');
    await page.getByRole('heading', { level: 1, name: 'Tasks' }).waitFor();
    assert.match(page.url(), /\/tasks$/);
  });
});
