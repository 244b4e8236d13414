// The customer portal: sign in, submit a request, list my requests, read one and reply.
// Hash routes (the server serves exact paths only): #/requests, #/new, #/requests/ID.
import * as api from './api.js';
import { h, replace, timeEl, showFormError, clearFormErrors, busy, field, signInForm } from './dom.js';

const main = document.getElementById('main');
const account = document.getElementById('account');
const nav = document.getElementById('nav');
let user = null;

function setTitle(text) {
  document.title = text ? `${text} · Support` : 'Support';
}

function renderHeader() {
  replace(nav);
  replace(account);
  if (!user) return;
  nav.append(
    h('a', { href: '#/requests', 'data-nav': 'requests' }, 'My requests'),
    h('a', { href: '#/new', 'data-nav': 'new' }, 'Submit a request'));
  account.append(
    h('span', { class: 'who' }, user.name),
    h('button', { type: 'button', class: 'link', onclick: onSignOut }, 'Sign out'));
}

function markNav(which) {
  nav.querySelectorAll('a').forEach((a) => {
    if (a.dataset.nav === which) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

async function onSignOut() {
  try {
    await api.signOut();
  } catch (e) {
    /* the session is gone either way */
  }
  user = null;
  renderHeader();
  location.hash = '#/requests';
  route();
}

function showSignIn() {
  setTitle('Sign in');
  replace(main, signInForm('Sign in to get help',
    'Use the email address you write to us from.',
    async (email, password) => {
      user = await api.signIn(email, password);
      renderHeader();
      route();
    }), h('p', { class: 'card narrow' }, 'No account? ',
    h('button', { type: 'button', class: 'link', onclick: showAnonymousRequest },
      'Submit a request without an account')));
}

function showAnonymousRequest() {
  setTitle('Submit a request');
  const form = anonymousRequestForm();
  replace(main, form, h('p', { class: 'card narrow' },
    h('button', { type: 'button', class: 'link', onclick: showSignIn }, 'Back to sign in')));
  form.querySelector('input').focus();
}

// Zendesk's anonymous request (POST /api/v2/requests): a web ticket under the address given,
// answered by email; the server finds or makes the end-user behind it.
function anonymousRequestForm() {
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', maxlength: 255, required: true, 'data-field': 'name' });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, 'data-field': 'email' });
  const subject = h('input', { type: 'text', name: 'subject', maxlength: 250, required: true, 'data-field': 'subject' });
  const body = h('textarea', { name: 'description', rows: 6, required: true, 'data-field': 'body' });
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1', hidden: true });
  const form = h('form', { class: 'card narrow', novalidate: true, 'data-form': 'anonymous-request' },
    h('h1', {}, 'Submit a request without an account'),
    h('p', { class: 'muted' }, 'No account? Tell us what happened; we answer by email.'),
    notice,
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Your name', name),
    field('Email', email),
    field('Subject', subject),
    articleSuggestions(subject),
    field('Description', body),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Submit request')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    await busy(form, async () => {
      try {
        await api.post('/api/v2/requests', { request: {
          requester: { name: name.value.trim(), email: email.value.trim() },
          subject: subject.value.trim(), comment: { body: body.value } } });
        await markDeflectionsSubmitted();
        replace(form, h('h2', {}, 'Thank you'),
          h('p', { 'data-request': 'received' },
            `Thanks — we received your message and will answer by email at ${email.value.trim()}.`));
      } catch (err) {
        if (err.code === 'requester_banned') {
          replace(notice, h('h2', {}, 'We cannot take this request'), h('p', {}, err.message));
          notice.hidden = false;
          notice.focus();
        } else {
          showFormError(form, err);
        }
      }
    });
  });
  return form;
}

function statusBadge(status) {
  // Requesters see a simpler picture: waiting on us, waiting on them, or done.
  const label = { new: 'Open', open: 'Open', pending: 'Awaiting your reply', hold: 'Open',
    solved: 'Solved', closed: 'Closed' }[status] || status;
  return h('span', { class: `badge status-${status}` }, label);
}

