// The console's policy pages (issue 5): the feature board (staff), the duty roster (everyone on
// staff sees it, admins edit it) and the policy report (leads and admins).
//
// Each page takes `ctx`: { me, main, staff, setTitle(text), markView(key), userById(id) }.
import * as api from './api.js';
import { h, replace, timeEl, showFormError, clearFormErrors, busy, field, openDialog } from './dom.js';
import { categories, FEATURE_STATUS } from './ticket_policy.js';

function page(ctx, title, key, intro) {
  ctx.setTitle(title);
  ctx.markView(key);
  const body = h('div', { class: 'loading' }, 'Loading…');
  const section = h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h1', {}, title)),
    intro ? h('p', { class: 'meta' }, intro) : null,
    body);
  replace(ctx.main, section);
  return { section, body };
}

function failed(body, err) {
  body.className = '';
  replace(body, h('p', { class: 'error', role: 'alert' }, err.message));
}

const nameOf = (ctx, id) => {
  const u = ctx.staff.find((x) => x.id === id);
  return u ? u.name : `user #${id}`;
};

// ------------------------------------------------------------------ feature board

export async function showFeatures(ctx) {
  const { body } = page(ctx, 'Feature board', 'features',
    'Feature requests escalated to the product team (clause 2), most asked for first. When an item ships, every linked requester is told.');
  let items;
  try {
    items = await api.all('/api/v2/feature_items', 'feature_items');
  } catch (err) {
    failed(body, err);
    return;
  }
  body.className = '';
  const title = h('input', { type: 'text', name: 'title', 'data-field': 'title' });
  const description = h('textarea', { name: 'description', rows: 2, 'data-field': 'description' });
  const add = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'New feature item' },
    h('h2', {}, 'New item'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Title', title), field('Description', description),
    h('div', { class: 'actions start' }, h('button', { type: 'submit', class: 'primary' }, 'Add item')));
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(add);
    await busy(add, async () => {
      try {
        await api.post('/api/v2/feature_items', { feature_item: { title: title.value.trim(), description: description.value.trim() } });
        showFeatures(ctx);
      } catch (err) {
        showFormError(add, err);
      }
    });
  });
  if (!items.length) {
    replace(body, h('p', { class: 'empty' }, 'No feature items yet.'), add);
    return;
  }
  const row = (it) => {
    const status = h('select', { name: 'status', 'aria-label': `Status of ${it.title}` },
      Object.entries(FEATURE_STATUS).map(([v, label]) => h('option', { value: v, selected: v === it.status }, label)));
    const msg = h('span', { class: 'row-msg', role: 'status' });
    status.addEventListener('change', async () => {
      status.disabled = true;
      msg.textContent = '';
      try {
        const r = (await api.put(`/api/v2/feature_items/${it.id}`, { feature_item: { status: status.value } })).feature_item;
        it.status = r.status;
        msg.textContent = r.status === 'shipped' ? 'Saved; requesters notified.' : 'Saved.';
      } catch (err) {
        status.value = it.status;
        msg.textContent = err.message;
        msg.className = 'row-msg error';
      }
      status.disabled = false;
    });
    const tickets = h('td', { 'data-label': 'Tickets' });
    const show = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false' }, String(it.ticket_count));
    tickets.append(show);
    show.addEventListener('click', async () => {
      if (show.getAttribute('aria-expanded') === 'true') {
        tickets.querySelector('ul')?.remove();
        show.setAttribute('aria-expanded', 'false');
        return;
      }
      show.setAttribute('aria-expanded', 'true');
      try {
        const list = (await api.get(`/api/v2/feature_items/${it.id}/tickets`)).tickets;
        tickets.append(h('ul', { class: 'linked' }, list.map((x) => h('li', {}, h('a', { href: `#/tickets/${x.id}` }, `#${x.id} ${x.subject}`)))));
      } catch (err) {
        tickets.append(h('ul', {}, h('li', { class: 'error' }, err.message)));
      }
    });
    return h('tr', {},
      h('td', { 'data-label': 'Item', class: 'subject' }, it.title,
        it.description ? h('p', { class: 'muted small' }, it.description) : null),
      h('td', { 'data-label': 'Status' }, status, msg),
      tickets,
      h('td', { 'data-label': 'Accounts' }, String(it.account_count)),
      h('td', { 'data-label': 'Updated' }, timeEl(it.updated_at)));
  };
  replace(body, h('table', { class: 'queue features' },
    h('thead', {}, h('tr', {}, ['Item', 'Status', 'Tickets', 'Accounts', 'Updated'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, items.map(row))), add);
}

// ------------------------------------------------------------------ duty roster

function isoFromLocal(v) {
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function showRoster(ctx) {
  const admin = ctx.me.role === 'admin';
  const { body } = page(ctx, 'Duty roster', 'roster',
    'The support lead on duty refuses service and receives SLA breach notices. Weekly rotation from the anchor Monday, in the support calendar\'s zone; one-off overrides win.'
    + (admin ? '' : ' Only admins change it.'));
  let roster; let overrides; let now;
  try {
    [roster, overrides, now] = await Promise.all([
      api.get('/api/v2/roster').then((r) => r.roster),
      api.all('/api/v2/roster/overrides', 'roster_overrides'),
      api.get('/api/v2/roster/now').then((r) => r.on_duty),
    ]);
  } catch (err) {
    failed(body, err);
    return;
  }
  body.className = '';
  const leads = ctx.staff.filter((u) => u.role === 'lead' || u.role === 'admin');
  const nowLine = h('p', { class: 'on-duty', role: 'status' }, 'On duty now: ',
    h('strong', {}, now.name || 'nobody'),
    now.source === 'override' ? ' (override)' : now.source === 'rotation' ? ' (rotation)' : '',
    now.until ? [' until ', timeEl(now.until)] : null);

  // The rotation: an ordered list, edited in place, saved whole.
  const order = [...roster.lead_ids];
  const list = h('ol', { class: 'rotation' });
  const anchor = h('input', { type: 'date', name: 'anchor_date', 'data-field': 'anchor_date', value: roster.anchor_date || '', disabled: !admin });
  const addSel = h('select', { name: 'add_lead', 'aria-label': 'Lead to add' });
  const drawList = () => {
    replace(list, order.map((id, i) => h('li', {},
      h('span', { class: 'who' }, nameOf(ctx, id)),
      admin ? h('span', { class: 'row-tools' },
        h('button', { type: 'button', 'aria-label': `Move ${nameOf(ctx, id)} up`, disabled: i === 0, onclick: () => { order.splice(i - 1, 0, order.splice(i, 1)[0]); drawList(); } }, '↑'),
        h('button', { type: 'button', 'aria-label': `Move ${nameOf(ctx, id)} down`, disabled: i === order.length - 1, onclick: () => { order.splice(i + 1, 0, order.splice(i, 1)[0]); drawList(); } }, '↓'),
        h('button', { type: 'button', 'aria-label': `Remove ${nameOf(ctx, id)}`, onclick: () => { order.splice(i, 1); drawList(); } }, 'Remove')) : null)));
    if (!order.length) list.append(h('li', { class: 'muted' }, 'Nobody in the rotation.'));
    const left = leads.filter((u) => !order.includes(u.id));
    replace(addSel, left.map((u) => h('option', { value: u.id }, `${u.name} (${u.role})`)));
    if (addRow) addRow.hidden = !left.length;
  };
  let addRow = null;
  const rotation = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Rotation' },
    h('h2', {}, 'Weekly rotation'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { 'data-field': 'lead_ids', tabindex: '-1' }, list),
    admin ? (addRow = h('div', { class: 'actions start add-lead' }, addSel,
      h('button', { type: 'button', onclick: () => { if (addSel.value) { order.push(Number(addSel.value)); drawList(); } } }, 'Add to rotation'))) : null,
    field('Anchor Monday (week 1 of the rotation)', anchor),
    roster.updated_at ? h('p', { class: 'muted small' }, 'Last changed ', timeEl(roster.updated_at)) : null,
    admin ? h('div', { class: 'actions start' }, h('button', { type: 'submit', class: 'primary' }, 'Save rotation')) : null);
  drawList();
  rotation.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(rotation);
    await busy(rotation, async () => {
      try {
        await api.put('/api/v2/roster', { roster: { anchor_date: anchor.value || null, lead_ids: order } });
        showRoster(ctx);
      } catch (err) {
        showFormError(rotation, err);
      }
    });
  });

  // The overrides.
  const oRows = overrides.map((o) => h('tr', {},
    h('td', { 'data-label': 'Lead' }, nameOf(ctx, o.user_id)),
    h('td', { 'data-label': 'From' }, timeEl(o.starts_at)),
    h('td', { 'data-label': 'Until' }, timeEl(o.ends_at)),
    h('td', { 'data-label': 'Reason' }, o.reason),
    admin ? h('td', {}, h('button', { type: 'button', onclick: () => openDialog('Remove this override',
      `${nameOf(ctx, o.user_id)} from ${new Date(o.starts_at).toLocaleString()}.`, [], 'Remove', async () => {
        await api.del(`/api/v2/roster/overrides/${o.id}`);
        showRoster(ctx);
      }, { danger: true }) }, 'Remove')) : null));
  const who = h('select', { name: 'user_id', 'data-field': 'user_id' }, leads.map((u) => h('option', { value: u.id }, u.name)));
  const starts = h('input', { type: 'datetime-local', name: 'starts_at', 'data-field': 'starts_at' });
  const ends = h('input', { type: 'datetime-local', name: 'ends_at', 'data-field': 'ends_at' });
  const reason = h('input', { type: 'text', name: 'reason', 'data-field': 'reason' });
  const addForm = admin ? h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'New override' },
    h('h3', {}, 'Add an override'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'grid-2' }, field('Lead', who), field('Reason', reason),
      field('From (your time)', starts), field('Until (your time)', ends)),
    h('div', { class: 'actions start' }, h('button', { type: 'submit', class: 'primary' }, 'Add override'))) : null;
  if (addForm) {
    addForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(addForm);
      await busy(addForm, async () => {
        try {
          await api.post('/api/v2/roster/overrides', { roster_override: {
            user_id: Number(who.value), starts_at: isoFromLocal(starts.value), ends_at: isoFromLocal(ends.value), reason: reason.value.trim() } });
          showRoster(ctx);
        } catch (err) {
          showFormError(addForm, err);
        }
      });
    });
  }
  replace(body, nowLine, rotation,
    h('section', { 'aria-label': 'Overrides' },
      h('h2', {}, 'Overrides'),
      overrides.length ? h('table', { class: 'queue overrides' },
        h('thead', {}, h('tr', {}, ['Lead', 'From', 'Until', 'Reason', admin ? '' : null].filter((c) => c !== null).map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, oRows)) : h('p', { class: 'empty' }, 'No overrides.'),
      addForm));
}

