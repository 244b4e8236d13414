// Browser test of live chat (issue 6), printed as TAP: two pages, a customer chatting from the
// portal's widget and an agent answering from the console, each seeing the other's messages as
// they are sent (server-sent events); then a reload that comes back to the chat, the end of it,
// a visitor without an account, and the widget when nobody is online.
//
// Same harness as run.mjs (lib.mjs): the real binary (FRONTDESK_BIN, default build/frontdesk) on
// a fresh SQLite database and a free loopback port, Debian's Chromium (/usr/bin/chromium, or
// CHROMIUM) through playwright-core; screenshots go to build/screenshots/chat-*.png. Exit status
// 0 when every step passed.
import {
  suite, step, main, assert, base, dbUrl, call, cli, sqlite, startWithAdmin, addStaff,
  addEndUserByCli, launchBrowser, newPage, shot, signIn, problems,
} from './lib.mjs';

suite({ name: 'chat', title: 'the chat browser test', shotPrefix: 'chat-', fullPage: false });

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };
const AGENT = { name: 'Alan Agent', email: 'alan@example.com', password: 'agent password 42' };
const CUSTOMER = { name: 'Carol Customer', email: 'carol@acme.example', password: 'carol password 42' };
const FIRST = 'Hi, my invoices page is blank since this morning.';
const ANSWER = 'Hello Carol, I am looking at it right now.';
const THANKS = 'Great, thank you! <b>not bold</b>';

// ------------------------------------------------------------------ the server

let adminToken = null;

async function seed() {
  await startWithAdmin(ADMIN);
  addStaff(AGENT);
  addEndUserByCli(CUSTOMER);
  const apiToken = cli(['token', 'create', '--db', dbUrl, '--email', ADMIN.email, '--name', 'chat test']).trim().split('\n').pop();
  adminToken = apiToken;
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  await call('PUT', '/api/v2/calendar', { calendar: { hours: Object.fromEntries(days.map((d) => [d, ['00:00-24:00']])),
    holidays: { presets: [] } } }, { Authorization: `Bearer ${apiToken}` });
}

// ------------------------------------------------------------------ the steps

let agent;
let carol;
let visitor;

step('setup: the server, an admin, an agent and a customer; support always open', async () => {
  await seed();
  await launchBrowser();
});

step('console: the agent signs in, opens Live chat and goes online', async () => {
  agent = await newPage();
  await signIn(agent, '/agent.html', AGENT);
  const toggle = agent.locator('.chat-toggle');
  await toggle.waitFor();
  await toggle.click();
  await agent.getByRole('button', { name: 'Away · go online' }).click();
  await agent.getByRole('button', { name: 'Online · go away' }).waitFor();
  await agent.getByText('No chats waiting').waitFor();
  const av = await call('GET', '/api/v2/chat/availability');
  assert(av.chat_availability.available && av.chat_availability.agents_online === 1, JSON.stringify(av));
});

step('portal: the customer starts a chat from the widget', async () => {
  carol = await newPage();
  await signIn(carol, '/portal.html', CUSTOMER);
  await carol.getByRole('heading', { name: 'My requests' }).waitFor();
  await carol.getByRole('button', { name: 'Chat with us' }).click();
  const panel = carol.locator('#chat-panel');
  await panel.getByText('An agent is online').waitFor();
  assert(await panel.getByLabel('Your name').count() === 0, 'a signed-in customer is not asked for a name');
  await panel.getByLabel('Message').fill(FIRST);
  await panel.getByRole('button', { name: 'Start chat' }).click();
  await panel.getByText('Waiting for an agent…').waitFor();
  await panel.locator('.chat-log li.mine').filter({ hasText: FIRST }).waitFor();
  await shot(carol, 'portal-waiting');
});

step('console: the chat waits with a live counter; the agent accepts it', async () => {
  const row = agent.locator('.chat-waiting li').filter({ hasText: CUSTOMER.name });
  await row.waitFor({ timeout: 6000 });
  const first = await row.locator('.waited').textContent();
  await agent.waitForTimeout(3200);
  const later = await row.locator('.waited').textContent();
  const secs = (t) => { const m = /^waited (\d+):(\d\d)$/.exec(t); return m ? Number(m[1]) * 60 + Number(m[2]) : NaN; };
  assert(secs(later) >= secs(first) + 2, `the counter moves: ${first} -> ${later}`);
  await shot(agent, 'console-waiting');
  await row.getByRole('button', { name: 'Accept' }).click();
  const conv = agent.locator('.chat-conv').filter({ hasText: CUSTOMER.name });
  await conv.locator('li.theirs').filter({ hasText: FIRST }).waitFor();
  await carol.locator('#chat-panel').getByText(`${AGENT.name} joined the chat`).waitFor();
});