async function showList() {
  setTitle('My requests');
  markNav('requests');
  const list = h('div', { class: 'loading' }, 'Loading your requests…');
  replace(main, h('section', { class: 'card' },
    h('div', { class: 'card-head' },
      h('h1', {}, 'My requests'),
      h('a', { href: '#/new', class: 'button primary' }, 'Submit a request')),
    list));
  let tickets;
  try {
    tickets = await api.all('/api/v2/tickets', 'tickets');
  } catch (err) {
    replace(list, h('p', { class: 'error', role: 'alert' }, err.message));
    return;
  }
  tickets.sort((a, b) => (b.updated_at || '').localeCompare(a.updated_at || '') || b.id - a.id);
  if (!tickets.length) {
    replace(list, h('p', { class: 'empty' }, 'You have no requests yet.'));
    list.className = '';
    return;
  }
  list.className = '';
  replace(list, h('ul', { class: 'request-list' }, tickets.map((t) =>
    h('li', {},
      h('a', { href: `#/requests/${t.id}` },
        h('span', { class: 'subject' }, t.subject),
        h('span', { class: 'meta' }, `#${t.id} · updated `, timeEl(t.updated_at))),
      statusBadge(t.status)))));
}

// The triage questions (issue 5, priority definitions), asked in the requester's words.
const TRIAGE = [
  ['service_down', 'Is the service down or unavailable for you?'],
  ['data_lost', 'Is some of your data unavailable or lost?'],
  ['feature_down', 'Is a feature you rely on not working at all?'],
  ['workaround', 'Have you found a way to work around the problem for now?'],
];

/** One yes / no / don't know question as a radio group; value() is true, false or null. */
function triageQuestion(key, question) {
  const name = `triage-${key}`;
  const radio = (value, label) => {
    const id = `${name}-${value}`;
    return h('span', { class: 'choice' },
      h('input', { type: 'radio', name, id, value, checked: value === 'unknown' }),
      h('label', { for: id }, label));
  };
  const el = h('div', { class: 'question', role: 'radiogroup', 'aria-labelledby': `${name}-q` },
    h('p', { id: `${name}-q`, class: 'q' }, question),
    h('div', { class: 'choices' }, radio('yes', 'Yes'), radio('no', 'No'), radio('unknown', "Don't know")));
  const value = () => {
    const v = (el.querySelector('input:checked') || {}).value;
    return v === 'yes' ? true : v === 'no' ? false : null;
  };
  return { key, el, value };
}

// ------------------------------------------------------------------ help-center suggestions
// As the requester types the subject, up to 5 help-center articles that may answer it (issue 7).
// Opening one records a deflection (POST /api/v2/help_center/deflections); this tab remembers
// its id and the token the answer carries (only the token's holder can mark it), and submitting
// the request afterwards marks them all submitted (not deflected).

const DEFLECTIONS_KEY = 'fd_hc_deflections';

function openedDeflections() {
  try {
    const list = JSON.parse(sessionStorage.getItem(DEFLECTIONS_KEY) || '[]');
    return Array.isArray(list)
      ? list.filter((d) => d && Number.isInteger(d.id) && typeof d.token === 'string')
      : [];
  } catch (e) {
    return [];
  }
}

async function recordDeflection(articleId, query) {
  try {
    const res = await api.post('/api/v2/help_center/deflections', { deflection: { article_id: articleId, query: query.slice(0, 250) } });
    const d = { id: res.deflection.id, token: res.deflection.token };
    sessionStorage.setItem(DEFLECTIONS_KEY, JSON.stringify([...openedDeflections(), d].slice(-20)));
  } catch (e) {
    /* a suggestion still opens when the record fails */
  }
}

async function markDeflectionsSubmitted() {
  const opened = openedDeflections();
  sessionStorage.removeItem(DEFLECTIONS_KEY);
  await Promise.all(opened.map((d) => api.post(`/api/v2/help_center/deflections/${d.id}/submitted`,
    { deflection: { token: d.token } }).catch(() => null)));
}

// Every word must match in a search, and a subject is a sentence: when the whole of it finds
// nothing, the longest words (up to 4) are searched one by one and their results merged.
async function suggestFor(q) {
  const search = async (text) => (await api.get(
    `/api/v2/help_center/articles/search?query=${encodeURIComponent(text)}&per_page=5`)).results;
  const all = await search(q);
  if (all.length) return all.slice(0, 5);
  const words = [...new Set(q.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 4))]
    .sort((a, b) => b.length - a.length).slice(0, 4);
  if (words.length < 2) return [];
  const seen = new Map();
  for (const results of await Promise.all(words.map(search))) {
    for (const a of results) if (!seen.has(a.id)) seen.set(a.id, a);
  }
  return [...seen.values()].slice(0, 5);
}

