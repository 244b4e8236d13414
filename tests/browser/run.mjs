// Browser tests of the agent console and the customer portal, printed as TAP.
//
// Starts the real binary (FRONTDESK_BIN, default build/frontdesk) on a fresh SQLite database and
// a free loopback port, creates an admin, an agent and two customers through the API and the CLI,
// then drives Debian's Chromium (/usr/bin/chromium, or CHROMIUM) through playwright-core. No
// browser is downloaded. Screenshots of the main pages go to build/screenshots/ of the repository.
// The harness (TAP, the server, API sessions, pages) is lib.mjs, shared with the other suites.
// Exit status: 0 when every step passed.
import { existsSync } from 'node:fs';
import {
  suite, step, main, assert, assertEq, BIN, CHROMIUM, base, Session, sqlite, startWithAdmin,
  addStaff, addCustomer, resetToken, launchBrowser, newPage, shot, signIn, problems,
} from './lib.mjs';

suite({ name: 'browser', title: 'the browser suite', deadlineMs: 110_000 });

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };
const AGENT = { name: 'Alan Agent', email: 'alan@example.com', password: 'agent password 42' };
const LEAD = { name: 'Lena Lead', email: 'lena@example.com', password: 'lead password 42' };
const CUSTOMER = { name: 'Carol Customer', email: 'carol@acme.example', password: 'carol password 42' };
const OTHER = { name: 'Oscar Other', email: 'oscar@globex.example', password: 'oscar password 42' };
// The support policy (issue 5): an account with an owner on file, and a member asking about billing.
const OWNER = { name: 'Olivia Owner', email: 'olivia@bluebird.example', password: 'olivia password 42' };
const MEMBER = { name: 'Ben Baker', email: 'ben@bluebird.example' };
const BILLING_SUBJECT = 'Question about my last invoice';
const JUSTIFICATION = 'Long-standing client mid-migration; a one-off integration pointer costs us little.';
// Markup in a subject must arrive as text: if it were parsed, the handler would set the flag.
const SUBJECT = 'Invoices page is blank <img src=x onerror="window.__pwned=1">';
const DESCRIPTION = 'Since this morning the invoices page shows nothing.\nSteps: sign in, open Billing.';
const REPLY = 'Thanks Carol, we found the cause and are deploying a fix now.';
const NOTE = 'Internal: caused by the CDN purge at 08:00, see incident 12.';

// ------------------------------------------------------------------ the server

async function seed() {
  await startWithAdmin(ADMIN);
  addStaff(AGENT);
  addStaff(LEAD, 'lead');
  const admin = new Session();
  await admin.signIn(ADMIN);
  const acme = (await admin.call('POST', '/api/v2/organizations', { organization: { name: 'Acme Widgets' } })).organization;
  const globex = (await admin.call('POST', '/api/v2/organizations', { organization: { name: 'Globex' } })).organization;
  await addCustomer(admin, CUSTOMER, acme.id);
  await addCustomer(admin, OTHER, globex.id, { password: false }); // sets it in the browser
}

let bluebird;
let billingTicketId;
let integrationTicketId;

// A client account with billing facts and an owner on file, and two tickets of its member: a
// billing question (category suggested by the keyword rules) and a custom integration (out of
// scope, category set by staff).
async function seedPolicy(admin) {
  bluebird = (await admin.call('POST', '/api/v2/organizations', { organization: {
    name: 'Bluebird Bakery', plan: 'growth', plan_rate_cents: 4900 } })).organization;
  await admin.call('PUT', `/api/v2/organizations/${bluebird.id}/billing`,
    { billing: { last_invoice: 'INV-1042', balance_cents: 0, card: 'Visa ending 4242' } });
  await admin.call('POST', '/api/v2/users', { user: { name: OWNER.name, email: OWNER.email,
    role: 'end-user', organization_id: bluebird.id, account_role: 'owner' } });
  const ben = (await admin.call('POST', '/api/v2/users', { user: { name: MEMBER.name, email: MEMBER.email,
    role: 'end-user', organization_id: bluebird.id, account_role: 'member' } })).user;
  billingTicketId = (await admin.call('POST', '/api/v2/tickets', { ticket: {
    subject: BILLING_SUBJECT, requester_id: ben.id,
    comment: { body: 'I was charged twice on my invoice this month. Can you explain the payment?' } } })).ticket.id;
  integrationTicketId = (await admin.call('POST', '/api/v2/tickets', { ticket: {
    subject: 'Connect our POS to your API', requester_id: ben.id, category: 'custom_integration',
    comment: { body: 'Could you build the connection between our till system and the app?' } } })).ticket.id;
}

