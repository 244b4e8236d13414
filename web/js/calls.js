// The phone channel in the console (issue 6 "Phone"): the calls logged on a ticket with a "Log a
// call" dialog, the "New ticket from a call" form (#/calls/new), and the callback queue
// (#/callbacks) with how long each request has waited, take / release / complete / cancel, and
// logging the call back, which links it to the request.
// API: POST /api/v2/calls, GET /api/v2/tickets/{id}/calls, GET|PUT /api/v2/callback_requests.
import * as api from './api.js';
import { h, replace, timeEl, showFormError, clearFormErrors, busy, field, openDialog } from './dom.js';

const DIRECTION_NAMES = { inbound: 'Inbound', outbound: 'Outbound' };
const CALLBACK_STATUS = { open: 'Waiting', in_progress: 'In progress', done: 'Done', cancelled: 'Cancelled' };

// "4m 05s", "1h 02m": a duration or a wait, short.
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

// The inputs every call form has, named as the API's fields so a 422 lands under its input.
function callInputs(preset = {}) {
  const direction = h('select', { name: 'direction', 'data-field': 'direction' },
    Object.entries(DIRECTION_NAMES).map(([v, label]) =>
      h('option', { value: v, selected: v === (preset.direction || 'inbound') }, label)));
  const phone = h('input', { type: 'tel', name: 'phone_number', 'data-field': 'phone_number',
    autocomplete: 'off', placeholder: '+1 555 010 0199', value: preset.phone || '' });
  const minutes = h('input', { type: 'number', name: 'duration_seconds', 'data-field': 'duration_seconds',
    min: 0, max: 1440, step: 'any', inputmode: 'decimal', value: '' });
  const notes = h('textarea', { name: 'notes', rows: 5, 'data-field': 'notes' });
  const pub = h('input', { type: 'checkbox', name: 'public', checked: true,
    id: 'call-public-' + Math.random().toString(36).slice(2, 9) });
  const els = [
    field('Direction', direction),
    field('Phone number', phone, 'With the country code; spaces and dashes are fine.'),
    field('Duration (minutes)', minutes),
    field('Notes', notes, 'What was said and agreed: it becomes a comment on the ticket.'),
    h('div', { class: 'field check' }, pub,
      h('label', { for: pub.id }, 'Public: the requester sees it, and it counts as our reply')),
  ];
  const value = () => {
    const m = minutes.value.trim() === '' ? NaN : Number(minutes.value);
    return {
      direction: direction.value,
      phone_number: phone.value,
      duration_seconds: Number.isFinite(m) ? Math.round(m * 60) : null,
      notes: notes.value,
      public: pub.checked,
    };
  };
  return { els, value, phone, minutes };
}

// Check what the server would refuse anyway, so the message lands before a round trip.
function precheck(call) {
  if (call.duration_seconds === null) {
    throw new api.ApiError(422, 'invalid', 'give the call\'s length in minutes (0 for a missed call)',
      'call.duration_seconds');
  }
  if (!call.notes.trim()) throw new api.ApiError(422, 'invalid', 'write what was said', 'call.notes');
}

// Mark a callback request done with the call that answered it.
async function completeCallback(callbackId, callId) {
  return (await api.put(`/api/v2/callback_requests/${callbackId}`,
    { callback_request: { status: 'done', call_id: callId } })).callback_request;
}

/**
 * The "Log a call" dialog for an existing ticket. With a callback request, the call is outbound
 * by default and the request is marked done with it. onLogged(result) runs after.
 */
export function logCallDialog(ticket, { phone, callback, onLogged } = {}) {
  const inputs = callInputs({ phone: phone || (callback && callback.phone_number),
    direction: callback ? 'outbound' : 'inbound' });
  openDialog(`Log a call on #${ticket.id}`,
    callback ? `Calling back about: ${callback.reason}` : 'The notes become a comment on this ticket.',
    inputs.els, 'Log call', async () => {
      const call = inputs.value();
      precheck(call);
      const res = await api.post('/api/v2/calls', { call: { ...call, ticket_id: ticket.id } });
      if (callback) await completeCallback(callback.id, res.call.id);
      if (onLogged) onLogged(res);
    });
}

function callEl(c, userById) {
  const agent = h('span', {}, '…');
  userById(c.agent_id).then((u) => { agent.textContent = u ? u.name : `user #${c.agent_id}`; });
  return h('li', { class: 'call' },
    h('span', { class: 'badge' }, DIRECTION_NAMES[c.direction] || c.direction),
    ' ', c.phone_number, ' · ', duration(c.duration_seconds), ' · ', agent, ' · ', timeEl(c.started_at),
    c.public ? null : [' ', h('span', { class: 'badge note' }, 'Internal')]);
}