function articleSuggestions(subject) {
  const list = h('ul', { class: 'hc-suggestions', 'data-hc': 'suggestions' });
  const box = h('div', { class: 'hc-suggest-box', 'aria-live': 'polite', hidden: true },
    h('p', { class: 'muted' }, 'These articles may answer your question:'), list);
  let timer = null;
  let asked = '';
  subject.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = subject.value.trim();
      asked = q;
      if (q.length < 3) {
        box.hidden = true;
        return;
      }
      let found;
      try {
        found = await suggestFor(q);
      } catch (e) {
        return;
      }
      if (asked !== q) return;
      replace(list, ...found.map((a) => h('li', {},
        h('a', {
          href: `/hc/articles/${a.id}`, target: '_blank', rel: 'noopener',
          onclick: () => { recordDeflection(a.id, q); },
        }, a.title))));
      box.hidden = found.length === 0;
    }, 250);
  });
  return box;
}

function showNew() {
  setTitle('Submit a request');
  markNav('new');
  const subject = h('input', { type: 'text', name: 'subject', maxlength: 250, required: true, 'data-field': 'subject' });
  const body = h('textarea', { name: 'description', rows: 8, required: true, 'data-field': 'body' });
  const triage = TRIAGE.map(([key, question]) => triageQuestion(key, question));
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1', hidden: true });
  const form = h('form', { class: 'card', novalidate: true },
    h('h1', {}, 'Submit a request'),
    h('p', { class: 'muted' }, 'Tell us what happened and what you expected. We answer by email and here.'),
    notice,
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Subject', subject),
    articleSuggestions(subject),
    field('Description', body, 'Steps, error messages, the page you were on: anything that helps.'),
    h('fieldset', { class: 'triage', 'data-field': 'triage' },
      h('legend', {}, 'A few questions that help us set the priority'),
      triage.map((q) => q.el)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Submit request')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    await busy(form, async () => {
      try {
        const answers = {};
        for (const q of triage) answers[q.key] = q.value();
        const res = await api.post('/api/v2/tickets',
          { ticket: { subject: subject.value.trim(), comment: { body: body.value }, triage: answers } });
        await markDeflectionsSubmitted();
        location.hash = `#/requests/${res.ticket.id}`;
      } catch (err) {
        if (err.code === 'requester_banned') {
          // The policy's own notice (clauses 5, 6), said plainly rather than as a form error.
          replace(notice, h('h2', {}, 'We cannot take this request'), h('p', {}, err.message));
          notice.hidden = false;
          notice.focus();
        } else {
          showFormError(form, err);
        }
      }
    });
  });
  replace(main, form);
  subject.focus();
}

function comment(c) {
  const mine = c.author_id === user.id;
  return h('article', { class: `comment ${mine ? 'from-requester' : 'from-staff'}` },
    h('header', {},
      h('strong', {}, mine ? 'You' : 'Support team'),
      ' · ', timeEl(c.created_at)),
    h('div', { class: 'body' }, c.body));
}

// ------------------------------------------------------------------ identity (policy 1.5)

const tries = (n) => `${n} ${n === 1 ? 'try' : 'tries'}`;

/**
 * "Verify your identity" on the requester's own request: a collapsed disclosure that asks for a
 * code (mailed to the account's owner and billing contacts, never shown here) and checks it.
 * Nothing is fetched until it is opened.
 */
