// Browser tests of the agent console and the customer portal, printed as TAP.
//
// Starts the real binary (FRONTDESK_BIN, default build/frontdesk) on a fresh SQLite database and
// a free loopback port, creates an admin, an agent and two customers through the API and the CLI,
// then drives Debian's Chromium (/usr/bin/chromium, or CHROMIUM) through playwright-core. No
// browser is downloaded. Screenshots of the main pages go to build/screenshots/ of the repository.
// Exit status: 0 when every step passed.
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
const DEADLINE_MS = 110_000;
const STEP_TIMEOUT_MS = 15_000;

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };
const AGENT = { name: 'Alan Agent', email: 'alan@example.com', password: 'agent password 42' };
const CUSTOMER = { name: 'Carol Customer', email: 'carol@acme.example', password: 'carol password 42' };
const OTHER = { name: 'Oscar Other', email: 'oscar@globex.example', password: 'oscar password 42' };
// Markup in a subject must arrive as text: if it were parsed, the handler would set the flag.
const SUBJECT = 'Invoices page is blank <img src=x onerror="window.__pwned=1">';
const DESCRIPTION = 'Since this morning the invoices page shows nothing.\nSteps: sign in, open Billing.';
const REPLY = 'Thanks Carol, we found the cause and are deploying a fix now.';
const NOTE = 'Internal: caused by the CDN purge at 08:00, see incident 12.';

// ------------------------------------------------------------------ TAP

const steps = [];
function step(name, fn) {
  steps.push({ name, fn });
}

