// Live chat in the agent console (issue 6): a panel with the agent's online/away toggle, the
// waiting chats with how long each has waited (the server's waited_seconds, counted on live
// between refreshes), and one conversation per accepted chat, each fed by its own server-sent
// event stream. Agents may hold several chats. Online lasts five minutes on the server unless set
// again, so the panel sets it again every minute while the agent stays online.
import * as api from './api.js';
import { h, replace } from './dom.js';

const STAFF_ROLES = new Set(['agent', 'lead', 'admin']);
const REFRESH_MS = 3000;
const PRESENCE_MS = 60000;


let me = null;
let panel = null;
let toggle = null;
let presenceBtn, waitingList, convs;
let presence = 'away';
let waiting = [];          // the last list, with the instant it was read
let readAt = 0;
const open = new Map();    // chat id -> {source, el}
let timers = [];

function fmtWaited(s) {
  const m = Math.floor(s / 60);
  const r = s % 60;
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}:${String(r).padStart(2, '0')}`;
}

function renderPresence() {
  if (toggle) renderToggle();
  presenceBtn.dataset.status = presence;
  presenceBtn.textContent = presence === 'online' ? 'Online · go away' : 'Away · go online';
  presenceBtn.setAttribute('aria-pressed', presence === 'online' ? 'true' : 'false');
}

async function setPresence(status) {
  try {
    presence = (await api.put('/api/v2/chat/presence', { status })).presence.status;
  } catch (err) {
    /* shown by the button staying as it was */
  }
  renderPresence();
}

function tick() {
  const elapsed = Math.floor((Date.now() - readAt) / 1000);
  waitingList.querySelectorAll('[data-started]').forEach((el) => {
    el.textContent = `waited ${fmtWaited(Number(el.dataset.waited) + elapsed)}`;
  });
}

function renderWaiting() {
  replace(waitingList, waiting.length ? null : h('li', { class: 'muted' }, 'No chats waiting'),
    waiting.map((c) => h('li', { 'data-chat-id': c.id },
      h('span', {}, h('strong', {}, c.requester_name), ' ', h('span', { class: 'muted' }, c.subject)),
      h('span', { class: 'waited', 'data-started': c.started_at, 'data-waited': c.waited_seconds },
        `waited ${fmtWaited(c.waited_seconds)}`),
      h('button', { type: 'button', onclick: () => accept(c) }, 'Accept'))));
}

function renderToggle() {
  toggle.dataset.waiting = String(waiting.length);
  toggle.textContent = `Live chat · ${presence === 'online' ? 'online' : 'away'}` +
    (waiting.length ? ` · ${waiting.length} waiting` : '');
}

// Polled quietly (not through api.js, whose 401 would announce a sign-out to the whole page):
// a session that ended just takes the panel away.
async function refresh() {
  let res;
  try {
    res = await fetch('/api/v2/chat/sessions?status=waiting',
      { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch (err) {
    return;
  }
  if (res.status === 401 || res.status === 403) return unmount();
  if (!res.ok) return;
  waiting = (await res.json()).chat_sessions;
  readAt = Date.now();
  renderWaiting();
  renderToggle();
}

async function accept(c) {
  try {
    const chat = (await api.post(`/api/v2/chat/sessions/${c.id}/accept`)).chat_session;
    conversation(chat);
  } catch (err) {
    alert(err.message);
  }
  refresh();
}

function conversation(c) {
  if (open.has(c.id)) return;
  panel.hidden = false;
  toggle.setAttribute('aria-expanded', 'true');
  const seen = new Set();
  const log = h('ul', { 'aria-live': 'polite' });
  const text = h('textarea', { rows: 2, 'aria-label': `Reply to ${c.requester_name}` });
  const form = h('form', {}, text, h('button', { type: 'submit' }, 'Send'));
  const el = h('section', { class: 'chat-conv', 'data-chat-id': c.id },
    h('header', {}, h('span', {}, c.requester_name, ' · ',
      h('a', { href: `#/tickets/${c.ticket_id}` }, `#${c.ticket_id}`)),
    h('button', { type: 'button', class: 'link', onclick: () => end(c.id) }, 'End chat')),
    log, form);
  convs.append(el);
  const add = (m) => {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    log.append(h('li', { class: m.author_role === 'agent' ? 'mine' : 'theirs', 'data-message-id': m.id },
      h('span', { class: 'who' }, m.author_name), m.body));
    log.scrollTop = log.scrollHeight;
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = text.value.trim();
    if (!v) return;
    try {
      add((await api.post(`/api/v2/chat/sessions/${c.id}/messages`, { message: { body: v } })).message);
      text.value = '';
    } catch (err) {
      log.append(h('li', { class: 'notice' }, err.message));
    }
  });
  text.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  const source = new EventSource(`/api/v2/chat/sessions/${c.id}/stream`);
  source.addEventListener('message', (ev) => add(JSON.parse(ev.data)));
  source.addEventListener('end', () => {
    log.append(h('li', { class: 'notice', 'data-chat': 'ended' }, 'The chat has ended'));
    source.close();
    form.remove();
    open.delete(c.id);
    setTimeout(() => el.remove(), 10000);
  });
  open.set(c.id, { source, el });
}