/** The side card of the ticket page: the calls logged on it and a "Log a call" button. */
export function callsCard(ctx) {
  const ticket = ctx.ticket;
  const card = h('section', { class: 'card side', 'aria-label': 'Calls' }, h('h2', {}, 'Calls'),
    h('p', { class: 'loading' }, 'Loading…'));
  const button = h('button', { type: 'button', class: 'secondary', 'data-action': 'log-call' }, 'Log a call');
  button.addEventListener('click', async () => {
    const u = await ctx.userById(ticket.requester_id);
    logCallDialog(ticket, { phone: u && u.phone, onLogged: () => ctx.reload() });
  });
  (async () => {
    let list;
    try {
      list = await api.all(`/api/v2/tickets/${ticket.id}/calls`, 'calls');
    } catch (err) {
      replace(card, h('h2', {}, 'Calls'), h('p', { class: 'error' }, err.message));
      return;
    }
    replace(card, h('h2', {}, 'Calls'),
      list.length ? h('ul', { class: 'calls' }, list.map((c) => callEl(c, ctx.userById)))
        : h('p', { class: 'muted' }, 'No calls logged.'),
      ticket.status === 'closed' ? null : h('div', { class: 'actions' }, button));
  })();
  return card;
}

// ------------------------------------------------------------------ a new ticket from a call

/**
 * The "New ticket from a call" form (#/calls/new): requester (by email, found or created), subject
 * and the call. With ctx.callback (a callback request) the requester is known and the request is
 * marked done with the call.
 */
