// Browser steps of the phone channel (issue 6 "Phone"), printed as TAP: a customer asks for a
// callback in the portal, an agent takes it from the console's Callbacks queue, calls, and logs
// the call as a new voice ticket (the request is done and linked); then logs a second call on the
// ticket with the "Log a call" dialog (a bad number shows its 422 under the field); the customer
// sees the call's notes and no waiting callback. Self-contained like run.mjs: its own server on a
// fresh SQLite database, Debian's Chromium through playwright-core.
//   FRONTDESK_BIN=build/frontdesk node tests/browser/calls.mjs
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
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
const AGENT = { name: 'Alan Agent', email: 'alan@example.com', password: 'agent password 42' };
const CUSTOMER = { name: 'Carol Customer', email: 'carol@acme.example', password: 'carol password 42' };
const REASON = 'Please call me about the two charges on my invoice';
const NOTES = 'Called Carol back: the second charge was a pre-authorisation; it drops off in 3 days.';
const NOTES2 = 'Carol called to confirm the hold is gone. All good.';

// ------------------------------------------------------------------ TAP

const steps = [];
const step = (name, fn) => steps.push({ name, fn });

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
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  })]).finally(() => clearTimeout(timer));
}

function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

function assertEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// ------------------------------------------------------------------ the server

const work = mkdtempSync(path.join(tmpdir(), 'frontdesk-calls-'));
const dbUrl = `sqlite:${path.join(work, 'fd.db')}`;
let server = null;
let base = null;

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
  return execFileSync('sqlite3', [path.join(work, 'fd.db'), sql], { encoding: 'utf8', timeout: 10_000 });
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

class Session {
  constructor() {
    this.cookie = '';
    this.csrf = null;
  }

  async call(method, p, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.cookie) headers.Cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return data;
  }

  async signIn(who) {
    const data = await this.call('POST', '/api/v2/auth/sign_in', { email: who.email, password: who.password });
    this.csrf = data.csrf_token;
    return data.user;
  }
}

let admin;

