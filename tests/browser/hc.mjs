// Browser test of the help center (issue 7), printed as TAP: the policies article as a visitor
// reads it ("0 out of 0 found this helpful", "Article is closed for comments."), a vote that
// shows "1 out of 1", a search for "refund" that lands on the policy, and "Submit a request"
// leading to the portal's form, which suggests the article while the subject is typed (opening
// the suggestion records a deflection; submitting afterwards marks it). Screenshots of the home,
// article and search pages at laptop and phone widths go to build/screenshots/hc-*.png.
//
// Same harness as run.mjs and chat.mjs: the real binary (FRONTDESK_BIN, default build/frontdesk)
// on a fresh SQLite database (init seeds the help center) and a free loopback port, Debian's
// Chromium (/usr/bin/chromium, or CHROMIUM) through playwright-core. Exit status 0 when every
// step passed.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.resolve(REPO, process.env.FRONTDESK_BIN || 'build/frontdesk');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(REPO, 'build', 'screenshots');
const DEADLINE_MS = 90_000;
const STEP_TIMEOUT_MS = 15_000;

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };
const CUSTOMER = { name: 'Carol Customer', email: 'carol@acme.example', password: 'carol password 42' };
const POLICY_TITLE = 'RareLogic Support Policies';
const WIDTHS = { laptop: [1280, 860], phone: [390, 844] };

// ------------------------------------------------------------------ TAP

const steps = [];
function step(name, fn) {
  steps.push({ name, fn });
}

async function runSteps() {
  console.log(`1..${steps.length}`);
  let failed = 0;
  let broken = null;
  for (const [i, s] of steps.entries()) {
    const n = i + 1;
    if (broken) {
      console.log(`not ok ${n} - ${s.name} # not run: step ${broken} failed`);
      failed++;
      continue;
    }
    try {
      await withTimeout(s.fn(), STEP_TIMEOUT_MS, s.name);
      console.log(`ok ${n} - ${s.name}`);
    } catch (err) {
      failed++;
      broken = n;
      console.log(`not ok ${n} - ${s.name}`);
      for (const line of String((err && err.stack) || err).split('\n')) console.log(`# ${line}`);
    }
  }
  return failed;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

// ------------------------------------------------------------------ the server

const work = mkdtempSync(path.join(tmpdir(), 'frontdesk-hc-'));
const dbFile = path.join(work, 'fd.db');
const dbUrl = `sqlite:${dbFile}`;
let server = null;
let base = null;
let policyId = null;

function binEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FRONTDESK_')) env[k] = v;
  return env;
}

function cli(args, input) {
  return execFileSync(BIN, args, { cwd: work, env: binEnv(), input: input ?? '', encoding: 'utf8',
    timeout: 15_000, stdio: ['pipe', 'pipe', 'pipe'] });
}

function sqlite(sql) {
  return execFileSync('sqlite3', [dbFile, sql], { encoding: 'utf8', timeout: 10_000 }).trim();
}

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(BIN, ['serve', '--db', dbUrl, '--listen', '127.0.0.1:0'],
      { cwd: work, env: binEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${err.slice(-2000)}`)), 15_000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/^frontdesk listening on (http:\/\/127\.0\.0\.1:\d+)\/\s*$/m);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.stderr.on('data', (d) => { err = (err + d).slice(-20_000); });
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}\n${err.slice(-2000)}`));
    });
  });
}

async function call(method, p, body, headers = {}) {
  const res = await fetch(base + p, { method, headers: { Accept: 'application/json',
    'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function seed() {
  const init = cli(['init', '--db', dbUrl]);
  const token = init.match(/^setup token: (\S+)\s*$/m);
  assert(token, `init prints a setup token:\n${init}`);
  base = await startServer();
  await call('POST', '/api/v2/setup', { setup_token: token[1], user: ADMIN });
  cli(['staff', 'add', '--db', dbUrl, '--email', CUSTOMER.email, '--name', CUSTOMER.name, '--role', 'agent'],
    `${CUSTOMER.password}\n`);
  sqlite(`UPDATE users SET role = 'end-user' WHERE email = '${CUSTOMER.email}'`);
  policyId = sqlite("SELECT id FROM hc_articles WHERE seed_key = 'policies' AND draft = 0");
  assert(/^\d+$/.test(policyId), `init seeded the published policies article (got '${policyId}')`);
}

// ------------------------------------------------------------------ the browser

let browser = null;
const problems = [];

async function newPage([width, height] = WIDTHS.laptop, { javaScript = true } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, javaScriptEnabled: javaScript });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  return page;
}

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `hc-${name}.png`), fullPage: true });
}

