// The mail a ticket sent its requester, on the console's ticket page (issue 6): each delivery's
// kind and state, so an agent sees at once when a reply never arrived, and the SMTP server's
// reason. GET /api/v2/tickets/{id}/deliveries (staff only).
import * as api from './api.js';
import { h, replace, timeEl } from './dom.js';

const KIND_NAMES = {
  acknowledgement: 'Acknowledgement', reply: 'Reply', identity_code: 'Identity code',
  ban_notice: 'Ban notice', refusal_notice: 'Refusal notice', feature_shipped: 'Feature shipped',
  sla_warning: 'SLA warning', sla_breach: 'SLA breach',
};
const STATUS_NAMES = { queued: 'Queued', sending: 'Sending', sent: 'Sent', failed: 'Failed' };

function deliveryEl(d) {
  const failed = d.status === 'failed';
  return h('li', { class: failed ? 'delivery failed' : 'delivery' },
    h('span', { class: `badge ${failed ? 'danger' : d.status === 'sent' ? 'good' : ''}` },
      STATUS_NAMES[d.status] || d.status),
    ' ', KIND_NAMES[d.kind] || d.kind, ' to ', d.to, ' · ',
    timeEl(d.sent_at || d.created_at),
    failed && d.last_error ? h('p', { class: 'error', role: 'note' }, `Not delivered: ${d.last_error}`) : null,
    !failed && d.attempts && d.last_error ? h('p', { class: 'muted' },
      `Retrying after ${d.attempts} failed attempt${d.attempts === 1 ? '' : 's'}: ${d.last_error}`) : null);
}

export function deliveriesCard(ticket) {
  const card = h('section', { class: 'card side', 'aria-label': 'Mail' }, h('h2', {}, 'Mail'),
    h('p', { class: 'loading' }, 'Loading…'));
  (async () => {
    let list;
    try {
      list = (await api.get(`/api/v2/tickets/${ticket.id}/deliveries`)).deliveries;
    } catch (err) {
      replace(card, h('h2', {}, 'Mail'), h('p', { class: 'error' }, err.message));
      return;
    }
    const failed = list.filter((d) => d.status === 'failed').length;
    replace(card, h('h2', {}, 'Mail', failed
      ? h('span', { class: 'badge danger' }, ` ${failed} not delivered`) : null),
    list.length ? h('ul', { class: 'deliveries' }, list.map(deliveryEl))
      : h('p', { class: 'muted' }, 'No mail sent for this ticket.'));
  })();
  return card;
}
