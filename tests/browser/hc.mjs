// Browser test of the help center (issue 7), printed as TAP: the policies article as a visitor
// reads it ("0 out of 0 found this helpful", "Article is closed for comments."), a vote that
// shows "1 out of 1", a search for "refund" that lands on the policy, and "Submit a request"
// leading to the portal's form, which suggests the article while the subject is typed (opening
// the suggestion records a deflection; submitting afterwards marks it). Screenshots of the home,
// article and search pages at laptop and phone widths go to build/screenshots/hc-*.png.
//
// Same harness as run.mjs and chat.mjs (lib.mjs): the real binary (FRONTDESK_BIN, default
// build/frontdesk) on a fresh SQLite database (init seeds the help center) and a free loopback
// port, Debian's Chromium (/usr/bin/chromium, or CHROMIUM) through playwright-core. Exit status 0
// when every step passed.
import {
  suite, step, main, assert, base, sqlite as sqliteOutput, startWithAdmin, addEndUserByCli,
  launchBrowser, newPage, shot, signIn, problems,
} from './lib.mjs';

suite({ name: 'hc', title: 'the help-center browser test', shotPrefix: 'hc-' });

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };
const CUSTOMER = { name: 'Carol Customer', email: 'carol@acme.example', password: 'carol password 42' };
const POLICY_TITLE = 'RareLogic Support Policies';
const WIDTHS = { laptop: [1280, 860], phone: [390, 844] };

// ------------------------------------------------------------------ the server

const sqlite = (sql) => sqliteOutput(sql).trim();
let policyId = null;

async function seed() {
  await startWithAdmin(ADMIN);
  addEndUserByCli(CUSTOMER);
  policyId = sqlite("SELECT id FROM hc_articles WHERE seed_key = 'policies' AND draft = 0");
  assert(/^\d+$/.test(policyId), `init seeded the published policies article (got '${policyId}')`);
}

// ------------------------------------------------------------------ the steps

const helpful = (page) => page.locator('[data-hc="votes"]');

let reader;

step('setup: the server with the seeded help center, an admin and a customer', async () => {
  await seed();
  await launchBrowser();
});

step('the policies article reads without JavaScript', async () => {
  const page = await newPage(...WIDTHS.laptop, { javaScript: false });
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
  await signIn(admin, '/agent.html#/report', ADMIN);
  const card = admin.locator('[data-report="deflections"]');
  const row = card.locator('tbody tr').filter({ hasText: POLICY_TITLE });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert(cells.join('|') === `${POLICY_TITLE}|1|0`, `opened 1, deflected 0 (submitted after): ${cells.join('|')}`);
  await shot(admin, 'console-deflections');
  await admin.context().close();
});

step('phone width: home, article and search', async () => {
  const phone = await newPage(...WIDTHS.phone);
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

await main();