/** The newest identity code mailed for a ticket (read from the outbox, as the owner would). */
function identityCode(ticket) {
  const body = sqlite(`SELECT body FROM outbox WHERE kind = 'identity_code' AND ticket_id = ${ticket} ORDER BY id DESC LIMIT 1`);
  const m = body.match(/^\s+(\d{6})\s*$/m);
  assert(m, `an identity code for ticket ${ticket} in the outbox`);
  return m[1];
}

// ------------------------------------------------------------------ the steps

let carol;
let agent;
let oscar;
let ticketId;

step('server starts and the people exist (admin, agent, two customers)', async () => {
  assert(existsSync(BIN), `${BIN} exists (build it first)`);
  assert(existsSync(CHROMIUM), `${CHROMIUM} exists (scripts/install-deps --test)`);
  await seed();
  await launchBrowser(); // a fresh temporary profile, kept off the (closed) network
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
  // The triage questions: down, but with a workaround, is not critical (the priority stays Normal).
  await carol.getByRole('radiogroup', { name: /service down/ }).getByLabel('Yes').check();
  await carol.getByRole('radiogroup', { name: /work around/ }).getByLabel('Yes').check();
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
  const admin = new Session();
  await admin.signIn(ADMIN);
  const { ticket } = await admin.call('GET', `/api/v2/tickets/${ticketId}`);
  assertEq(JSON.stringify(ticket.triage),
    JSON.stringify({ service_down: true, data_lost: null, feature_down: null, workaround: true }), 'the triage answers');
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
  // Away from the policy's derived priority, the form asks why (clause 11).
  await props.getByLabel(/^Justification/).fill('The whole finance team is blocked until month-end close.');
  await props.getByRole('button', { name: 'Update' }).click();
  await agent.locator('.card-head .badge').filter({ hasText: 'Critical' }).waitFor();
  await agent.locator('.card-head .badge').filter({ hasText: 'set by hand' }).waitFor();
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

step('policy: a billing question shows the policy panel, and billing stays locked', async () => {
  // Made now, so that the queues of the steps above hold only the portal's request.
  const admin = new Session();
  await admin.signIn(ADMIN);
  await seedPolicy(admin);
  await agent.goto(`${base}/agent.html#/tickets/${billingTicketId}`);
  await agent.getByRole('heading', { name: BILLING_SUBJECT }).waitFor();
  const panel = agent.getByRole('region', { name: 'Policy' });
  await panel.locator('.decision .badge').filter({ hasText: /^In scope$/ }).waitFor();
  await panel.locator('.clause').filter({ hasText: /^clauses 1\.5, 2$/ }).waitFor();
  await panel.getByText('Verify identity first').waitFor();
  // The keyword rules suggested the category; staff confirm it.
  assertEq(await panel.getByRole('combobox', { name: /^Category/ }).inputValue(), 'billing', 'the suggested category');
  await panel.locator('.suggested').waitFor();
  await panel.getByRole('button', { name: 'Confirm' }).click();
  await agent.getByRole('heading', { name: BILLING_SUBJECT }).waitFor();
  await panel.getByRole('button', { name: 'Save triage' }).waitFor();
  assertEq(await panel.locator('.suggested').count(), 0, 'no longer marked suggested');
  await agent.getByRole('region', { name: 'Billing' }).locator('.locked').filter({ hasText: /not verified/ }).waitFor();
  await agent.getByRole('region', { name: 'Suggested response' }).locator('.locked').waitFor();
  await agent.getByRole('region', { name: 'Identity' }).getByText('Not verified.').waitFor();
  await shot(agent, 'console-policy-panel');
});

let code;

step('policy: "Send code" mails the owner (masked address); a wrong code says how many tries are left', async () => {
  const id = agent.getByRole('region', { name: 'Identity' });
  await id.getByRole('button', { name: 'Send code' }).click();
  await id.locator('.sent').filter({ hasText: /Code sent to o\*\*\*@bluebird\.example\. It expires/ }).waitFor();
  code = identityCode(billingTicketId);
  const wrong = code === '000000' ? '111111' : '000000';
  await id.getByLabel('Enter code').fill(wrong);
  await id.getByRole('button', { name: 'Verify' }).click();
  const wrongMsg = id.locator('.field-error').filter({ hasText: /4 tries left/ });
  await wrongMsg.waitFor();
  assertEq((await wrongMsg.textContent()).match(/tries left/g).length, 1, 'the tries left, said once');
});

step('policy: the right code verifies the requester; billing opens and the response renders', async () => {
  const id = agent.getByRole('region', { name: 'Identity' });
  await id.getByLabel('Enter code').fill(code);
  await id.getByRole('button', { name: 'Verify' }).click();
  await id.locator('.verified').filter({ hasText: /^Verified until .+\(code\)$/ }).waitFor();
  const billing = agent.getByRole('region', { name: 'Billing' });
  await billing.getByRole('button', { name: 'Show billing facts' }).click();
  await billing.getByText('INV-1042').waitFor();
  await billing.getByText('Visa ending 4242').waitFor();
  await billing.getByText('$49.00').waitFor();
  // Drawn again after verification, the billing response can now be used as the reply.
  const sugg = agent.getByRole('region', { name: 'Suggested response' });
  await sugg.getByRole('button', { name: 'Use as reply' }).click();
  const reply = await agent.getByLabel(/Public reply/).inputValue();
  assert(reply.startsWith('Hi Ben,') && reply.includes('Thank you for confirming your identity'), `the reply box holds the macro: ${reply.slice(0, 80)}`);
  await shot(agent, 'console-identity-billing');
});

step('policy: the disclosure is in the audit log (billing.disclosed, target the ticket)', async () => {
  const admin = new Session();
  await admin.signIn(ADMIN);
  const { audit_logs: entries } = await admin.call('GET', '/api/v2/audit_logs?filter[action]=billing.disclosed');
  const mine = entries.filter((x) => x.target_type === 'ticket' && x.target_id === billingTicketId);
  assert(mine.length >= 1, `a billing.disclosed entry for ticket ${billingTicketId}: ${JSON.stringify(entries)}`);
  assertEq(mine[0].detail.organization_id, bluebird.id, 'the disclosed account');
  assert(Array.isArray(mine[0].detail.fields) && mine[0].detail.fields.length > 0, 'the disclosed fields are listed');
});

step('portal: the account owner verifies herself on her own request with the mailed code', async () => {
  // Olivia sets a password; staff open a billing question on her behalf (no portal session, so
  // she is not verified by signing in), and she verifies in the portal.
  await new Session().call('POST', '/api/v2/auth/password_reset', { email: OWNER.email });
  await new Session().call('POST', '/api/v2/auth/password_reset/confirm',
    { token: resetToken(OWNER.email), password: OWNER.password });
  const olivia = await new Session().signIn(OWNER);
  const admin = new Session();
  await admin.signIn(ADMIN);
  const tid = (await admin.call('POST', '/api/v2/tickets', { ticket: {
    subject: 'Please resend our November invoice', requester_id: olivia.id,
    comment: { body: 'Olivia called: she needs the November invoice resent to the billing address.' } } })).ticket.id;
  const page = await newPage();
  await signIn(page, `/portal.html#/requests/${tid}`, OWNER);
  await page.getByRole('heading', { name: 'Please resend our November invoice' }).waitFor();
  const box = page.locator('details.identity-check');
  await box.locator('summary').filter({ hasText: 'Verify your identity' }).click();
  await box.getByText('Not verified yet.').waitFor();
  await box.getByRole('button', { name: 'Send me a code' }).click();
  await box.locator('.sent').filter({ hasText: /We sent a code to o\*\*\*@bluebird\.example\. It expires in 15 minutes/ }).waitFor();
  const right = identityCode(tid);
  const input = box.getByLabel('Verification code');
  assertEq(await input.getAttribute('inputmode'), 'numeric', 'a numeric keypad on phones');
  await input.fill(right === '000000' ? '111111' : '000000');
  await box.getByRole('button', { name: 'Verify' }).click();
  await box.locator('.field-error').filter({ hasText: 'That code is not right. You have 4 tries left.' }).waitFor();
  await input.fill(right);
  await box.getByRole('button', { name: 'Verify' }).click();
  await box.locator('.verified').filter({ hasText: /^Verified until .+\.$/ }).waitFor();
  await shot(page, 'portal-identity-verified');
  await page.context().close();
  const { identity } = await admin.call('GET', `/api/v2/tickets/${tid}/identity`);
  assertEq(identity.verified && identity.method, 'code', 'the API agrees: verified by code');
});

step('policy: an override needs a written justification (the 422 shows), then is recorded', async () => {
  await agent.goto(`${base}/agent.html#/tickets/${integrationTicketId}`);
  const panel = agent.getByRole('region', { name: 'Policy' });
  await panel.locator('.decision .badge').filter({ hasText: /^Out of scope$/ }).waitFor();
  await panel.locator('.clause').filter({ hasText: /^clause 3$/ }).waitFor();
  await panel.getByRole('button', { name: 'Override…' }).click();
  const dlg = agent.getByRole('dialog', { name: 'Override the policy' });
  await dlg.getByLabel(/Treat as in scope/).check();
  await dlg.getByLabel('Justification').fill('client asked nicely');
  await dlg.getByRole('button', { name: 'Record override' }).click();
  await dlg.locator('.field-error').filter({ hasText: /20/ }).waitFor();
  await dlg.getByLabel('Justification').fill(JUSTIFICATION);
  await dlg.locator('.char-count.ok').waitFor();
  await shot(agent, 'console-policy-override-dialog');
  await dlg.getByRole('button', { name: 'Record override' }).click();
  await dlg.waitFor({ state: 'detached' });
  await panel.getByText('Overridden: in scope').waitFor();
  await panel.locator('.override-note blockquote').filter({ hasText: JUSTIFICATION }).waitFor();
  await shot(agent, 'console-policy-override');
});

step('policy: a lead bans a requester from the ticket page; the portal then refuses them politely', async () => {
  // The agent sees no ban button; the admin does.
  assertEq(await agent.getByRole('button', { name: /^Ban the/ }).count(), 0, 'no ban button for an agent');
  const admin = await newPage();
  await signIn(admin, `/agent.html#/tickets/${ticketId}`, ADMIN);
  // Any staff member flags a message as abusive.
  const msg = admin.locator('.comment').filter({ hasText: 'Confirmed, it works again' });
  await msg.getByRole('button', { name: 'Flag as abusive' }).click();
  const flag = admin.getByRole('dialog', { name: 'Flag this message as abusive' });
  await flag.getByLabel('Reason').fill('Insults the agent by name.');
  await flag.getByRole('button', { name: 'Flag' }).click();
  await msg.getByText('Flagged abusive').waitFor();
  const mod = admin.getByRole('region', { name: 'Moderation' });
  await mod.getByRole('button', { name: 'Ban the requester…' }).click();
  const dlg = admin.getByRole('dialog', { name: 'Ban the requester from support' });
  await dlg.getByLabel('Reason').fill('Repeated insults to the team after two warnings.');
  await dlg.getByRole('button', { name: 'Ban' }).click();
  await mod.getByText('The requester is banned').waitFor();
  await mod.getByRole('button', { name: 'Unban the requester…' }).waitFor();
  await shot(admin, 'console-moderation');
  // Banned, Carol's session ended; signed in again, a new request gets the policy's notice.
  const page = await newPage();
  await signIn(page, '/portal.html', CUSTOMER);
  await page.getByRole('heading', { name: 'My requests' }).waitFor();
  await page.goto(`${base}/portal.html#/new`);
  await page.getByLabel('Subject').fill('Still broken');
  await page.getByLabel('Description').fill('Please look again.');
  await page.getByRole('radiogroup', { name: /service down/ }).getByLabel('Yes').check();
  await page.getByRole('button', { name: 'Submit request' }).click();
  await page.locator('.notice').getByRole('heading', { name: 'We cannot take this request' }).waitFor();
  const noticeText = await page.locator('.notice').innerText();
  assert(/support has been withdrawn from you because of abusive behaviour .*clause 5/.test(noticeText),
    `the policy's notice (clause 5): ${noticeText}`);
  await shot(page, 'portal-banned-notice');
  await page.context().close();
  // Lifted again, so the rest of the scenario runs as before.
  await mod.getByRole('button', { name: 'Unban the requester…' }).click();
  const un = admin.getByRole('dialog', { name: 'Unban the requester' });
  await un.getByLabel('Reason').fill('Apologised in writing.');
  await un.getByRole('button', { name: 'Unban' }).click();
  await mod.getByRole('button', { name: 'Ban the requester…' }).waitFor();
  await admin.context().close();
});

step('policy: the admin edits the duty roster and sees who is on duty', async () => {
  const admin = await newPage();
  await signIn(admin, '/agent.html#/roster', ADMIN);
  await admin.getByRole('heading', { name: 'Duty roster' }).waitFor();
  const rot = admin.getByRole('form', { name: 'Rotation' });
  await rot.getByLabel('Lead to add').selectOption({ label: `${ADMIN.name} (admin)` });
  await rot.getByRole('button', { name: 'Add to rotation' }).click();
  const monday = new Date();
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7) - 7);
  await rot.getByLabel(/Anchor Monday/).fill(monday.toISOString().slice(0, 10));
  await rot.getByRole('button', { name: 'Save rotation' }).click();
  await admin.locator('.on-duty').filter({ hasText: `On duty now: ${ADMIN.name} (rotation)` }).waitFor();
  await shot(admin, 'console-roster');
  await admin.context().close();
});

