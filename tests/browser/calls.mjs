// Browser steps of the phone channel (issue 6 "Phone"), printed as TAP: a customer asks for a
// callback in the portal, an agent takes it from the console's Callbacks queue, calls, and logs
// the call as a new voice ticket (the request is done and linked); then logs a second call on the
// ticket with the "Log a call" dialog (a bad number shows its 422 under the field); the customer
// sees the call's notes and no waiting callback. Like run.mjs, its own server on a fresh SQLite
// database and Debian's Chromium through playwright-core, with the harness in lib.mjs.
//   FRONTDESK_BIN=build/frontdesk node tests/browser/calls.mjs
import { existsSync } from 'node:fs';
import {
  suite, step, main, assert, assertEq, BIN, CHROMIUM, Session, startWithAdmin, addStaff, addCustomer,
  launchBrowser, newPage, shot, signIn, problems,
} from './lib.mjs';

suite({ name: 'calls', title: 'the calls browser steps' });

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };
const AGENT = { name: 'Alan Agent', email: 'alan@example.com', password: 'agent password 42' };
const CUSTOMER = { name: 'Carol Customer', email: 'carol@acme.example', password: 'carol password 42' };
const REASON = 'Please call me about the two charges on my invoice';
const NOTES = 'Called Carol back: the second charge was a pre-authorisation; it drops off in 3 days.';
const NOTES2 = 'Carol called to confirm the hold is gone. All good.';

// ------------------------------------------------------------------ the server

let admin;

async function seed() {
  await startWithAdmin(ADMIN);
  addStaff(AGENT);
  admin = new Session();
  await admin.signIn(ADMIN);
  const acme = (await admin.call('POST', '/api/v2/organizations', { organization: { name: 'Acme Widgets' } })).organization;
  await addCustomer(admin, CUSTOMER, acme.id);
}

// ------------------------------------------------------------------ the steps

let carol;
let agent;
let ticketId;

step('calls: server starts with an admin, an agent and a customer', async () => {
  assert(existsSync(BIN), `${BIN} exists (build it first)`);
  assert(existsSync(CHROMIUM), `${CHROMIUM} exists`);
  await seed();
  await launchBrowser();
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

await main();