const helpful = (page) => page.locator('[data-hc="votes"]');

let reader;

step('setup: the server with the seeded help center, an admin and a customer', async () => {
  await seed();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

step('the policies article reads without JavaScript', async () => {
  const page = await newPage(WIDTHS.laptop, { javaScript: false });
  const res = await page.goto(`${base}/hc/articles/${policyId}`);
  assert(res.status() === 200, `status ${res.status()}`);
  await page.getByRole('heading', { level: 1, name: POLICY_TITLE }).waitFor();
  assert((await helpful(page).textContent()) === '0 out of 0 found this helpful', 'no votes yet');
  await page.getByText('Article is closed for comments.').waitFor();
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Help center' }).waitFor();
  await page.locator('[data-hc="status"]').filter({ hasText: /^We’re (open|closed)/ }).waitFor();
  await page.context().close();
});

step('a visitor opens the policies article: 0 out of 0, closed for comments', async () => {
  reader = await newPage();
  await reader.goto(`${base}/hc/articles/${policyId}`);
  await reader.getByRole('heading', { level: 1, name: POLICY_TITLE }).waitFor();
  await helpful(reader).filter({ hasText: '0 out of 0 found this helpful' }).waitFor();
  await reader.getByText('Article is closed for comments.').waitFor();
  await reader.getByRole('link', { name: 'Submit a request' }).first().waitFor();
  await shot(reader, 'article-laptop');
});

step('the visitor votes Yes and sees 1 out of 1', async () => {
  const yes = reader.getByRole('button', { name: 'Yes' });
  await yes.and(reader.locator(':enabled')).waitFor();
  await yes.click();
  await helpful(reader).filter({ hasText: '1 out of 1 found this helpful' }).waitFor();
  assert((await yes.getAttribute('aria-pressed')) === 'true', 'Yes shows as pressed');
  assert(sqlite(`SELECT vote_sum || '/' || vote_count FROM hc_articles WHERE id = ${policyId}`) === '1/1', 'stored');
  // the page as served now says the same
  await reader.reload();
  await helpful(reader).filter({ hasText: '1 out of 1 found this helpful' }).waitFor();
});

step('home, then a search for "refund" lands on the policy', async () => {
  await reader.goto(`${base}/hc`);
  await reader.getByRole('heading', { level: 1, name: 'How can we help?' }).waitFor();
  await shot(reader, 'home-laptop');
  const box = reader.getByRole('searchbox', { name: 'Search the help center' });
  await box.fill('refund');
  await box.press('Enter');
  await reader.waitForURL(/\/hc\/search\?query=refund/);
  const first = reader.locator('.hc-results li h2 a').first();
  await first.waitFor();
  assert((await first.textContent()) === POLICY_TITLE, `the policy comes first: ${await first.textContent()}`);
  await shot(reader, 'search-laptop');
  await first.click();
  await reader.waitForURL(new RegExp(`/hc/articles/${policyId}$`));
  await reader.getByRole('heading', { level: 1, name: POLICY_TITLE }).waitFor();
});

step('"Submit a request" leads to the form, which suggests the article while typing', async () => {
  await reader.locator('[data-hc="submit"]').click();
  await reader.waitForURL(/\/portal\.html#\/new$/);
  await reader.getByLabel('Email').fill(CUSTOMER.email);
  await reader.getByLabel('Password').fill(CUSTOMER.password);
  await reader.getByRole('button', { name: 'Sign in' }).click();
  await reader.getByRole('heading', { name: 'Submit a request' }).waitFor();
  await reader.getByLabel('Subject').pressSequentially('refunds for my invoice', { delay: 20 });
  const suggestion = reader.locator('[data-hc="suggestions"] a').filter({ hasText: POLICY_TITLE });
  await suggestion.waitFor();
  assert((await suggestion.getAttribute('href')) === `/hc/articles/${policyId}`, 'links to the article');
  await shot(reader, 'portal-suggestion');
  const [tab] = await Promise.all([reader.context().waitForEvent('page'), suggestion.click()]);
  await tab.waitForLoadState();
  await tab.getByRole('heading', { level: 1, name: POLICY_TITLE }).waitFor();
  await tab.close();
  const deadline = Date.now() + 5000;
  let row = '';
  while (Date.now() < deadline && !(row = sqlite('SELECT article_id || \'|\' || submitted FROM hc_deflections'))) {
    await reader.waitForTimeout(100);
  }
  assert(row === `${policyId}|0`, `opening the suggestion recorded a deflection: '${row}'`);
  // the tab keeps the record's id with its token, the only key that marks it submitted
  let kept = [];
  while (Date.now() < deadline + 5000 && !kept.length) {
    kept = await reader.evaluate(() => JSON.parse(sessionStorage.getItem('fd_hc_deflections') || '[]'));
    if (!kept.length) await reader.waitForTimeout(100);
  }
  const id = sqlite('SELECT id FROM hc_deflections');
  assert(kept.length === 1 && String(kept[0].id) === id && /^[A-Za-z0-9_-]{43}$/.test(kept[0].token),
    `sessionStorage keeps {id, token}: ${JSON.stringify(kept)}`);
});

step('submitting the request afterwards marks the deflection submitted', async () => {
  await reader.getByLabel('Description').fill('The invoice shows a refund I did not get.');
  await reader.getByRole('button', { name: 'Submit request' }).click();
  await reader.waitForURL(/#\/requests\/\d+$/);
  assert(sqlite('SELECT submitted FROM hc_deflections') === '1', 'marked submitted (with the token)');
  assert(await reader.evaluate(() => sessionStorage.getItem('fd_hc_deflections')) === null, 'tokens forgotten');
});

step('signed in, the customer comments on an article whose comments are open', async () => {
  const open = sqlite('SELECT id FROM hc_articles WHERE draft = 0 AND comments_disabled = 0 ORDER BY id LIMIT 1');
  assert(/^\d+$/.test(open), `init seeded an article open for comments (got '${open}')`);
  await reader.goto(`${base}/hc/articles/${open}`);
  const form = reader.locator('form[data-hc="comment-new"]');
  await form.getByLabel('Add a comment (Markdown)').fill('Very *clear*, thanks. <b>not bold</b>');
  await form.getByRole('button', { name: 'Post comment' }).click();
  const item = reader.locator('[data-hc="comments"] li').filter({ hasText: 'Very clear, thanks.' });
  await item.waitFor();
  assert(await item.locator('em').count() === 1, 'Markdown emphasis is rendered');
  assert(await item.locator('b').count() === 0, 'raw HTML is not');
  await reader.reload();
  await reader.locator('[data-hc="comments"] li').filter({ hasText: 'Very clear, thanks.' })
    .filter({ hasText: CUSTOMER.name }).waitFor();
});

step('console: the deflection report lists the article opened from the form', async () => {
  const admin = await newPage();
  await admin.goto(`${base}/agent.html#/report`);
  await admin.getByLabel('Email').fill(ADMIN.email);
  await admin.getByLabel('Password').fill(ADMIN.password);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  const card = admin.locator('[data-report="deflections"]');
  const row = card.locator('tbody tr').filter({ hasText: POLICY_TITLE });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert(cells.join('|') === `${POLICY_TITLE}|1|0`, `opened 1, deflected 0 (submitted after): ${cells.join('|')}`);
  await shot(admin, 'console-deflections');
  await admin.context().close();
});

step('phone width: home, article and search', async () => {
  const phone = await newPage(WIDTHS.phone);
  await phone.goto(`${base}/hc`);
  await phone.getByRole('heading', { level: 1, name: 'How can we help?' }).waitFor();
  await shot(phone, 'home-phone');
  await phone.goto(`${base}/hc/articles/${policyId}`);
  await helpful(phone).waitFor();
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert(wide <= 390, `no sideways scrolling at 390 px (${wide})`);
  await shot(phone, 'article-phone');
  await phone.goto(`${base}/hc/search?query=refund`);
  await phone.locator('.hc-results li').first().waitFor();
  await shot(phone, 'search-phone');
  await phone.context().close();
});

step('no script errors on any page', async () => {
  assert(problems.length === 0, problems.join('\n'));
});

// ------------------------------------------------------------------ main

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => { const t = setTimeout(r, 5000); server.once('exit', () => { clearTimeout(t); r(); }); });
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
}

const watchdog = setTimeout(async () => {
  console.log(`Bail out! the help-center browser test took longer than ${DEADLINE_MS / 1000} s`);
  await cleanup();
  process.exit(1);
}, DEADLINE_MS);

let failed = 1;
try {
  failed = await runSteps();
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
process.exit(failed ? 1 : 0);
