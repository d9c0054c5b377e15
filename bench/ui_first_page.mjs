// Time from navigation to the first list page being interactive (first data row rendered)
// in headless Chromium, against a running server. Issue 3 target: < 300 ms at 1M contacts.
// Usage (from web/, so playwright-core resolves):
//   E2E_BASE_URL=http://127.0.0.1:PORT BENCH_EMAIL=... BENCH_PASSWORD=... node ../bench/ui_first_page.mjs
import { launchBrowser, login } from '../web/e2e/harness.mjs';

const url = process.env.E2E_BASE_URL;
const creds = { email: process.env.BENCH_EMAIL, password: process.env.BENCH_PASSWORD };
const runs = Number(process.env.RUNS || 7);
// Lists to time (each must have rows in the database): LISTS=contacts,companies
const lists = (process.env.LISTS || 'contacts').split(',');

const browser = await launchBrowser();
const page = await browser.newPage();
await login(page, url, '/', creds);
for (const list of lists) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    await page.goto(`${url}/`);  // leave the list so the next visit loads it from scratch
    await page.getByRole('navigation').first().waitFor();
    const started = performance.now();
    await page.goto(`${url}/${list}`);
    await page.locator('tbody tr').first().waitFor();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`${list}: median ${times[Math.floor(runs / 2)].toFixed(0)} ms, ` +
              `max ${times[runs - 1].toFixed(0)} ms over ${runs} full page loads`);
}
await browser.close();