step('policy: a high-risk account is flagged on its ticket page and in every queue row', async () => {
  const admin = await newPage();
  await signIn(admin, `/agent.html#/tickets/${billingTicketId}`, ADMIN);
  const mod = admin.getByRole('region', { name: 'Moderation' });
  await mod.getByRole('button', { name: 'Mark high risk…' }).click();
  const dlg = admin.getByRole('dialog', { name: `Mark ${bluebird.name} high risk` });
  await dlg.getByLabel('Reason').fill('Chargeback fraud pattern reported by the bank.');
  await dlg.getByRole('button', { name: 'Mark high risk' }).click();
  await admin.getByRole('note', { name: 'High-risk account' }).waitFor();
  await mod.getByRole('button', { name: 'Clear high risk…' }).waitFor();
  await admin.context().close();
  await agent.getByRole('link', { name: 'All open' }).click();
  const row = agent.locator('table.queue tbody tr').filter({ hasText: BILLING_SUBJECT });
  await row.locator('.badge.risk').filter({ hasText: 'High risk' }).waitFor();
  const other = agent.locator('table.queue tbody tr').filter({ hasText: SUBJECT });
  assertEq(await other.locator('.badge.risk').count(), 0, 'no warning on another account\'s ticket');
  await shot(agent, 'console-queue-high-risk');
  await row.getByRole('link', { name: BILLING_SUBJECT }).click();
  await agent.getByRole('note', { name: 'High-risk account' }).waitFor();
});

