// The console's "Inbound mail" page (issue 6, admins): mail the gateway could not turn into a
// ticket or a reply. Nothing is dropped silently: each message is kept whole, with the reason,
// can be downloaded as it arrived, and retried once the cause is fixed.
//
// Takes `ctx`: { me, main, setTitle(text), markView(key) }.
import * as api from './api.js';
import { h, replace, timeEl } from './dom.js';

const REASONS = {
  empty: 'The message is empty.',
  not_mail: 'Not an email message (no header block).',
  no_sender: 'No sender address (From).',
  too_deep: 'MIME parts nested too deeply.',
  bad_boundary: 'A multipart boundary is missing or never occurs.',
};

function row(ctx, m) {
  const retry = h('button', { type: 'button', class: 'secondary' }, 'Retry');
  const cell = h('td', { 'data-label': 'Result' }, REASONS[m.reason] || m.reason || m.status);
  retry.addEventListener('click', async () => {
    retry.disabled = true;
    try {
      const done = (await api.post(`/api/v2/mail/inbound/${m.id}/retry`)).inbound_mail;
      if (done.status === 'failed') {
        replace(cell, h('span', { class: 'error' }, `Still failing: ${REASONS[done.reason] || done.reason}`));
      } else {
        replace(cell, done.ticket_id
          ? h('a', { href: `#/tickets/${done.ticket_id}` }, `Now ticket #${done.ticket_id}`)
          : `Processed: ${done.outcome}`);
        retry.remove();
      }
    } catch (err) {
      replace(cell, h('span', { class: 'error', role: 'alert' }, err.message));
    } finally {
      retry.disabled = false;
    }
  });
  return h('tr', {},
    h('td', { 'data-label': 'Received' }, timeEl(m.received_at)),
    h('td', { 'data-label': 'From' }, m.from_address || '—'),
    h('td', { 'data-label': 'Subject' }, m.subject || '(none)'),
    h('td', { 'data-label': 'Size' }, `${Math.max(1, Math.round(m.size / 1024))} KB`),
    cell,
    h('td', { 'data-label': 'Actions' },
      h('a', { href: `/api/v2/mail/inbound/${m.id}/raw`, download: `inbound-${m.id}.eml` }, 'Download'),
      ' ', retry));
}

export async function showInboundMail(ctx) {
  ctx.setTitle('Inbound mail');
  ctx.markView('inbound-mail');
  const body = h('div', { class: 'loading' }, 'Loading…');
  replace(ctx.main, h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h1', {}, 'Inbound mail that failed')),
    h('p', { class: 'meta' }, 'Messages the mail gateway kept but could not read. Each is stored as it arrived: download it to look, retry it after a fix.'),
    body));
  let list;
  try {
    list = await api.all('/api/v2/mail/inbound?status=failed', 'inbound_mail');
  } catch (err) {
    body.className = '';
    replace(body, h('p', { class: 'error', role: 'alert' }, err.message));
    return;
  }
  body.className = '';
  replace(body, list.length ? h('table', { class: 'queue inbound-mail' },
    h('thead', {}, h('tr', {}, ['Received', 'From', 'Subject', 'Size', 'Result', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, list.map((m) => row(ctx, m))))
    : h('p', { class: 'empty' }, 'No failed inbound mail. Every message became a ticket or a reply.'));
}