async function end(id) {
  try {
    await api.post(`/api/v2/chat/sessions/${id}/end`);
  } catch (err) {
    /* the stream's end event closes the panel */
  }
}

async function mount() {
  if (!document.querySelector('link[href="/chat.css"]')) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/chat.css' }));
  }
  presenceBtn = h('button', { type: 'button', class: 'presence',
    onclick: () => setPresence(presence === 'online' ? 'away' : 'online') });
  waitingList = h('ul', { class: 'chat-waiting' });
  convs = h('div', { class: 'chat-convs' });
  panel = h('aside', { id: 'chat-console', class: 'chat-console', 'aria-label': 'Live chat', hidden: true },
    h('header', {}, h('h2', {}, 'Live chat'), presenceBtn),
    h('h3', {}, 'Waiting'), waitingList, h('h3', {}, 'My chats'), convs);
  toggle = h('button', { type: 'button', class: 'chat-toggle', 'aria-controls': 'chat-console',
    'aria-expanded': 'false', onclick: () => {
      panel.hidden = !panel.hidden;
      toggle.setAttribute('aria-expanded', panel.hidden ? 'false' : 'true');
    } }, 'Live chat');
  document.body.append(panel, toggle);
  try {
    presence = (await api.get('/api/v2/chat/presence')).presence.status;
  } catch (err) {
    presence = 'away';
  }
  renderPresence();
  // Chats this agent holds already (a reload): open them again.
  try {
    const active = (await api.get('/api/v2/chat/sessions?status=active')).chat_sessions;
    active.filter((c) => c.accepted_by === me.id).forEach(conversation);
  } catch (err) {
    /* none */
  }
  await refresh();
  timers = [setInterval(refresh, REFRESH_MS), setInterval(tick, 1000),
    setInterval(() => { if (presence === 'online') setPresence('online'); }, PRESENCE_MS)];
}

function unmount() {
  timers.forEach(clearInterval);
  timers = [];
  open.forEach(({ source }) => source.close());
  open.clear();
  if (panel) panel.remove();
  if (toggle) toggle.remove();
  panel = null;
  toggle = null;
  me = null;
}

// The console signs in on its own page flow; start once a staff member is signed in.
async function watch() {
  if (panel) return;
  try {
    const u = await api.me();
    if (u && STAFF_ROLES.has(u.role)) {
      me = u;
      await mount();
      return;
    }
  } catch (err) {
    /* not signed in yet */
  }
}

window.addEventListener('fd:signed-out', unmount);
setInterval(watch, 3000);
watch();