step('policy: the feature board and the policy report (exceptions, disclosures per week)', async () => {
  const admin = await newPage();
  await signIn(admin, '/agent.html#/features', ADMIN);
  await admin.getByRole('heading', { name: 'Feature board' }).waitFor();
  await admin.getByLabel('Title').fill('Point-of-sale integration');
  await admin.getByRole('button', { name: 'Add item' }).click();
  const row = admin.locator('table.features tbody tr').filter({ hasText: 'Point-of-sale integration' });
  await row.getByRole('combobox').selectOption('planned');
  await row.getByText('Saved.').waitFor();
  await shot(admin, 'console-feature-board');
  await admin.getByRole('link', { name: 'Policy report' }).click();
  await admin.getByRole('heading', { name: 'Policy report' }).waitFor();
  const ex = admin.locator('table.exceptions tbody tr').filter({ hasText: JUSTIFICATION });
  await ex.waitFor();
  await ex.getByText(`#${integrationTicketId}`).waitFor();
  const cells = await admin.locator('table.policy-report tbody td[data-label="Disclosures"]').allTextContents();
  const disclosures = cells.reduce((n, c) => n + Number(c), 0);
  assert(disclosures >= 1, `the weeks count the disclosure (${cells.join(',')})`);
  await shot(admin, 'console-policy-report');
  await admin.context().close();
  assertEq(await agent.getByRole('link', { name: 'Policy report' }).count(), 0, 'no policy report link for an agent');
});

