// The live chat widget of the portal (issue 6): a button in the corner opens a panel that
// starts a chat when support is open and an agent is online (signed in, or with name and email),
// shows the conversation as it happens (server-sent events from
// GET /api/v2/chat/sessions/{id}/stream) and comes back to an open chat after a reload. Outside
// support hours, or with nobody online, it says so, shows when support opens, and offers to leave
// a message, which becomes a normal web ticket (signed-in requesters through /api/v2/tickets;
// visitors through Zendesk's anonymous request, POST /api/v2/requests, with their name and email).
// A visitor's chat is held by the HttpOnly fd_chat cookie the server sets; its CSRF token comes
// with the start and list answers and lives only in this page's memory.
import * as api from './api.js';
import { h, replace } from './dom.js';


let me = null;          // the signed-in user, or null
let visitorCsrf = null; // a visitor's X-CSRF-Token
let chat = null;        // the chat shown
let source = null;      // its EventSource
const seen = new Set(); // message ids shown
let panel, body, launcher;

async function call(method, path, payload) {
  if (me || !visitorCsrf) return method === 'GET' ? api.get(path) : api.post(path, payload);
  // A visitor: the chat cookie goes along by itself; the CSRF token is ours to send.
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': visitorCsrf },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new api.ApiError(res.status, err.code || 'http_' + res.status, err.message || 'the chat failed',
      err.field || null);
  }
  return data;
}

function opensText(av) {
  if (!av.opens_at) return 'Support is closed right now.';
  const d = new Date(av.opens_at);
  const at = d.toLocaleString(undefined, { weekday: 'long', hour: 'numeric', minute: '2-digit' });
  return `Support is closed right now. We open ${at} (your time; our hours are ${av.label} time).`;
}

function setBody(...children) {
  replace(body, ...children);
}

function errorBox(err) {
  return h('p', { class: 'form-error', role: 'alert' }, (err && err.message) || 'something went wrong');
}

// ---- the closed / offline view: leave a message -------------------------------------------------

function leaveMessageView(av) {
  const why = av.open ? 'Nobody is available to chat right now.' : opensText(av);
  const name = h('input', { name: 'name', autocomplete: 'name', required: true, maxlength: 255 });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true });
  const subject = h('input', { name: 'subject', required: true, maxlength: 150 });
  const text = h('textarea', { name: 'body', required: true, rows: 4 });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'chat-form' },
    h('p', { 'data-chat': 'unavailable' }, why, ' Leave a message and we will answer by email.'),
    me ? null : h('label', {}, 'Your name', name),
    me ? null : h('label', {}, 'Email', email),
    h('label', {}, 'Subject', subject), h('label', {}, 'Message', text), status,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Leave a message')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!me) {
      // A visitor: Zendesk's anonymous request (a web ticket under the address they gave).
      try {
        await api.post('/api/v2/requests', { request: { requester: { name: name.value, email: email.value },
          subject: subject.value, comment: { body: text.value } } });
        setBody(h('p', { 'data-chat': 'left-message' },
          `Thanks — we received your message and will answer by email at ${email.value}.`));
      } catch (err) {
        replace(status, errorBox(err));
      }
      return;
    }
    try {
      const t = (await api.post('/api/v2/tickets', { ticket: { subject: subject.value,
        comment: { body: text.value } } })).ticket;
      setBody(h('p', { 'data-chat': 'left-message' }, `Thanks: your request #${t.id} is in. `,
        'We sent you an acknowledgement by email.'),
      h('p', {}, h('a', { href: `/portal.html#/requests/${t.id}`, onclick: close }, 'See your request')));
    } catch (err) {
      replace(status, errorBox(err));
    }
  });
  setBody(form);
}

// ---- starting ----------------------------------------------------------------------------------

function startView() {
  const name = h('input', { name: 'name', autocomplete: 'name', required: true });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true });
  const text = h('textarea', { name: 'message', required: true, rows: 3 });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'chat-form' },
    h('p', {}, 'An agent is online. How can we help?'),
    me ? null : h('label', {}, 'Your name', name),
    me ? null : h('label', {}, 'Email', email),
    h('label', {}, 'Message', text), status,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Start chat')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const payload = { message: text.value };
    if (!me) Object.assign(payload, { name: name.value, email: email.value });
    try {
      // A visitor whose earlier chat ended still holds its cookie: call() sends its CSRF token.
      const data = await call('POST', '/api/v2/chat/sessions', { chat: payload });
      if (data.csrf_token) visitorCsrf = data.csrf_token;
      conversation(data.chat_session);
    } catch (err) {
      if (err.code === 'chat_unavailable') return show();
      replace(status, errorBox(err));
    }
  });
  setBody(form);
}

