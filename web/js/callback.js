// "Request a callback" in the customer portal (issue 6 "Phone"): on the "My requests" page, a
// form to ask us to call back, and the requester's own waiting requests with their status and a
// way to cancel them. It mounts itself beside what portal.js renders: it watches #main for the
// requests list, so portal.js needs no change.
// API: GET|POST /api/v2/callback_requests, PUT /api/v2/callback_requests/{id} (cancel).
import * as api from './api.js';
import { h, replace, timeEl, showFormError, clearFormErrors, busy, field } from './dom.js';

const STATUS = { open: 'Waiting for our call', in_progress: 'We are calling you', done: 'Done', cancelled: 'Cancelled' };
const main = document.getElementById('main');

function onRequestsPage() {
  const hash = location.hash || '#/requests';
  if (hash !== '#/requests' && hash !== '#/' && hash !== '#') return false;
  const h1 = main.querySelector('section.card h1');
  return !!h1 && h1.textContent === 'My requests';
}

function requestEl(r, refresh) {
  const cancel = h('button', { type: 'button', class: 'link', 'data-action': 'cancel-callback' }, 'Cancel');
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      await api.put(`/api/v2/callback_requests/${r.id}`, { callback_request: { status: 'cancelled' } });
      refresh();
    } catch (err) {
      cancel.disabled = false;
      cancel.after(h('p', { class: 'error', role: 'alert' }, err.message));
    }
  });
  return h('li', { 'data-callback': r.id },
    h('span', { class: 'subject' }, r.reason.split('\n')[0]),
    h('span', { class: 'meta' }, `${r.phone_number}`, r.preferred_time ? ` · ${r.preferred_time}` : '',
      ' · asked ', timeEl(r.created_at)),
    h('span', { class: `badge ${r.status === 'in_progress' ? 'warn' : ''}` }, STATUS[r.status] || r.status),
    ' ', cancel);
}

async function tickets() {
  try {
    return await api.all('/api/v2/tickets', 'tickets');
  } catch (e) {
    return [];
  }
}

function callbackForm(list, refresh, mine) {
  const phone = h('input', { type: 'tel', name: 'phone_number', 'data-field': 'phone_number', autocomplete: 'tel',
    required: true, placeholder: '+1 555 010 0199' });
  const when = h('input', { type: 'text', name: 'preferred_time', 'data-field': 'preferred_time', maxlength: 200,
    placeholder: 'e.g. weekdays after 2 p.m. Eastern' });
  const reason = h('textarea', { name: 'reason', rows: 3, 'data-field': 'reason', required: true });
  const about = h('select', { name: 'ticket_id', 'data-field': 'ticket_id' },
    h('option', { value: '' }, 'Nothing in particular'));
  tickets().then((ts) => {
    for (const t of ts.filter((x) => x.requester_id === mine && x.status !== 'closed')) {
      about.append(h('option', { value: String(t.id) }, `#${t.id} ${t.subject}`));
    }
  });
  const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Request a callback' },
    h('h2', {}, 'Request a callback'),
    h('p', { class: 'muted' }, 'Rather talk it through? Leave your number and we will call you back during support hours.'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Phone number', phone, 'With your country code.'),
    field('Best time to call (optional)', when),
    field('What is it about?', reason),
    field('About one of your requests (optional)', about),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Request a callback')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    await busy(form, async () => {
      try {
        const body = { phone_number: phone.value, reason: reason.value };
        if (when.value.trim()) body.preferred_time = when.value.trim();
        if (about.value) body.ticket_id = Number(about.value);
        await api.post('/api/v2/callback_requests', { callback_request: body });
        refresh('Thank you: we will call you back.');
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  return form;
}

async function render(section, message) {
  let me;
  let list;
  try {
    me = await api.me();
    if (!me) return;
    list = await api.all('/api/v2/callback_requests?status=open,in_progress', 'callback_requests');
  } catch (err) {
    replace(section, h('p', { class: 'error', role: 'alert' }, err.message));
    return;
  }
  const refresh = (msg) => render(section, msg);
  replace(section,
    h('h2', {}, 'Callbacks'),
    message ? h('p', { class: 'notice', role: 'status' }, message) : null,
    list.length ? h('ul', { class: 'request-list callbacks' }, list.map((r) => requestEl(r, refresh)))
      : h('p', { class: 'muted' }, 'You have no callback waiting.'),
    list.length < 3 ? callbackForm(list, refresh, me.id)
      : h('p', { class: 'muted' }, 'You have 3 callbacks waiting: we will call you, or cancel one to ask again.'));
}

function mount() {
  if (!onRequestsPage() || main.querySelector('#callbacks')) return;
  const section = h('section', { class: 'card', id: 'callbacks', 'aria-label': 'Callbacks' },
    h('p', { class: 'loading' }, 'Loading…'));
  main.append(section);
  render(section);
}

new MutationObserver(mount).observe(main, { childList: true, subtree: true });
window.addEventListener('hashchange', () => setTimeout(mount, 0));