step('both ways: each sees the other\'s messages as they are sent', async () => {
  const conv = agent.locator('.chat-conv').filter({ hasText: CUSTOMER.name });
  await conv.getByLabel(`Reply to ${CUSTOMER.name}`).fill(ANSWER);
  await conv.getByRole('button', { name: 'Send' }).click();
  const panel = carol.locator('#chat-panel');
  await panel.locator('.chat-log li.theirs').filter({ hasText: ANSWER }).waitFor();
  await panel.getByLabel('Your message').fill(THANKS);
  await panel.getByRole('button', { name: 'Send' }).click();
  await conv.locator('li.theirs').filter({ hasText: THANKS }).waitFor();
  assert(await conv.locator('li b').count() === 0, 'markup in a message stays text');
  await shot(carol, 'portal-conversation');
  await shot(agent, 'console-conversation');
});

step('the transcript is the ticket\'s conversation (channel chat)', async () => {
  const rows = sqlite("SELECT t.channel, count(c.id) FROM tickets t JOIN ticket_comments c ON c.ticket_id = t.id WHERE t.channel = 'chat' GROUP BY t.id").trim();
  assert(rows === 'chat|3', `one chat ticket with three comments: ${rows}`);
});

step('portal: after a reload the customer comes back to the chat', async () => {
  await carol.reload();
  await carol.getByRole('button', { name: 'Chat with us' }).click();
  const panel = carol.locator('#chat-panel');
  for (const text of [FIRST, ANSWER, THANKS]) await panel.locator('.chat-log li').filter({ hasText: text }).waitFor();
  const conv = agent.locator('.chat-conv').filter({ hasText: CUSTOMER.name });
  await conv.getByLabel(`Reply to ${CUSTOMER.name}`).fill('Still here?');
  await conv.getByRole('button', { name: 'Send' }).click();
  await panel.locator('.chat-log li.theirs').filter({ hasText: 'Still here?' }).waitFor();
});

step('the agent ends the chat; the customer is told', async () => {
  const conv = agent.locator('.chat-conv').filter({ hasText: CUSTOMER.name });
  await conv.getByRole('button', { name: 'End chat' }).click();
  await conv.getByText('The chat has ended').waitFor();
  await carol.locator('#chat-panel').getByText('The chat has ended').waitFor();
  assert(await carol.locator('#chat-panel .chat-compose').count() === 0, 'no compose box after the end');
});

step('portal: a visitor without an account chats with name and email', async () => {
  visitor = await newPage();
  await visitor.goto(base + '/portal.html');
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const panel = visitor.locator('#chat-panel');
  await panel.getByLabel('Your name').fill('Vera Visitor');
  await panel.getByLabel('Email').fill('vera@visitor.example');
  await panel.getByLabel('Message').fill('Do you have a plan for 20 shops?');
  await panel.getByRole('button', { name: 'Start chat' }).click();
  await panel.getByText('Waiting for an agent…').waitFor();
  const row = agent.locator('.chat-waiting li').filter({ hasText: 'Vera Visitor' });
  await row.getByRole('button', { name: 'Accept' }).click();
  const conv = agent.locator('.chat-conv').filter({ hasText: 'Vera Visitor' });
  await conv.getByLabel('Reply to Vera Visitor').fill('Yes: the Growth plan.');
  await conv.getByRole('button', { name: 'Send' }).click();
  await panel.locator('.chat-log li.theirs').filter({ hasText: 'Yes: the Growth plan.' }).waitFor();
  await panel.getByLabel('Your message').fill('Thanks Alan');
  await panel.getByRole('button', { name: 'Send' }).click();
  await conv.locator('li.theirs').filter({ hasText: 'Thanks Alan' }).waitFor();
  // The chat cookie brings the visitor back after a reload, and is not readable by scripts.
  assert(!(await visitor.evaluate(() => document.cookie)).includes('fd_chat'), 'fd_chat is HttpOnly');
  await visitor.reload();
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  await panel.locator('.chat-log li').filter({ hasText: 'Yes: the Growth plan.' }).waitFor();
  await shot(visitor, 'portal-visitor');
  await conv.getByRole('button', { name: 'End chat' }).click();
  await panel.getByText('The chat has ended').waitFor();
});