async function runSteps() {
  console.log(`1..${steps.length}`);
  let failed = 0;
  let broken = null; // after a failure, later steps depend on state that is not there
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
      for (const line of String(err && err.stack || err).split('\n')) console.log(`# ${line}`);
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

function assertEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// ------------------------------------------------------------------ the server

const work = mkdtempSync(path.join(tmpdir(), 'frontdesk-browser-'));
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

/** A tiny API client with its own cookie jar (one session). */
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

function sqlite(sql) {
  return execFileSync('sqlite3', [path.join(work, 'fd.db'), sql], { encoding: 'utf8', timeout: 10_000 });
}

/** The token of the newest password-reset link mailed to `email` (read from the outbox). */
function resetToken(email) {
  const body = sqlite(`SELECT body FROM outbox WHERE kind = 'password_reset' AND to_address = '${email}' ORDER BY id DESC LIMIT 1`);
  const m = body.match(/\/reset-password\.html#token=([A-Za-z0-9_-]+)/);
  assert(m, `a reset link for ${email} in the outbox`);
  return m[1];
}

/** An end-user created by the admin; with `password`, one set through the reset flow. */
async function addCustomer(admin, who, orgId, { password = true } = {}) {
  const { user } = await admin.call('POST', '/api/v2/users',
    { user: { name: who.name, email: who.email, role: 'end-user', organization_id: orgId } });
  if (password) {
    await new Session().call('POST', '/api/v2/auth/password_reset', { email: who.email });
    await new Session().call('POST', '/api/v2/auth/password_reset/confirm',
      { token: resetToken(who.email), password: who.password });
  }
  return user;
}

async function seed() {
  const init = cli(['init', '--db', dbUrl]);
  const token = init.match(/^setup token: (\S+)\s*$/m);
  assert(token, `init prints a setup token:\n${init}`);
  base = await startServer();
  await new Session().call('POST', '/api/v2/setup', { setup_token: token[1], user: ADMIN });
  cli(['staff', 'add', '--db', dbUrl, '--email', AGENT.email, '--name', AGENT.name, '--role', 'agent'],
    `${AGENT.password}\n`);
  const admin = new Session();
  await admin.signIn(ADMIN);
  const acme = (await admin.call('POST', '/api/v2/organizations', { organization: { name: 'Acme Widgets' } })).organization;
  const globex = (await admin.call('POST', '/api/v2/organizations', { organization: { name: 'Globex' } })).organization;
  await addCustomer(admin, CUSTOMER, acme.id);
  await addCustomer(admin, OTHER, globex.id, { password: false }); // sets it in the browser
}

// ------------------------------------------------------------------ the browser

let browser = null;
const problems = []; // page errors and CSP reports, any of which fails the last step

async function newPage(width = 1280, height = 860) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Refused API calls (401, 404, 422) are part of the scenario; anything else is a problem.
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
let oscar;
let ticketId;

step('server starts and the people exist (admin, agent, two customers)', async () => {
  assert(existsSync(BIN), `${BIN} exists (build it first)`);
  assert(existsSync(CHROMIUM), `${CHROMIUM} exists (scripts/install-deps --test)`);
  await seed();
  // launch() gives Chromium a fresh temporary profile (--user-data-dir) of its own and removes it
  // on close; it refuses the flag itself. The flags keep Chromium off the (closed) network.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

step('landing page links to the portal and the console', async () => {
  const page = await newPage();
  await page.goto(base + '/');
  assertEq(await page.getByRole('link', { name: /Get help/ }).getAttribute('href'), '/portal.html', 'portal link');
  assertEq(await page.getByRole('link', { name: /Agent console/ }).getAttribute('href'), '/agent.html', 'console link');
  await page.context().close();
});

step('portal: a wrong password shows the server\'s message', async () => {
  const page = await newPage();
  await signIn(page, '/portal.html', { email: CUSTOMER.email, password: 'not the password' });
  await page.getByRole('alert').filter({ hasText: 'email or password is wrong' }).waitFor();
  await page.context().close();
});

step('portal: the customer signs in with the keyboard only and sees "My requests"', async () => {
  carol = await newPage();
  await carol.goto(base + '/portal.html');
  await carol.getByLabel('Email').waitFor();
  await carol.waitForFunction(() => document.activeElement && document.activeElement.name === 'email');
  await carol.keyboard.type(CUSTOMER.email);
  await carol.keyboard.press('Tab');
  await carol.keyboard.type(CUSTOMER.password);
  await carol.keyboard.press('Enter');
  await carol.getByRole('heading', { name: 'My requests' }).waitFor();
  await carol.getByText('You have no requests yet.').waitFor();
});

step('portal: an empty request shows the error next to the subject', async () => {
  await carol.getByRole('link', { name: 'Submit a request' }).first().click();
  await carol.getByRole('heading', { name: 'Submit a request' }).waitFor();
  await carol.getByRole('button', { name: 'Submit request' }).click();
  const err = carol.locator('.field-error');
  await err.waitFor();
  assertEq(await carol.getByLabel('Subject').getAttribute('aria-invalid'), 'true', 'subject marked invalid');
  assert(/subject/.test(await err.textContent()), 'the message names the subject');
});

step('portal: the customer submits a request and lands on it', async () => {
  await carol.getByLabel('Subject').fill(SUBJECT);
  await carol.getByLabel('Description').fill(DESCRIPTION);
  await shot(carol, 'portal-form');
  await carol.getByRole('button', { name: 'Submit request' }).click();
  await carol.waitForURL(/#\/requests\/\d+$/);
  ticketId = Number(carol.url().match(/#\/requests\/(\d+)$/)[1]);
  await carol.getByRole('heading', { name: SUBJECT }).waitFor();
  await carol.getByText('Since this morning the invoices page shows nothing.').waitFor();
  // The first response is expected on the support calendar, in its zone, and not promised.
  await carol.locator('.expected').filter({
    hasText: /^We expect to reply by [A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{1,2}:\d\d [ap]\.m\. Eastern\. This is our aim, not a guarantee\.$/,
  }).waitFor();
  assertEq(await carol.evaluate(() => window.__pwned), undefined, 'markup in the subject stayed text');
});

step('portal: the support hours line says whether support is open, from the live calendar', async () => {
  const line = carol.locator('#support-hours');
  await line.filter({ hasText: /^We're (open until .* Eastern\.|closed — back .* Eastern\.)$/ }).waitFor();
  const open = await line.getAttribute('data-open');
  const api = await (await fetch(`${base}/api/v2/support_hours`)).json();
  assertEq(open, api.support_hours.open ? 'yes' : 'no', 'the line agrees with the API');
});

step('portal: "My requests" lists the new request', async () => {
  await carol.getByRole('link', { name: 'My requests' }).first().click();
  await carol.locator('.request-list').getByText(SUBJECT).waitFor();
});

step('console: a customer cannot use the console', async () => {
  const page = await newPage();
  await signIn(page, '/agent.html', CUSTOMER);
  await page.getByRole('alert').filter({ hasText: 'this console is for staff' }).waitFor();
  await page.context().close();
});

step('console: the agent signs in and finds the request in "Unassigned"', async () => {
  agent = await newPage();
  await signIn(agent, '/agent.html', AGENT);
  await agent.getByRole('heading', { name: 'Unassigned' }).waitFor();
  const row = agent.locator('table.queue tbody tr').filter({ hasText: SUBJECT });
  await row.waitFor();
  await row.getByText(CUSTOMER.name).waitFor();
  await row.getByText('Normal').waitFor();
  await row.locator('.badge').filter({ hasText: /^(Due in .+|Overdue .+)$/ }).waitFor();
  // The counts beside the views come from the server's views; one page holds everything here.
  await agent.locator('a[data-view="unassigned"] .view-count').filter({ hasText: /^1$/ }).waitFor();
  await agent.locator('a[data-view="mine"] .view-count').filter({ hasText: /^0$/ }).waitFor();
  if (await agent.getByRole('button', { name: 'Show more' }).isVisible()) {
    throw new Error('"Show more" is offered on a queue that fits one page');
  }
  await shot(agent, 'console-queue');
  await row.getByRole('link', { name: SUBJECT }).click();
  await agent.waitForURL(new RegExp(`#/tickets/${ticketId}$`));
  await agent.getByRole('heading', { name: SUBJECT }).waitFor();
});

step('console: the ticket page shows the SLA clocks', async () => {
  const sla = agent.getByRole('region', { name: 'SLA' });
  await sla.getByRole('heading', { name: /First response/ }).waitFor();
  await sla.locator('.badge').filter({ hasText: /^(Due in .+|Overdue .+)$/ }).first().waitFor();
  await sla.getByText('Not started').waitFor(); // no follow-up before the first reply
});

step('console: the ticket page shows the requester and their account', async () => {
  const side = agent.getByRole('region', { name: 'Requester' });
  await side.getByText(CUSTOMER.email).waitFor();
  await side.getByText('Acme Widgets').waitFor();
});

step('console: the agent replies (setting Pending) and adds an internal note, shown differently', async () => {
  await agent.getByLabel(/Public reply/).fill(REPLY);
  await agent.locator('form.composer.public select').selectOption('pending');
  await agent.getByRole('button', { name: 'Send reply' }).click();
  await agent.locator('.comment.public').filter({ hasText: REPLY }).waitFor();
  await agent.locator('.card-head .badge').filter({ hasText: 'Pending' }).waitFor();
  await agent.getByLabel(/Internal note/).fill(NOTE);
  await agent.getByRole('button', { name: 'Add note' }).click();
  const note = agent.locator('.comment.internal').filter({ hasText: NOTE });
  await note.waitFor();
  await note.getByText('Internal note').waitFor();
  const bg = (sel) => agent.locator(sel).first().evaluate((e) => getComputedStyle(e).backgroundColor);
  assert(await bg('.comment.internal') !== await bg('.comment.public'), 'notes and replies look different');
});

step('console: the agent sets priority Critical, the Billing team and takes the ticket', async () => {
  const props = agent.getByRole('form', { name: 'Ticket properties' });
  await props.getByLabel('Priority').selectOption('urgent');
  await props.getByLabel('Team').selectOption({ label: 'Billing' });
  await props.getByRole('button', { name: 'Assign to me' }).click();
  await props.getByRole('button', { name: 'Update' }).click();
  await agent.locator('.card-head .badge').filter({ hasText: 'Critical' }).waitFor();
  await agent.locator('.card-head .badge').filter({ hasText: 'Pending' }).waitFor();
  await shot(agent, 'console-ticket');
  await agent.getByRole('link', { name: 'Assigned to me' }).click();
  await agent.locator('table.queue').getByText(SUBJECT).waitFor();
  await agent.locator('table.queue').getByText('Critical').waitFor();
  await agent.getByRole('link', { name: 'Billing' }).click();
  await agent.locator('table.queue').getByText(SUBJECT).waitFor();
  const counts = await agent.locator('a[data-view="group/3"] .view-count, a[data-view="mine"] .view-count').allTextContents();
  assertEq(counts.join(','), '1,1', 'the counts beside "Assigned to me" and "Billing"');
  await agent.getByRole('link', { name: 'Unassigned' }).click();
  await agent.getByText('Nothing here.').waitFor();
});

step('console: the queue and the ticket page fit a phone screen', async () => {
  const phone = await newPage(390, 844);
  await signIn(phone, '/agent.html', AGENT);
  await phone.getByRole('heading', { name: 'Unassigned' }).waitFor();
  await phone.getByRole('link', { name: 'All open' }).click();
  await phone.locator('table.queue').getByText(SUBJECT).waitFor();
  const overflow = () => phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assertEq(await overflow(), 0, 'sideways overflow of the queue at 390 px');
  await shot(phone, 'console-queue-phone');
  await phone.locator('table.queue').getByRole('link', { name: SUBJECT }).click();
  await phone.getByText(NOTE).waitFor();
  assertEq(await overflow(), 0, 'sideways overflow of the ticket page at 390 px');
  await phone.context().close();
});

step('portal: the customer sees the reply but not the internal note', async () => {
  await carol.goto(`${base}/portal.html#/requests/${ticketId}`);
  await carol.getByText(REPLY).waitFor();
  await carol.getByText('Awaiting your reply').waitFor();
  assertEq(await carol.getByText(NOTE).count(), 0, 'internal note hidden from the customer');
  await shot(carol, 'portal-request');
});

step('portal: the customer replies and the agent sees it', async () => {
  await carol.getByLabel('Reply').fill('Confirmed, it works again. Thank you!');
  await carol.getByRole('button', { name: 'Send reply' }).click();
  await carol.locator('.comment.from-requester').filter({ hasText: 'Confirmed, it works again' }).waitFor();
  await agent.goto(`${base}/agent.html#/tickets/${ticketId}`);
  await agent.getByText('Confirmed, it works again. Thank you!').waitFor();
  await agent.locator('.card-head .badge').filter({ hasText: 'Open' }).waitFor();
});

step('reset: a new customer sets a password from the emailed link', async () => {
  const page = await newPage();
  await page.goto(base + '/portal.html');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill(OTHER.email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  // The page the reset mail links to.
  await page.goto(`${base}/reset-password.html#token=${resetToken(OTHER.email)}`);
  await page.getByLabel('New password', { exact: true }).fill(OTHER.password);
  await page.getByLabel('New password again').fill(OTHER.password + 'x');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByText('the two passwords differ').waitFor();
  await page.getByLabel('New password again').fill(OTHER.password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('heading', { name: 'Password set' }).waitFor();
  assert(!page.url().includes('token='), 'the token left the address bar');
  await page.context().close();
});

step("portal: another customer cannot open the request by URL", async () => {
  oscar = await newPage();
  await signIn(oscar, '/portal.html', OTHER);
  await oscar.getByRole('heading', { name: 'My requests' }).waitFor();
  await oscar.goto(`${base}/portal.html#/requests/${ticketId}`);
  await oscar.reload();
  await oscar.getByRole('heading', { name: 'Request not found' }).waitFor();
  const text = await oscar.locator('body').innerText();
  assert(!text.includes('Invoices page is blank'), 'the subject is not shown');
  assert(!text.includes(REPLY), 'the conversation is not shown');
});

step('portal: the request page fits a phone screen', async () => {
  const phone = await newPage(390, 844);
  await signIn(phone, '/portal.html', CUSTOMER);
  await phone.getByRole('heading', { name: 'My requests' }).waitFor();
  await phone.goto(`${base}/portal.html#/requests/${ticketId}`);
  await phone.getByText(REPLY).waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `no sideways scrolling at 390 px (overflow ${overflow} px)`);
  await shot(phone, 'portal-request-phone');
  await phone.context().close();
});

step('console: the SLA report lists this week\'s requests', async () => {
  await agent.getByRole('link', { name: 'SLA report' }).click();
  await agent.getByRole('heading', { name: 'SLA report' }).waitFor();
  const rows = agent.locator('table.report tbody tr');
  await rows.first().waitFor();
  assertEq(await agent.locator('table.report thead th').first().textContent(), 'Week of', 'the first column');
  await shot(agent, 'console-sla-report');
});

step('console: sign-out ends the session', async () => {
  await agent.getByRole('button', { name: 'Sign out' }).click();
  await agent.getByRole('button', { name: 'Sign in' }).waitFor();
  await agent.reload();
  await agent.getByRole('button', { name: 'Sign in' }).waitFor();
});

step('no script errors or Content-Security-Policy violations on any page', async () => {
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
  console.log(`Bail out! the browser suite took longer than ${DEADLINE_MS / 1000} s`);
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
