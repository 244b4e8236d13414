// The harness the browser suites share (run.mjs, chat.mjs, calls.mjs, hc.mjs); not a suite
// itself, so it prints nothing and runs nothing when imported.
//
// A suite calls suite() once at the top (its temp dir, screenshot names and deadline), declares
// its steps with step(), and ends with `await main()`, which prints them as TAP, exits 0 when
// every step passed, and always stops the browser and the server and removes the temp dir.
// In between it has: the real binary (FRONTDESK_BIN, default build/frontdesk) through cli(),
// started with startWithAdmin() on a fresh SQLite database in the temp dir and a free loopback
// port (`base` is its URL); the database read with sqlite() (the sqlite3 CLI); the API through
// call() or a Session (cookie and CSRF token); people made with addStaff(), addCustomer() and
// addEndUserByCli(); Debian's Chromium (/usr/bin/chromium, or CHROMIUM) through playwright-core
// with launchBrowser(); pages from newPage() (script errors and console errors other than
// refused 4xx calls go to `problems`), shot() and signIn().
//
// The exported `let`s (work, dbFile, dbUrl, server, base, browser) are live bindings: suites
// read them after suite(), startWithAdmin() and launchBrowser() set them.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(REPO, process.env.FRONTDESK_BIN || 'build/frontdesk');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SHOTS = path.join(REPO, 'build', 'screenshots');
export const STEP_TIMEOUT_MS = 15_000;

let config = null;
export let work = null;
export let dbFile = null;
export let dbUrl = null;
export let server = null;
export let base = null;
export let browser = null;
export const problems = []; // page errors and CSP reports, any of which fails a suite's last step

/**
 * Sets a suite up: `name` names its temp dir (frontdesk-<name>-XXXXXX); `title` is what the
 * watchdog's "Bail out!" line says took too long; screenshots are <shotPrefix><name>.png, of the
 * full page unless `fullPage` is false; `db` is the database file's name in the temp dir.
 */
export function suite({ name, title, deadlineMs = 90_000, shotPrefix = '', fullPage = true, db = 'fd.db' }) {
  config = { title, deadlineMs, shotPrefix, fullPage };
  work = mkdtempSync(path.join(tmpdir(), `frontdesk-${name}-`));
  dbFile = path.join(work, db);
  dbUrl = `sqlite:${dbFile}`;
}

// ------------------------------------------------------------------ TAP

const steps = [];
export function step(name, fn) {
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
      for (const line of String((err && err.stack) || err).split('\n')) console.log(`# ${line}`);
    }
  }
  return failed;
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

export function assertEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// ------------------------------------------------------------------ the server

/** The environment for the binary: ours without FRONTDESK_* (FRONTDESK_BIN is ours, not its). */
function binEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FRONTDESK_')) env[k] = v;
  return env;
}

/** Runs `frontdesk <args>` in the temp dir with `input` on stdin; returns its stdout. */
export function cli(args, input) {
  return execFileSync(BIN, args, { cwd: work, env: binEnv(), input: input ?? '', encoding: 'utf8',
    timeout: 15_000, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The sqlite3 CLI's output for `sql` on the suite's database (not trimmed). */
export function sqlite(sql) {
  return execFileSync('sqlite3', [dbFile, sql], { encoding: 'utf8', timeout: 10_000 });
}

/** `frontdesk serve` on a free loopback port (plus `extraArgs`); resolves to its base URL. */
function startServer(extraArgs = []) {
  return new Promise((resolve, reject) => {
    server = spawn(BIN, ['serve', '--db', dbUrl, '--listen', '127.0.0.1:0', ...extraArgs],
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

/** A JSON API call without a session (headers such as Authorization added); throws unless 2xx. */
export async function call(method, p, body, headers = {}) {
  const res = await fetch(base + p, { method, headers: { Accept: 'application/json',
    'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A tiny API client with its own cookie jar (one session). */
export class Session {
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

/**
 * `frontdesk init` on the fresh database, the server started (with `serveArgs`), and `admin`
 * made the first administrator with the setup token init printed (POST /api/v2/setup).
 */
export async function startWithAdmin(admin, { serveArgs = [] } = {}) {
  const init = cli(['init', '--db', dbUrl]);
  const token = init.match(/^setup token: (\S+)\s*$/m);
  assert(token, `init prints a setup token:\n${init}`);
  base = await startServer(serveArgs);
  await new Session().call('POST', '/api/v2/setup', { setup_token: token[1], user: admin });
}

/** A staff member added with `frontdesk staff add` (the password on stdin). */
export function addStaff(who, role = 'agent') {
  cli(['staff', 'add', '--db', dbUrl, '--email', who.email, '--name', who.name, '--role', role],
    `${who.password}\n`);
}

/** A customer who can sign in, quickly: added like staff (the CLI sets passwords), then made an end-user. */
export function addEndUserByCli(who) {
  addStaff(who, 'agent');
  sqlite(`UPDATE users SET role = 'end-user' WHERE email = '${who.email}'`);
}

/** The token of the newest password-reset link mailed to `email` (read from the outbox). */
export function resetToken(email) {
  const body = sqlite(`SELECT body FROM outbox WHERE kind = 'password_reset' AND to_address = '${email}' ORDER BY id DESC LIMIT 1`);
  const m = body.match(/\/reset-password\.html#token=([A-Za-z0-9_-]+)/);
  assert(m, `a reset link for ${email} in the outbox`);
  return m[1];
}

/** An end-user created by the admin; with `password`, one set through the reset flow. */
export async function addCustomer(admin, who, orgId, { password = true } = {}) {
  const { user } = await admin.call('POST', '/api/v2/users',
    { user: { name: who.name, email: who.email, role: 'end-user', organization_id: orgId } });
  if (password) {
    await new Session().call('POST', '/api/v2/auth/password_reset', { email: who.email });
    await new Session().call('POST', '/api/v2/auth/password_reset/confirm',
      { token: resetToken(who.email), password: who.password });
  }
  return user;
}

// ------------------------------------------------------------------ the browser

/**
 * Chromium, headless. launch() gives it a fresh temporary profile (--user-data-dir) of its own
 * and removes it on close; it refuses the flag itself. The flags keep Chromium off the (closed)
 * network.
 */
export async function launchBrowser() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page in a context of its own, `width` x `height`, with JavaScript unless told otherwise. */
export async function newPage(width = 1280, height = 860, { javaScript = true } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, javaScriptEnabled: javaScript });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Refused API calls (401, 404, 422) are part of the scenarios; anything else is a problem.
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  return page;
}

/** A screenshot in build/screenshots/ of the repository, named as suite() said. */
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${config.shotPrefix}${name}.png`), fullPage: config.fullPage });
}

/** Opens `url` (a path on the server) and signs in there through the sign-in form. */
export async function signIn(page, url, who) {
  await page.goto(base + url);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// ------------------------------------------------------------------ main

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => { const t = setTimeout(r, 5000); server.once('exit', () => { clearTimeout(t); r(); }); });
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  if (work) rmSync(work, { recursive: true, force: true });
}

/** Runs the steps as TAP under the suite's deadline, cleans up, and exits (1 if any failed). */
export async function main() {
  const watchdog = setTimeout(async () => {
    console.log(`Bail out! ${config.title} took longer than ${config.deadlineMs / 1000} s`);
    await cleanup();
    process.exit(1);
  }, config.deadlineMs);

  let failed = 1;
  try {
    failed = await runSteps();
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.error('tests/browser/lib.mjs is the harness the suites import, not a suite: run run.mjs, chat.mjs, calls.mjs or hc.mjs');
  process.exit(2);
}