// ------------------------------------------------------------------ policy report

export async function showPolicyReport(ctx) {
  const { body } = page(ctx, 'Policy report', 'policy-report',
    'Per week (Monday to Sunday, support calendar): policy exceptions, bans, refusals of service, billing disclosures and out-of-scope answers by category.');
  let report; let exceptions; let cats = [];
  try {
    [report, exceptions] = await Promise.all([
      api.get('/api/v2/policy/report?weeks=8').then((r) => r.policy_report),
      api.all('/api/v2/policy/exceptions', 'policy_exceptions'),
    ]);
    cats = await categories().catch(() => []);
  } catch (err) {
    failed(body, err);
    return;
  }
  body.className = '';
  const label = (id) => (cats.find((c) => c.id === id) || {}).label || id;
  const oos = [...new Set(report.weeks.flatMap((w) => Object.keys(w.out_of_scope || {})))].sort();
  const counts = ['exceptions', 'bans', 'unbans', 'refusals', 'restorations', 'disclosures'];
  const heads = ['Week of', 'Exceptions', 'Bans', 'Unbans', 'Refusals', 'Restorations', 'Disclosures',
    ...oos.map((c) => `Out of scope: ${label(c)}`)];
  const weekTable = report.weeks.length ? h('table', { class: 'queue report policy-report' },
    h('thead', {}, h('tr', {}, heads.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, report.weeks.map((w) => h('tr', {},
      h('td', { 'data-label': 'Week of' }, w.week_start),
      counts.map((k, i) => h('td', { 'data-label': heads[i + 1] }, String(w[k] ?? 0))),
      oos.map((c, i) => h('td', { 'data-label': heads[7 + i] }, String((w.out_of_scope || {})[c] ?? 0)))))))
    : h('p', { class: 'empty' }, 'No weeks to show.');
  const exTable = exceptions.length ? h('table', { class: 'queue exceptions' },
    h('thead', {}, h('tr', {}, ['When', 'Ticket', 'Kind', 'From', 'To', 'By', 'Justification'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, exceptions.map((x) => {
      const by = h('td', { 'data-label': 'By' }, nameOf(ctx, x.actor_id));
      const nm = (v) => (x.kind === 'priority' ? api.PRIORITY_NAMES[v] : api.DECISION_NAMES[v]) || v || '—';
      return h('tr', {},
        h('td', { 'data-label': 'When' }, timeEl(x.created_at)),
        h('td', { 'data-label': 'Ticket' }, h('a', { href: `#/tickets/${x.ticket_id}` }, `#${x.ticket_id}`)),
        h('td', { 'data-label': 'Kind' }, x.kind === 'priority' ? 'Priority' : 'Scope'),
        h('td', { 'data-label': 'From' }, nm(x.from)),
        h('td', { 'data-label': 'To' }, nm(x.to)),
        by,
        h('td', { 'data-label': 'Justification', class: 'justification' }, x.justification));
    }))) : h('p', { class: 'empty' }, 'No policy exceptions yet.');
  replace(body, weekTable,
    h('section', { 'aria-label': 'Policy exceptions' }, h('h2', {}, 'Policy exceptions'),
      h('p', { class: 'meta' }, 'Every override of a decision to benefit a client (clause 11): who, when, why, and what it replaced.'),
      exTable));
}