// "2026-11-26T14:05" in this machine's zone (the browser's too), for a datetime-local input.
function localInput(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

step('policy: only the lead on duty may refuse service; put on duty, she refuses it with evidence', async () => {
  const lena = await newPage();
  await signIn(lena, `/agent.html#/tickets/${billingTicketId}`, LEAD);
  const mod = lena.getByRole('region', { name: 'Moderation' });
  await mod.getByRole('button', { name: 'Open incident…' }).waitFor();
  await mod.getByRole('button', { name: 'Ban the requester…' }).waitFor(); // a lead bans
  assertEq(await mod.getByRole('button', { name: 'Refuse service…' }).count(), 0, 'no refusal for a lead not on duty');
  // The admin puts her on duty with an override (the roster page's form).
  const admin = await newPage();
  await signIn(admin, '/agent.html#/roster', ADMIN);
  const add = admin.getByRole('form', { name: 'New override' });
  await add.getByLabel('Lead').selectOption({ label: LEAD.name });
  await add.getByLabel('Reason').fill('Covering the weekend escalations');
  await add.getByLabel(/^From/).fill(localInput(Date.now() - 3600_000));
  await add.getByLabel(/^Until/).fill(localInput(Date.now() + 4 * 3600_000));
  await add.getByRole('button', { name: 'Add override' }).click();
  await admin.locator('.on-duty').filter({ hasText: `On duty now: ${LEAD.name} (override)` }).waitFor();
  await admin.locator('table.overrides').getByText('Covering the weekend escalations').waitFor();
  await admin.context().close();
  await lena.reload();
  await mod.getByText(`Lead on duty: ${LEAD.name} (you)`).waitFor();
  // Evidence first (clause 12): an incident with a note.
  await mod.getByRole('button', { name: 'Open incident…' }).click();
  const inc = lena.getByRole('dialog', { name: `Open a misuse incident for ${bluebird.name}` });
  await inc.getByLabel('Summary').fill('Card testing with stolen cards');
  await inc.getByLabel(/First evidence/).fill('Forty declined charges in ten minutes on 2026-11-20.');
  await inc.getByRole('button', { name: 'Open incident' }).click();
  await mod.getByText('1 incident on file (1 piece of evidence).').waitFor();
  await mod.getByRole('button', { name: 'Refuse service…' }).click();
  const ref = lena.getByRole('dialog', { name: `Refuse service to ${bluebird.name}` });
  await ref.getByLabel('Reason').fill('Fraudulent use of the service (clause 12).');
  await ref.getByRole('button', { name: 'Refuse service' }).click();
  await mod.getByText('Service refused').waitFor();
  await lena.locator('.card-head .badge').filter({ hasText: 'Closed' }).waitFor();
  await shot(lena, 'console-service-refused');
  await lena.context().close();
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

await main();