async function seed() {
  const init = cli(['init', '--db', dbUrl]);
  const token = init.match(/^setup token: (\S+)\s*$/m);
  assert(token, `init prints a setup token:\n${init}`);
  base = await startServer();
  await new Session().call('POST', '/api/v2/setup', { setup_token: token[1], user: ADMIN });
  cli(['staff', 'add', '--db', dbUrl, '--email', AGENT.email, '--name', AGENT.name, '--role', 'agent'],
    `${AGENT.password}\n`);
  admin = new Session();
  await admin.signIn(ADMIN);
  const acme = (await admin.call('POST', '/api/v2/organizations', { organization: { name: 'Acme Widgets' } })).organization;
  await admin.call('POST', '/api/v2/users',
    { user: { name: CUSTOMER.name, email: CUSTOMER.email, role: 'end-user', organization_id: acme.id } });
  await new Session().call('POST', '/api/v2/auth/password_reset', { email: CUSTOMER.email });
  const body = sqlite(`SELECT body FROM outbox WHERE kind = 'password_reset' AND to_address = '${CUSTOMER.email}' ORDER BY id DESC LIMIT 1`);
  const m = body.match(/\/reset-password\.html#token=([A-Za-z0-9_-]+)/);
  assert(m, 'a reset link in the outbox');
  await new Session().call('POST', '/api/v2/auth/password_reset/confirm', { token: m[1], password: CUSTOMER.password });
}

// ------------------------------------------------------------------ the browser

let browser = null;
const problems = [];

async function newPage(width = 1280, height = 860) {
  const context = await browser.newContext({ viewport: { width, height } });
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
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page, url, who) {
  await page.goto(base + url);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

let carol;
let agent;
let ticketId;

step('calls: server starts with an admin, an agent and a customer', async () => {
  assert(existsSync(BIN), `${BIN} exists (build it first)`);
  assert(existsSync(CHROMIUM), `${CHROMIUM} exists`);
  await seed();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

step('portal: "Request a callback" shows field errors, then the waiting request', async () => {
  carol = await newPage();
  await signIn(carol, '/portal.html', CUSTOMER);
  await carol.getByRole('heading', { name: 'My requests' }).waitFor();
  const form = carol.getByRole('form', { name: 'Request a callback' });
  await form.getByLabel('Phone number').fill('call me maybe');
  await form.getByLabel('What is it about?').fill(REASON);
  await form.getByRole('button', { name: 'Request a callback' }).click();
  await form.locator('.field-error').waitFor();
  assertEq(await form.getByLabel('Phone number').getAttribute('aria-invalid'), 'true', 'phone marked invalid');
  await form.getByLabel('Phone number').fill('+1 (555) 010-0199');
  await form.getByLabel(/Best time/).fill('weekday mornings');
  await form.getByRole('button', { name: 'Request a callback' }).click();
  const mine = carol.locator('#callbacks li').filter({ hasText: REASON });
  await mine.waitFor();
  await mine.getByText('Waiting for our call').waitFor();
  await mine.getByText('+15550100199 · weekday mornings', { exact: false }).waitFor();
  await shot(carol, 'portal-callback');
});

step('console: the Callbacks queue shows the wait; the agent takes it', async () => {
  agent = await newPage();
  await signIn(agent, '/agent.html', AGENT);
  await agent.getByRole('link', { name: 'Callbacks' }).click();
  await agent.getByRole('heading', { name: 'Callbacks' }).waitFor();
  const row = agent.locator('tr[data-callback]').filter({ hasText: REASON });
  await row.waitFor();
  await row.getByText(CUSTOMER.name).waitFor();
  assert(/^\d+s$/.test((await row.locator('td').first().locator('strong').textContent()).trim()), 'waited seconds shown');
  await row.getByRole('button', { name: 'Take' }).click();
  await agent.locator('tr[data-callback]').filter({ hasText: 'In progress' }).waitFor();
  await shot(agent, 'console-callbacks');
});

step('console: logging the call back opens a voice ticket and completes the request', async () => {
  const row = agent.locator('tr[data-callback]').filter({ hasText: REASON });
  await row.getByRole('button', { name: 'Log the call' }).click();
  await agent.getByRole('heading', { name: 'New ticket from a call' }).waitFor();
  assertEq(await agent.getByLabel('Phone number').inputValue(), '+15550100199', 'the number is filled in');
  assertEq(await agent.getByLabel('Direction').inputValue(), 'outbound', 'a callback is outbound');
  await agent.getByLabel('Duration (minutes)').fill('4.5');
  await agent.getByLabel('Notes').fill(NOTES);
  await agent.getByRole('button', { name: 'Create ticket' }).click();
  await agent.waitForURL(/#\/tickets\/\d+$/);
  ticketId = Number(agent.url().match(/#\/tickets\/(\d+)$/)[1]);
  await agent.getByText(`#${ticketId} · via voice`, { exact: false }).waitFor();
  await agent.locator('.conversation').getByText(NOTES).waitFor();
  const calls = agent.getByRole('region', { name: 'Calls' });
  await calls.getByText('Outbound').waitFor();
  await calls.getByText('4m 30s', { exact: false }).waitFor();
  const sla = agent.getByRole('region', { name: 'SLA' });
  await sla.getByText('Met').first().waitFor();
  const r = (await admin.call('GET', '/api/v2/callback_requests')).callback_requests[0];
  assertEq(r.status, 'done', 'the request is done');
  assertEq(r.ticket_id, ticketId, 'and linked to the ticket');
  assert(r.call_id !== null, 'and to the call');
});

step('console: "Log a call" on the ticket shows a 422 under the number, then logs it', async () => {
  const calls = agent.getByRole('region', { name: 'Calls' });
  await calls.getByRole('button', { name: 'Log a call' }).click();
  const dlg = agent.getByRole('dialog', { name: `Log a call on #${ticketId}` });
  await dlg.getByLabel('Phone number').fill('12');
  await dlg.getByLabel('Duration (minutes)').fill('2');
  await dlg.getByLabel('Notes').fill(NOTES2);
  await dlg.getByRole('button', { name: 'Log call' }).click();
  await dlg.locator('.field-error').waitFor();
  assertEq(await dlg.getByLabel('Phone number').getAttribute('aria-invalid'), 'true', 'number marked invalid');
  await dlg.getByLabel('Phone number').fill('+1 555 010 0199');
  await shot(agent, 'console-log-call');
  await dlg.getByRole('button', { name: 'Log call' }).click();
  await dlg.waitFor({ state: 'detached' });
  await agent.locator('.conversation').getByText(NOTES2).waitFor();
  await agent.getByRole('region', { name: 'Calls' }).locator('li.call').nth(1).waitFor();
  await shot(agent, 'console-ticket-calls');
});

step('portal: the customer sees the call notes and no waiting callback', async () => {
  await carol.reload();
  await carol.getByText('You have no callback waiting.').waitFor();
  await carol.locator(`a[href="#/requests/${ticketId}"]`).click();
  await carol.getByText(NOTES).waitFor();
  await carol.getByText(NOTES2).waitFor();
  await carol.context().close();
  await agent.context().close();
});

step('calls: no script errors or Content-Security-Policy violations', async () => {
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
  console.log(`Bail out! the calls browser steps took longer than ${DEADLINE_MS / 1000} s`);
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