function identitySection(ticket) {
  const base = `/api/v2/tickets/${ticket.id}/identity`;
  const badge = h('span', { class: 'badge good', hidden: true }, 'Verified');
  const status = h('div', { class: 'identity-status', 'aria-live': 'polite' });
  const sent = h('div', { class: 'identity-sent', 'aria-live': 'polite' });
  const sendBtn = h('button', { type: 'button' }, 'Send me a code');
  const code = h('input', {
    type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9]{6}', maxlength: 6, 'data-field': 'code', id: `identity-code-${ticket.id}`,
  });
  const codeForm = h('form', { class: 'code-form', novalidate: true, hidden: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Verification code', code, 'The 6 digits from the email we sent.'),
    h('div', { class: 'actions start' }, h('button', { type: 'submit', class: 'primary' }, 'Verify')));
  const send = h('div', { class: 'actions start' }, sendBtn);
  const details = h('details', { class: 'identity-check' },
    h('summary', {}, 'Verify your identity', badge),
    h('div', { class: 'identity-body' },
      h('p', { class: 'muted' }, 'Before we can discuss billing with you, we need to confirm that you '
        + 'are the account owner or billing contact, so we will email a 6-digit code to the owner '
        + 'and billing contact addresses we have on file for your account.'),
      status, sent, send, codeForm));

  const showStatus = (id) => {
    badge.hidden = !id.verified;
    if (id.verified) {
      replace(status, h('p', { class: 'verified' }, 'Verified until ', timeEl(id.verified_until), '.'),
        h('p', { class: 'muted small' }, 'Our team can now discuss your account\'s billing on this request.'));
      replace(sent);
      send.hidden = true;
      codeForm.hidden = true;
      return;
    }
    const c = id.challenge;
    replace(status, h('p', { class: 'unverified' }, 'Not verified yet.'),
      c && c.locked ? h('p', { class: 'error' }, 'The last code was entered wrongly too many times, '
        + 'so it no longer works. Please ask for a new one.') : null,
      c && !c.locked ? h('p', { class: 'muted small' }, 'A code is on its way: it expires ', timeEl(c.expires_at),
        ` and you have ${tries(c.attempts_left)}.`) : null);
    send.hidden = false;
    sendBtn.textContent = c ? 'Send me a new code' : 'Send me a code';
    codeForm.hidden = !c || c.locked;
  };

  const load = async () => {
    replace(status, h('p', { class: 'loading' }, 'Loading…'));
    try {
      showStatus((await api.get(base)).identity);
    } catch (err) {
      replace(status, h('p', { class: 'error', role: 'alert' }, err.message));
    }
  };

  let loaded = false;
  details.addEventListener('toggle', () => {
    if (details.open && !loaded) {
      loaded = true;
      load();
    }
  });

  sendBtn.addEventListener('click', async () => {
    sendBtn.disabled = true;
    clearFormErrors(codeForm);
    try {
      const c = (await api.post(`${base}/challenge`)).identity_challenge;
      replace(sent, h('p', { class: 'sent' },
        `We sent a code to ${c.sent_to.join(', ')}. It expires in 15 minutes (at `, timeEl(c.expires_at),
        '). If you are not the owner or billing contact, please ask them for it.'));
      replace(status, h('p', { class: 'unverified' }, 'Not verified yet.'));
      sendBtn.textContent = 'Send me a new code';
      codeForm.hidden = false;
      code.value = '';
      code.focus();
    } catch (err) {
      let msg = err.message;
      if (err.code === 'identity_no_contacts') {
        msg = 'We are sorry: we have no owner or billing contact address on file for your account, '
          + 'so we cannot send a code. Please reply on this request and we will find another way to help.';
      } else if (err.code === 'identity_too_many_codes') {
        msg = 'We have already sent several codes for this request in the last hour. Please use the '
          + 'newest one, or try again a little later.';
      }
      replace(sent, h('p', { class: 'error', role: 'alert' }, msg));
    } finally {
      sendBtn.disabled = false;
    }
  });

  codeForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(codeForm);
    const value = code.value.trim();
    if (!/^[0-9]{6}$/.test(value)) {
      showFormError(codeForm, { field: 'code', message: 'Please enter the 6 digits from the email.' });
      return;
    }
    await busy(codeForm, async () => {
      try {
        showStatus((await api.post(`${base}/verify`, { code: value })).identity);
        code.value = '';
      } catch (err) {
        let msg = err.message;
        let reload = false;
        if (err.status === 422 && err.details && typeof err.details.attempts_left === 'number') {
          msg = `That code is not right. You have ${tries(err.details.attempts_left)} left.`;
        } else if (err.code === 'identity_locked') {
          msg = 'That code was entered wrongly too many times, so it no longer works. Please ask for a new one.';
          reload = true;
        } else if (err.code === 'identity_expired') {
          msg = 'That code has expired (codes last 15 minutes). Please ask for a new one.';
          reload = true;
        } else if (err.code === 'identity_no_challenge') {
          msg = 'There is no code waiting for this request. Please ask for one first.';
          reload = true;
        }
        if (!reload) {
          showFormError(codeForm, { field: err.status === 422 ? 'code' : null, message: msg });
          return;
        }
        // The code is spent: redraw the status (which hides the form) and say why above it.
        try {
          showStatus((await api.get(base)).identity);
        } catch (e) {
          /* the message below still says what to do */
        }
        replace(sent, h('p', { class: 'error', role: 'alert' }, msg));
      }
    });
  });

  return details;
}