export function showNewCall(ctx, callback = null) {
  ctx.setTitle('New ticket from a call');
  ctx.markView('calls-new');
  const inputs = callInputs({ phone: callback && callback.phone_number,
    direction: callback ? 'outbound' : 'inbound' });
  const email = h('input', { type: 'email', name: 'email', 'data-field': 'email', autocomplete: 'off' });
  const name = h('input', { type: 'text', name: 'name', 'data-field': 'name', autocomplete: 'off' });
  const subject = h('input', { type: 'text', name: 'subject', 'data-field': 'subject', required: true,
    value: callback ? `Callback: ${callback.reason.split('\n')[0].slice(0, 80)}` : 'Call: ' });
  const who = callback ? h('p', { class: 'meta' }, 'Requester: ', h('span', { 'data-field': 'requester_id' }, '…'))
    : [field('Requester email', email, 'Found if we know them; otherwise a new requester is added.'),
      field('Requester name', name, 'For a new requester; leave empty for someone we know.')];
  if (callback) {
    ctx.userById(callback.requester_id).then((u) => {
      who.querySelector('span').textContent = u ? `${u.name} <${u.email}>` : `user #${callback.requester_id}`;
    });
  }
  const form = h('form', { class: 'card', novalidate: true, 'aria-label': 'New ticket from a call' },
    h('div', { class: 'card-head' }, h('h1', {}, 'New ticket from a call')),
    h('p', { class: 'meta' }, 'The call is the ticket\'s first response: its notes are the first comment, by you.'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    who,
    field('Subject', subject),
    inputs.els,
    h('div', { class: 'actions' },
      h('a', { href: callback ? '#/callbacks' : '#/queue/unassigned' }, 'Cancel'),
      h('button', { type: 'submit', class: 'primary' }, 'Create ticket')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    await busy(form, async () => {
      try {
        const call = inputs.value();
        precheck(call);
        call.subject = subject.value;
        if (callback) call.requester_id = callback.requester_id;
        else call.requester = name.value.trim() ? { email: email.value.trim(), name: name.value.trim() }
          : { email: email.value.trim() };
        const res = await api.post('/api/v2/calls', { call });
        if (callback) await completeCallback(callback.id, res.call.id);
        location.hash = `#/tickets/${res.ticket.id}`;
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  replace(ctx.main, form);
  setTimeout(() => (callback ? subject : email).focus(), 0);
}

// ------------------------------------------------------------------ the callback queue

async function setStatus(r, fields) {
  return (await api.put(`/api/v2/callback_requests/${r.id}`, { callback_request: fields })).callback_request;
}

function callbackRow(ctx, r, refresh) {
  const requester = h('td', { 'data-label': 'Requester' }, '…');
  ctx.userById(r.requester_id).then((u) => { requester.textContent = u ? u.name : `#${r.requester_id}`; });
  const assignee = h('span', {}, r.assignee_id ? '…' : '');
  if (r.assignee_id) ctx.userById(r.assignee_id).then((u) => { assignee.textContent = u ? ` · ${u.name}` : ''; });
  const act = (label, fields, cls = 'secondary') => h('button', { type: 'button', class: cls,
    'data-action': label.toLowerCase().replace(/\s+/g, '-'),
    onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        await setStatus(r, fields);
        refresh();
      } catch (err) {
        ev.target.disabled = false;
        ev.target.after(h('p', { class: 'error', role: 'alert' }, err.message));
      }
    } }, label);
  const logCall = h('button', { type: 'button', class: 'primary', 'data-action': 'log-call',
    onclick: async () => {
      if (r.ticket_id) {
        logCallDialog({ id: r.ticket_id }, { callback: r, onLogged: () => refresh() });
      } else {
        location.hash = `#/callbacks/${r.id}/call`;
      }
    } }, 'Log the call');
  const mine = r.assignee_id === ctx.me.id;
  return h('tr', { 'data-callback': r.id },
    h('td', { 'data-label': 'Waited' }, h('strong', {}, duration(r.waited_seconds)),
      h('div', { class: 'muted' }, timeEl(r.created_at))),
    requester,
    h('td', { 'data-label': 'Phone' }, h('a', { href: `tel:${r.phone_number}` }, r.phone_number)),
    h('td', { 'data-label': 'When' }, r.preferred_time || h('span', { class: 'muted' }, 'any time')),
    h('td', { 'data-label': 'Reason', class: 'subject' }, r.reason),
    h('td', { 'data-label': 'Ticket' }, r.ticket_id ? h('a', { href: `#/tickets/${r.ticket_id}` }, `#${r.ticket_id}`) : '—'),
    h('td', { 'data-label': 'Status' }, h('span', { class: `badge ${r.status === 'in_progress' ? 'warn' : ''}` },
      CALLBACK_STATUS[r.status] || r.status), assignee),
    h('td', { 'data-label': 'Actions', class: 'actions' },
      r.status === 'open' ? act('Take', { status: 'in_progress' }, 'primary') : null,
      r.status === 'in_progress' ? [logCall, ' ', act('Complete', { status: 'done' })] : null,
      r.status === 'in_progress' && mine ? [' ', act('Release', { status: 'open', assignee_id: null })] : null,
      ' ', act('Cancel', { status: 'cancelled' }, 'link')));
}

/** The callback queue page (#/callbacks): open and in-progress requests, oldest first. */
export async function showCallbacks(ctx) {
  ctx.setTitle('Callbacks');
  ctx.markView('callbacks');
  const body = h('div', { class: 'loading' }, 'Loading callback requests…');
  const count = h('span', { class: 'count' });
  const refresh = () => showCallbacks(ctx);
  replace(ctx.main, h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h1', {}, 'Callbacks'),
      h('span', { class: 'head-tools' }, count, h('button', { type: 'button', onclick: refresh }, 'Refresh'))),
    h('p', { class: 'meta' }, 'Requesters who asked us to call them back, longest waiting first. '
      + 'Take one, call, then log the call: the request is done and linked to it.'),
    body));
  let list;
  try {
    list = await api.all('/api/v2/callback_requests?status=open,in_progress', 'callback_requests');
  } catch (err) {
    replace(body, h('p', { class: 'error', role: 'alert' }, err.message));
    return;
  }
  body.className = '';
  count.textContent = `${list.length} waiting`;
  if (!list.length) {
    replace(body, h('p', { class: 'empty' }, 'Nobody is waiting for a callback.'));
    return;
  }
  replace(body, h('table', { class: 'queue callbacks' },
    h('thead', {}, h('tr', {}, ['Waited', 'Requester', 'Phone', 'When', 'Reason', 'Ticket', 'Status', '']
      .map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, list.map((r) => callbackRow(ctx, r, refresh)))));
}

/** #/callbacks/ID/call: a new voice ticket for a callback request that names no ticket. */
export async function showCallbackCall(ctx, id) {
  let r;
  try {
    r = (await api.get(`/api/v2/callback_requests/${id}`)).callback_request;
  } catch (err) {
    replace(ctx.main, h('section', { class: 'card narrow' }, h('h1', {}, 'Callback request not found'),
      h('p', { role: 'alert' }, err.message)));
    return;
  }
  showNewCall(ctx, r);
}