// ---- the conversation --------------------------------------------------------------------------

function mine(m) {
  return m.author_role === 'requester';
}

function addLine(log, m) {
  if (seen.has(m.id)) return;
  seen.add(m.id);
  log.append(h('li', { class: mine(m) ? 'mine' : 'theirs', 'data-message-id': m.id },
    h('span', { class: 'who' }, mine(m) ? 'You' : m.author_name), m.body));
  body.scrollTop = body.scrollHeight;
}

function notice(log, text, kind) {
  log.append(h('li', { class: 'notice', 'data-chat': kind }, text));
}

function conversation(c) {
  chat = c;
  seen.clear();
  if (source) source.close();
  const log = h('ul', { class: 'chat-log', 'aria-live': 'polite' });
  const text = h('textarea', { name: 'message', rows: 2, 'aria-label': 'Your message' });
  const send = h('button', { type: 'submit' }, 'Send');
  const compose = h('form', { class: 'chat-compose' }, text, send);
  const endBtn = h('button', { type: 'button', class: 'link', onclick: endChat }, 'End chat');
  notice(log, c.status === 'waiting' ? 'Waiting for an agent…' : 'Connected', 'state');
  setBody(log);
  body.after(compose);
  panel.querySelector('header .chat-end').replaceChildren(endBtn);
  compose.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = text.value.trim();
    if (!v) return;
    try {
      const m = (await call('POST', `/api/v2/chat/sessions/${c.id}/messages`, { message: { body: v } })).message;
      text.value = '';
      addLine(log, m);
    } catch (err) {
      notice(log, err.message, 'error');
    }
  });
  text.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      compose.requestSubmit();
    }
  });
  source = new EventSource(`/api/v2/chat/sessions/${c.id}/stream`);
  source.addEventListener('message', (ev) => addLine(log, JSON.parse(ev.data)));
  source.addEventListener('status', (ev) => {
    const s = JSON.parse(ev.data);
    if (s.accepted_by_name) notice(log, `${s.accepted_by_name} joined the chat`, 'joined');
  });
  source.addEventListener('end', () => {
    notice(log, 'The chat has ended. The conversation is kept on your request.', 'ended');
    source.close();
    source = null;
    compose.remove();
    panel.querySelector('header .chat-end').replaceChildren();
    chat = null;
  });
}

async function endChat() {
  if (!chat) return;
  try {
    await call('POST', `/api/v2/chat/sessions/${chat.id}/end`, {});
  } catch (err) {
    /* the stream tells what happened */
  }
}

// ---- opening -----------------------------------------------------------------------------------

async function openChat() {
  // A chat already under way (a reload, or another tab): go back to it.
  try {
    const data = await call('GET', '/api/v2/chat/sessions');
    if (data.csrf_token) visitorCsrf = data.csrf_token;
    const open = (data.chat_sessions || []).filter((c) => c.status !== 'ended');
    if (open.length) return open[open.length - 1];
  } catch (err) {
    /* 401: neither signed in nor a visitor yet */
  }
  return null;
}

async function show() {
  panel.querySelectorAll('.chat-compose').forEach((f) => f.remove());
  if (chat && source) return;
  setBody(h('p', { class: 'loading' }, 'Loading…'));
  try {
    me = await api.me();
  } catch (err) {
    me = null;
  }
  const current = await openChat();
  if (current) return conversation(current);
  try {
    const av = (await api.get('/api/v2/chat/availability')).chat_availability;
    if (av.available) startView();
    else leaveMessageView(av);
  } catch (err) {
    setBody(errorBox(err));
  }
}

function close() {
  panel.hidden = true;
  launcher.setAttribute('aria-expanded', 'false');
}

function toggle() {
  if (!panel.hidden) return close();
  panel.hidden = false;
  launcher.setAttribute('aria-expanded', 'true');
  show();
}

function mount() {
  document.head.append(h('link', { rel: 'stylesheet', href: '/chat.css' }));
  launcher = h('button', { type: 'button', class: 'chat-launcher', 'aria-expanded': 'false',
    'aria-controls': 'chat-panel', onclick: toggle }, 'Chat with us');
  body = h('div', { class: 'chat-body' });
  panel = h('section', { id: 'chat-panel', class: 'chat-panel', hidden: true, 'aria-label': 'Live chat' },
    h('header', {}, h('span', {}, 'Live chat'), h('span', { class: 'chat-end' }),
      h('button', { type: 'button', class: 'link', 'aria-label': 'Close chat', onclick: close }, '×')),
    body);
  document.body.append(panel, launcher);
}

mount();