async function showRequest(id) {
  markNav(null);
  replace(main, h('p', { class: 'loading' }, 'Loading…'));
  let ticket;
  let comments;
  try {
    ticket = (await api.get(`/api/v2/tickets/${id}`)).ticket;
    comments = await api.all(`/api/v2/tickets/${id}/comments`, 'comments');
  } catch (err) {
    if (err.status === 404) {
      setTitle('Request not found');
      replace(main, h('section', { class: 'card narrow not-found' },
        h('h1', {}, 'Request not found'),
        h('p', {}, 'We could not find that request. It may have a different number, or belong to someone else.'),
        h('p', {}, h('a', { href: '#/requests' }, 'Back to my requests'))));
    } else {
      replace(main, h('p', { class: 'error', role: 'alert' }, err.message));
    }
    return;
  }
  setTitle(ticket.subject);
  const reply = h('textarea', { name: 'reply', rows: 5, required: true, 'data-field': 'body' });
  const form = h('form', { class: 'reply-form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field(ticket.status === 'closed' ? 'Write a follow-up (this request is closed, so a new one starts)' : 'Reply', reply),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Send reply')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    if (!reply.value.trim()) {
      showFormError(form, { field: 'body', message: 'write a reply first' });
      return;
    }
    await busy(form, async () => {
      try {
        const res = await api.put(`/api/v2/tickets/${id}`, { ticket: { comment: { body: reply.value } } });
        if (String(res.ticket.id) !== String(id)) location.hash = `#/requests/${res.ticket.id}`;
        else showRequest(id);
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  replace(main, h('section', { class: 'card' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/requests' }, '← My requests')),
    h('div', { class: 'card-head' },
      h('h1', {}, ticket.subject),
      statusBadge(ticket.status)),
    h('p', { class: 'meta' }, `Request #${ticket.id} · submitted `, timeEl(ticket.created_at)),
    await expectedLine(ticket),
    ticket.requester_id === user.id ? identitySection(ticket) : null,
    h('div', { class: 'conversation', 'aria-label': 'Conversation' }, comments.map(comment)),
    form));
}

async function route() {
  if (!user) {
    showSignIn();
    return;
  }
  const hash = location.hash || '#/requests';
  let m;
  if ((m = hash.match(/^#\/requests\/(\d+)$/))) await showRequest(m[1]);
  else if (hash === '#/new') showNew();
  else await showList();
  main.focus({ preventScroll: true });
}

// "9:00 a.m." and "Monday 9:00 a.m." in the calendar's own zone.
function wallTime(iso, zone, withDay) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, weekday: withDay ? 'long' : undefined, hour: 'numeric', minute: '2-digit',
  }).format(new Date(iso));
  return parts.replace(/\s?AM$/, ' a.m.').replace(/\s?PM$/, ' p.m.').replace(',', '');
}

// "Monday, December 29, 10:30 a.m." in the calendar's own zone.
function longWallTime(iso, zone) {
  const parts = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone: zone, weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric',
    minute: '2-digit', hour12: true,
  }).formatToParts(new Date(iso))) parts[p.type] = p.value;
  const ampm = (parts.dayPeriod || '').toLowerCase() === 'pm' ? 'p.m.' : 'a.m.';
  return `${parts.weekday}, ${parts.month} ${parts.day}, ${parts.hour}:${parts.minute} ${ampm}`;
}

let supportHours = null; // the last GET /api/v2/support_hours, for zone and label

async function loadSupportHours() {
  if (!supportHours) supportHours = (await api.get('/api/v2/support_hours')).support_hours;
  return supportHours;
}

// When the requester may expect the next reply: the due instant of the clock that runs, on the
// support calendar. An expectation, never a guarantee (clause 10).
async function expectedLine(ticket) {
  const sla = ticket.sla;
  if (!sla || !sla.due_at || !['running', 'warning'].includes(sla.state)) return null;
  if (Date.parse(sla.due_at) <= Date.now()) return null;
  try {
    const s = await loadSupportHours();
    return h('p', { class: 'expected' },
      `We expect to reply by ${longWallTime(sla.due_at, s.timezone)} ${s.label}. `
      + 'This is our aim, not a guarantee.');
  } catch (err) {
    return null;
  }
}

// "We're open" or "We're closed — back Monday 9:00 a.m. Eastern", from the live calendar.
async function showSupportHours() {
  const line = document.getElementById('support-hours');
  if (!line) return;
  try {
    const s = await loadSupportHours();
    if (s.open) {
      line.textContent = s.closes_at
        ? `We're open until ${wallTime(s.closes_at, s.timezone, false)} ${s.label}.`
        : "We're open.";
    } else {
      line.textContent = s.opens_at
        ? `We're closed — back ${wallTime(s.opens_at, s.timezone, true)} ${s.label}.`
        : "We're closed.";
    }
    line.dataset.open = s.open ? 'yes' : 'no';
  } catch (err) {
    line.textContent = '';
  }
}

async function start() {
  showSupportHours();
  try {
    user = await api.me();
  } catch (err) {
    replace(main, h('p', { class: 'error', role: 'alert' }, err.message));
    return;
  }
  renderHeader();
  window.addEventListener('fd:signed-out', () => {
    user = null;
    renderHeader();
    showSignIn();
  });
  window.addEventListener('hashchange', route);
  await route();
}

start();