step('portal: with nobody online the widget says so and offers to leave a message', async () => {
  await agent.getByRole('button', { name: 'Online · go away' }).click();
  await agent.getByRole('button', { name: 'Away · go online' }).waitFor();
  await carol.reload();
  await carol.getByRole('button', { name: 'Chat with us' }).click();
  const panel = carol.locator('#chat-panel');
  await panel.getByText('Nobody is available to chat right now.').waitFor();
  await panel.getByLabel('Subject').fill('Invoices page after the chat');
  await panel.getByLabel('Message').fill('Leaving a message since nobody is online.');
  await panel.getByRole('button', { name: 'Leave a message' }).click();
  await panel.getByText(/your request #\d+ is in/).waitFor();
  const kind = sqlite("SELECT t.channel FROM tickets t WHERE t.subject = 'Invoices page after the chat'").trim();
  assert(kind === 'web', `the message is a web ticket: ${kind}`);
  await shot(carol, 'portal-leave-message');
});

step('portal: outside support hours a visitor is told when support opens', async () => {
  await agent.getByRole('button', { name: 'Away · go online' }).click();
  await agent.getByRole('button', { name: 'Online · go away' }).waitFor();
  // Open one hour a day, starting two hours from now (UTC): closed now.
  const now = new Date();
  let h = (now.getUTCHours() + 2) % 24;
  if (h === 23) h = 1;
  const hh = (n) => String(n).padStart(2, '0');
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  await call('PUT', '/api/v2/calendar', { calendar: { timezone: 'UTC', label: 'UTC',
    hours: Object.fromEntries(days.map((d) => [d, [`${hh(h)}:00-${hh(h + 1)}:00`]])), holidays: { presets: [] } } },
  { Authorization: `Bearer ${adminToken}` });
  const page = await newPage();
  await page.goto(base + '/portal.html');
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const panel = page.locator('#chat-panel');
  await panel.getByText(/Support is closed right now\. We open .* our hours are UTC time/).waitFor();
  assert(await panel.getByRole('button', { name: 'Start chat' }).count() === 0, 'no chat form while closed');
  await shot(page, 'portal-closed');
  // The visitor leaves a message without an account: an anonymous request (POST /api/v2/requests).
  await panel.getByLabel('Your name').fill('Nora Night');
  await panel.getByLabel('Email').fill('nora@night.example');
  await panel.getByLabel('Subject').fill('Written while you were closed');
  await panel.getByLabel('Message').fill('Please call me back about the invoice.');
  await panel.getByRole('button', { name: 'Leave a message' }).click();
  await panel.getByText('Thanks — we received your message and will answer by email at nora@night.example.').waitFor();
  const left = sqlite("SELECT t.channel || ' ' || u.role FROM tickets t JOIN users u ON u.id = t.requester_id WHERE t.subject = 'Written while you were closed'").trim();
  assert(left === 'web end-user', `the visitor's message is a web ticket of an end-user: ${left}`);
  // The portal's sign-in page offers the same without an account; errors show next to fields.
  await page.getByRole('button', { name: 'Chat with us' }).click(); // close the panel
  await page.getByRole('button', { name: 'Submit a request without an account' }).click();
  const form = page.locator('form[data-form="anonymous-request"]');
  await form.getByLabel('Your name').fill('Nora Night');
  await form.getByLabel('Email').fill('nora@night.example');
  await form.getByLabel('Subject').fill('From the portal without an account');
  await form.getByRole('button', { name: 'Submit request' }).click();
  await form.locator('#' + (await form.getByLabel('Description').getAttribute('id')) + '-error').waitFor();
  await form.getByLabel('Description').fill('The invoice total looks wrong.');
  await form.getByRole('button', { name: 'Submit request' }).click();
  await page.locator('#main').getByText('Thanks — we received your message and will answer by email at nora@night.example.').waitFor();
  const mine = sqlite("SELECT count(*) FROM tickets t JOIN users u ON u.id = t.requester_id WHERE u.email = 'nora@night.example'").trim();
  assert(mine === '2', `both messages belong to the visitor's one end-user: ${mine}`);
  await page.context().close();
});

step('no script errors on any page', async () => {
  assert(problems.length === 0, problems.join('\n'));
});

await main();
