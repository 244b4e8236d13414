// The agent console: sign in, queue views, and the ticket page.
// Hash routes (the server serves exact paths only):
//   #/queue/mine  #/queue/unassigned  #/queue/open  #/queue/group/ID  #/tickets/ID
//   #/report (SLA)  #/features  #/roster  #/policy-report (leads and admins)
//   #/inbound-mail (admins: failed inbound mail, mail_admin.js)
//   #/help-center  #/help-center/articles/ID  #/help-center/sections/ID/new (hc_admin.js)
//   #/callbacks  #/callbacks/ID/call  #/calls/new (the phone channel, calls.js)
// The views are the server's built-in queues (GET /api/v2/views/{id}/tickets, SLA due soonest
// first, a page at a time; counts from /api/v2/views/count_many). A team's queue is a
// search (GET /api/v2/search, Zendesk's query language); its count is the same search asking
// for one result.
import * as api from './api.js';
import { h, replace, timeEl, showFormError, clearFormErrors, busy, field, signInForm } from './dom.js';
import * as policy from './ticket_policy.js';
import { deliveriesCard } from './deliveries.js';
import { showInboundMail } from './mail_admin.js';
import { showHelpCenter, showArticleEditor } from './hc_admin.js';
import { showFeatures, showRoster, showPolicyReport } from './boards.js';
import { callsCard, showCallbacks, showNewCall, showCallbackCall } from './calls.js';

const main = document.getElementById('main');
const account = document.getElementById('account');
const sidebar = document.getElementById('views');
const STAFF_ROLES = new Set(['agent', 'lead', 'admin']);

let me = null;
let groups = [];
let staff = [];
const users = new Map(); // id -> user, or a Promise while loading
const orgs = new Map();

const isLead = () => !!me && (me.role === 'lead' || me.role === 'admin');

function setTitle(text) {
  document.title = text ? `${text} · frontdesk console` : 'frontdesk console';
}

// ------------------------------------------------------------------ lookups (cached)

function cached(map, id, load) {
  if (id === null || id === undefined) return Promise.resolve(null);
  if (!map.has(id)) {
    map.set(id, load(id).catch(() => null));
  }
  return map.get(id);
}

const userById = (id) => cached(users, id, async (i) => (await api.get(`/api/v2/users/${i}`)).user);
const orgById = (id) => cached(orgs, id, async (i) => (await api.get(`/api/v2/organizations/${i}`)).organization);

async function loadDirectory() {
  const [gs, ...byRole] = await Promise.all([
    api.all('/api/v2/groups', 'groups'),
    api.all('/api/v2/users?role=agent', 'users'),
    api.all('/api/v2/users?role=lead', 'users'),
    api.all('/api/v2/users?role=admin', 'users'),
  ].map((p) => p.catch(() => []))); // a list this role may not read just leaves a menu shorter
  groups = gs;
  staff = byRole.flat().filter((u) => u.active !== false);
  staff.sort((a, b) => a.name.localeCompare(b.name));
  for (const u of staff) users.set(u.id, Promise.resolve(u));
}

// ------------------------------------------------------------------ chrome

// The server's views (service/views.c), by id.
const VIEWS = [
  { key: 'mine', name: 'Assigned to me', id: 1 },
  { key: 'unassigned', name: 'Unassigned', id: 2 },
  { key: 'open', name: 'All open', id: 3 },
];
const PAGE_SIZE = 100;

const searchPath = (query, perPage) =>
  `/api/v2/search?query=${encodeURIComponent(query)}&per_page=${perPage}`;

// A team's queue: its unsolved tickets.
const groupQuery = (id) => `type:ticket status<solved group:${id}`;

// The first page of a queue and how to ask for the next: { items, next } where next is a path
// on this server or null.
async function queuePage(key, path) {
  const v = VIEWS.find((x) => x.key === key);
  if (v) {
    const page = await api.get(path
      || `/api/v2/views/${v.id}/tickets?sort_by=sla_due_at&page[size]=${PAGE_SIZE}`);
    return { items: page.tickets, next: page.links.next };
  }
  const gm = key.match(/^group\/(\d+)$/);
  const page = await api.get(path || searchPath(groupQuery(gm ? Number(gm[1]) : 0), PAGE_SIZE));
  return { items: page.results, next: page.next_page };
}

function renderChrome() {
  replace(account);
  replace(sidebar);
  if (!me) {
    sidebar.hidden = true;
    return;
  }
  sidebar.hidden = false;
  account.append(
    h('span', { class: 'who' }, `${me.name} (${me.role})`),
    h('button', { type: 'button', class: 'link', onclick: onSignOut }, 'Sign out'));
  replace(sidebar,
    h('h2', {}, 'Views'),
    h('ul', {}, VIEWS.map((v) => h('li', {}, viewLink(v.key, v.name)))),
    groups.length ? h('h2', {}, 'Teams') : null,
    h('ul', {}, groups.map((g) => h('li', {}, viewLink(`group/${g.id}`, g.name)))),
    h('h2', {}, 'Policy'),
    h('ul', {},
      h('li', {}, h('a', { href: '#/features', 'data-view': 'features' }, h('span', {}, 'Feature board'))),
      h('li', {}, h('a', { href: '#/roster', 'data-view': 'roster' }, h('span', {}, 'Duty roster')))),
    h('h2', {}, 'Phone'),
    h('ul', {},
      h('li', {}, h('a', { href: '#/callbacks', 'data-view': 'callbacks' }, h('span', {}, 'Callbacks'))),
      h('li', {}, h('a', { href: '#/calls/new', 'data-view': 'calls-new' }, h('span', {}, 'New ticket from a call')))),
    h('h2', {}, 'Help center'),
    h('ul', {}, h('li', {}, h('a', { href: '#/help-center', 'data-view': 'help-center' }, h('span', {}, 'Articles')))),
    h('h2', {}, 'Reports'),
    h('ul', {}, h('li', {}, h('a', { href: '#/report', 'data-view': 'report' }, h('span', {}, 'SLA report'))),
      isLead() ? h('li', {}, h('a', { href: '#/policy-report', 'data-view': 'policy-report' }, h('span', {}, 'Policy report'))) : null),
    me.role === 'admin' ? h('h2', {}, 'Mail') : null,
    me.role === 'admin' ? h('ul', {}, h('li', {}, h('a', { href: '#/inbound-mail', 'data-view': 'inbound-mail' }, h('span', {}, 'Failed inbound mail')))) : null);
}

function viewLink(key, name) {
  return h('a', { href: `#/queue/${key}`, 'data-view': key },
    h('span', {}, name), h('span', { class: 'view-count' }));
}

function setCount(key, n) {
  const a = sidebar.querySelector(`a[data-view="${key}"]`);
  if (a) a.querySelector('.view-count').textContent = String(n);
}

// The counts beside each view (one request for all the views) and each team (a search asking
// for one result, reading "count").
function updateCounts() {
  api.get(`/api/v2/views/count_many?ids=${VIEWS.map((v) => v.id).join(',')}`).then((body) => {
    for (const c of body.view_counts) {
      const v = VIEWS.find((x) => x.id === c.view_id);
      if (v) setCount(v.key, c.value);
    }
  }, () => {});
  for (const g of groups) {
    api.get(searchPath(groupQuery(g.id), 1)).then((page) => setCount(`group/${g.id}`, page.count),
      () => {});
  }
}

function markView(key) {
  sidebar.querySelectorAll('a').forEach((a) => {
    if (a.dataset.view === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

async function onSignOut() {
  try {
    await api.signOut();
  } catch (e) {
    /* the session is gone either way */
  }
  me = null;
  renderChrome();
  location.hash = '';
  route();
}

function showSignIn(message) {
  setTitle('Sign in');
  replace(main, signInForm('Agent console', message || 'Sign in with your staff account.',
    async (email, password) => {
      const u = await api.signIn(email, password);
      if (!STAFF_ROLES.has(u.role)) {
        await api.signOut();
        throw new api.ApiError(403, 'forbidden', 'this console is for staff; customers use the support portal', null);
      }
      me = u;
      await loadDirectory();
      renderChrome();
      route();
    }));
}

// ------------------------------------------------------------------ badges

function priorityBadge(p) {
  return h('span', { class: `badge priority-${p}` }, api.PRIORITY_NAMES[p] || p);
}

function statusBadge(s) {
  return h('span', { class: `badge status-${s}` }, api.STATUS_NAMES[s] || s);
}

function nameOf(list, id, none) {
  if (id === null || id === undefined) return none;
  const found = list.find((x) => x.id === id);
  return found ? found.name : `#${id}`;
}

// ------------------------------------------------------------------ queues

async function showQueue(key) {
  let view = VIEWS.find((v) => v.key === key);
  const gm = key.match(/^group\/(\d+)$/);
  if (gm) view = { key, name: nameOf(groups, Number(gm[1]), 'Team') };
  if (!view) view = VIEWS[1];
  setTitle(view.name);
  markView(view.key);
  const body = h('div', { class: 'loading' }, 'Loading tickets…');
  const count = h('span', { class: 'count' });
  replace(main, h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h1', {}, view.name),
      h('span', { class: 'head-tools' }, count,
        h('button', { type: 'button', onclick: () => showQueue(key) }, 'Refresh'))),
    body));
  let page;
  try {
    page = await queuePage(view.key);
    updateCounts();
  } catch (err) {
    replace(body, h('p', { class: 'error', role: 'alert' }, err.message));
    return;
  }
  body.className = '';
  if (!page.items.length) {
    replace(body, h('p', { class: 'empty' }, 'Nothing here. Nice.'));
    return;
  }
  // In the server's order: a view's ticket due soonest first.
  const tbody = h('tbody', {});
  const more = h('button', { type: 'button', class: 'more' }, 'Show more');
  let shown = 0;
  const add = (p) => {
    tbody.append(...p.items.map(queueRow));
    shown += p.items.length;
    count.textContent = `${shown}${p.next ? '+' : ''} ticket${shown === 1 ? '' : 's'}`;
    more.hidden = !p.next;
    more.onclick = async () => {
      more.disabled = true;
      try {
        add(await queuePage(view.key, p.next));
      } catch (err) {
        more.after(h('p', { class: 'error', role: 'alert' }, err.message));
      }
      more.disabled = false;
    };
  };
  add(page);
  replace(body, h('table', { class: 'queue' },
    h('thead', {}, h('tr', {}, ['Ticket', 'Subject', 'Requester', 'Status', 'Priority', 'Assignee', 'SLA', 'Updated']
      .map((c) => h('th', { scope: 'col' }, c)))),
    tbody), more);
}

// "2h 05m", "3d 4h": a span of minutes, short.
function span(minutes) {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `${m}m`;
  if (m < 24 * 60) return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(m / 1440)}d ${Math.floor((m % 1440) / 60)}h`;
}

// The SLA badge of a ticket (its "sla" summary): a countdown to the due instant, green while
// running, amber once warned, red when breached; the other states say what they are.
function slaBadge(sla) {
  if (!sla || !sla.state) return h('span', { class: 'muted' }, '—');
  const due = sla.due_at ? (Date.parse(sla.due_at) - Date.now()) / 60000 : null;
  const labels = { paused: 'Paused', met: 'Met', met_late: 'Met late', cancelled: 'Cancelled' };
  if (sla.state === 'breached') {
    return h('span', { class: 'badge danger', title: `due ${sla.due_at}` },
      due === null ? 'Breached' : `Overdue ${span(-due)}`);
  }
  if (sla.state === 'running' || sla.state === 'warning') {
    return h('span', { class: `badge ${sla.state === 'warning' ? 'warn' : 'good'}`, title: `due ${sla.due_at}` },
      due === null ? sla.state : `Due in ${span(due)}`);
  }
  return h('span', { class: 'badge' }, labels[sla.state] || sla.state);
}

function queueRow(t) {
  const requester = h('td', { 'data-label': 'Requester' }, '…');
  userById(t.requester_id).then((u) => { requester.textContent = u ? u.name : `#${t.requester_id}`; });
  return h('tr', { class: policy.isHighRisk(t) ? 'high-risk' : null },
    h('td', { 'data-label': 'Ticket' }, `#${t.id}`),
    h('td', { 'data-label': 'Subject', class: 'subject' }, h('a', { href: `#/tickets/${t.id}` }, t.subject),
      policy.isHighRisk(t) ? [' ', policy.highRiskBadge()] : null),
    requester,
    h('td', { 'data-label': 'Status' }, statusBadge(t.status)),
    h('td', { 'data-label': 'Priority' }, priorityBadge(t.priority)),
    h('td', { 'data-label': 'Assignee' }, nameOf(staff, t.assignee_id, '—')),
    h('td', { 'data-label': 'SLA' }, slaBadge(t.sla)),
    h('td', { 'data-label': 'Updated' }, timeEl(t.updated_at)));
}

// ------------------------------------------------------------------ the ticket page

function commentEl(c, ctx) {
  const author = h('strong', {}, '…');
  const flag = h('span', { class: 'comment-tools' });
  userById(c.author_id).then((u) => {
    author.textContent = u ? u.name : `user #${c.author_id}`;
    // Staff flag what others wrote, not their colleagues' notes.
    if (ctx && !(u && STAFF_ROLES.has(u.role))) flag.append(policy.flagButton(ctx, c));
  });
  return h('article', { class: `comment ${c.public ? 'public' : 'internal'}` },
    h('header', {},
      author,
      c.public ? null : h('span', { class: 'badge note' }, 'Internal note'),
      c.via && c.via.channel === 'voice' ? [' ', h('span', { class: 'badge' }, 'Phone call')] : null,
      ' · ', timeEl(c.created_at), flag),
    h('div', { class: 'body' }, c.body));
}


function composer(ticket, kind) {
  const id = ticket.id;
  const isNote = kind === 'note';
  const text = h('textarea', { name: kind, rows: 4, required: true, 'data-field': 'body', id: `composer-${kind}` });
  // A reply usually hands the ticket to the requester: offer the status to leave it in.
  const then = isNote ? null : select('status', [['', `Keep ${api.STATUS_NAMES[ticket.status] || ticket.status}`],
    ...['open', 'pending', 'solved'].filter((s) => s !== ticket.status).map((s) => [s, `Set ${api.STATUS_NAMES[s]}`])], '');
  const form = h('form', { class: `composer ${isNote ? 'internal' : 'public'}`, novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field(isNote ? 'Internal note (only staff see this)' : 'Public reply (the requester sees this)', text),
    h('div', { class: 'actions' },
      then ? h('label', { class: 'inline' }, h('span', {}, 'Then'), then) : null,
      h('button', { type: 'submit', class: isNote ? 'secondary' : 'primary' }, isNote ? 'Add note' : 'Send reply')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    if (!text.value.trim()) {
      showFormError(form, { field: 'body', message: 'write something first' });
      return;
    }
    await busy(form, async () => {
      try {
        const change = { comment: { body: text.value, public: !isNote } };
        if (then && then.value) change.status = then.value;
        const res = await api.put(`/api/v2/tickets/${id}`, { ticket: change });
        updateCounts(); // the counts beside the views catch up in the background
        location.hash = `#/tickets/${res.ticket.id}`;
        if (String(res.ticket.id) === String(id)) showTicket(id);
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  return form;
}

function select(name, options, value) {
  return h('select', { name, 'data-field': name.replace(/^ticket\./, '') },
    options.map(([v, label]) => h('option', { value: v === null ? '' : String(v), selected: String(v ?? '') === String(value ?? '') }, label)));
}

function propertiesForm(ticket) {
  const derived = ticket.policy ? ticket.policy.priority.derived : null;
  const status = select('status', Object.entries(api.STATUS_NAMES), ticket.status);
  const priority = select('priority', [['urgent', 'Critical'], ['high', 'High Priority Non-critical'],
    ['normal', 'Normal'], ...(ticket.priority === 'low' ? [['low', 'Low']] : [])], ticket.priority);
  const assignee = select('assignee_id', [[null, 'Unassigned'], ...staff.map((u) => [u.id, u.name])], ticket.assignee_id);
  const group = select('group_id', [[null, 'No team'], ...groups.map((g) => [g.id, g.name])], ticket.group_id);
  // A priority away from the policy's derived one needs a written reason (clause 11).
  const why = h('textarea', { name: 'policy_justification', rows: 3, 'data-field': 'policy_justification' });
  const justification = field('Justification (at least 20 characters)', why,
    `The policy derives ${api.PRIORITY_NAMES[derived] || 'another priority'}: say why this one benefits the client.`);
  const needWhy = () => { justification.hidden = !derived || priority.value === derived || priority.value === ticket.priority; };
  priority.addEventListener('change', needWhy);
  needWhy();
  const form = h('form', { class: 'card properties', novalidate: true, 'aria-label': 'Ticket properties' },
    h('h2', {}, 'Properties'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Status', status),
    field('Priority', priority),
    justification,
    field('Assignee', assignee),
    field('Team', group),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'link', onclick: () => { assignee.value = String(me.id); } }, 'Assign to me'),
      h('button', { type: 'submit', class: 'primary' }, 'Update')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    const change = {};
    if (status.value !== ticket.status) change.status = status.value;
    if (priority.value !== ticket.priority) {
      change.priority = priority.value;
      if (!justification.hidden) change.policy_justification = why.value;
    }
    const a = assignee.value ? Number(assignee.value) : null;
    if (a !== ticket.assignee_id) change.assignee_id = a;
    const g = group.value ? Number(group.value) : null;
    if (g !== ticket.group_id) change.group_id = g;
    if (!Object.keys(change).length) return;
    await busy(form, async () => {
      try {
        await api.put(`/api/v2/tickets/${ticket.id}`, { ticket: change });
        updateCounts(); // the counts beside the views catch up in the background
        showTicket(ticket.id);
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  return form;
}

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function requesterCard(ticket) {
  const card = h('section', { class: 'card side', 'aria-label': 'Requester' }, h('h2', {}, 'Requester'), h('p', { class: 'loading' }, 'Loading…'));
  (async () => {
    const u = await userById(ticket.requester_id);
    const o = await orgById(ticket.organization_id ?? (u && u.organization_id));
    const flags = o ? [
      o.delinquent ? h('span', { class: 'badge warn' }, 'Delinquent') : null,
      o.high_risk ? h('span', { class: 'badge warn' }, 'High risk') : null,
      o.service_refused ? h('span', { class: 'badge danger' }, 'Service refused') : null,
      o.support_package_until ? h('span', { class: 'badge good' }, 'Extra support') : null,
    ].filter(Boolean) : [];
    replace(card,
      h('h2', {}, 'Requester'),
      u ? facts([['Name', u.name], ['Email', u.email], ['Phone', u.phone], ['Account role', u.account_role]])
        : h('p', { class: 'muted' }, `user #${ticket.requester_id}`),
      h('h2', {}, 'Account'),
      o ? [facts([['Name', o.name], ['Plan', o.plan], ['Install', o.install_status],
        ['Extra support until', o.support_package_until]]),
      flags.length ? h('p', { class: 'flags' }, flags) : null]
        : h('p', { class: 'muted' }, 'No client account'));
  })();
  return card;
}

const SLA_STATE_NAMES = {
  running: 'Running', warning: 'Warning', breached: 'Breached', paused: 'Paused',
  met: 'Met', met_late: 'Met late', cancelled: 'Cancelled',
};

// The ticket's two SLA clocks (GET /api/v2/tickets/{id}/sla), each with its state and instants.
function slaCard(ticket) {
  const card = h('section', { class: 'card side', 'aria-label': 'SLA' }, h('h2', {}, 'SLA'),
    h('p', { class: 'loading' }, 'Loading…'));
  (async () => {
    let sla;
    try {
      sla = (await api.get(`/api/v2/tickets/${ticket.id}/sla`)).sla;
    } catch (err) {
      replace(card, h('h2', {}, 'SLA'), h('p', { class: 'error' }, err.message));
      return;
    }
    const clock = (name, c) => {
      if (!c.state) return [h('h3', {}, name), h('p', { class: 'muted' }, 'Not started')];
      const ticking = c.state === 'running' || c.state === 'warning' || c.state === 'breached';
      return [
        h('h3', {}, name, ' ', ticking ? slaBadge({ state: c.state, due_at: c.due_at })
          : h('span', { class: 'badge' }, SLA_STATE_NAMES[c.state] || c.state)),
        facts([['Started', c.started_at ? timeEl(c.started_at) : null],
          ['Warn', c.warn_at ? timeEl(c.warn_at) : null],
          ['Due', c.due_at ? timeEl(c.due_at) : null],
          ['Stopped', c.stopped_at ? timeEl(c.stopped_at) : null]]),
      ];
    };
    replace(card, h('h2', {}, 'SLA'),
      clock('First response', sla.first_touch), clock('Follow-up', sla.follow_up));
  })();
  return card;
}

// ------------------------------------------------------------------ the SLA report

const pct = (v) => (v === null ? '—' : `${Math.round(v * 100)}%`);
const mins = (v) => (v === null ? '—' : `${Math.round(v)} min`);

// Help-center deflections (issue 7): the articles the request form suggested that people opened,
// and how many of them did not go on to submit a request.
function deflectionCard() {
  const body = h('div', { class: 'loading' }, 'Loading deflections…');
  const card = h('section', { class: 'card', 'data-report': 'deflections' },
    h('div', { class: 'card-head' }, h('h2', {}, 'Help-center deflections')),
    h('p', { class: 'meta' }, 'Articles suggested on the request form that people opened (last 30 days); '
      + 'deflected: they did not submit the request afterwards.'),
    body);
  (async () => {
    let r;
    try {
      r = (await api.get('/api/v2/help_center/deflections/report')).deflection_report;
    } catch (err) {
      replace(body, h('p', { class: 'error', role: 'alert' }, err.message));
      return;
    }
    body.className = '';
    if (!r.articles.length) {
      replace(body, h('p', { class: 'empty' }, `No suggestions opened from ${r.from} to ${r.to}.`));
      return;
    }
    replace(body, h('table', { class: 'queue report' },
      h('thead', {}, h('tr', {}, ['Article', 'Opened', 'Deflected'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, r.articles.map((x) => h('tr', {},
        h('td', { 'data-label': 'Article' }, h('a', { href: `/hc/articles/${x.article_id}` }, x.title)),
        h('td', { 'data-label': 'Opened' }, String(x.opened)),
        h('td', { 'data-label': 'Deflected' }, String(x.deflected))))),
      h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'All articles'),
        h('td', {}, String(r.opened)), h('td', {}, String(r.deflected))))));
  })();
  return card;
}

async function showReport() {
  setTitle('SLA report');
  markView('report');
  const body = h('div', { class: 'loading' }, 'Loading the report…');
  replace(main, h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h1', {}, 'SLA report')),
    h('p', { class: 'meta' }, 'First responses and follow-ups against their targets, per week '
      + '(Monday to Sunday, support calendar), priority and channel. Times are business minutes.'),
    body), deflectionCard());
  let r;
  try {
    r = (await api.get('/api/v2/sla/report')).sla_report;
  } catch (err) {
    replace(body, h('p', { class: 'error', role: 'alert' }, err.message));
    return;
  }
  body.className = '';
  if (!r.rows.length) {
    replace(body, h('p', { class: 'empty' }, `No tickets from ${r.from} to ${r.to}.`));
    return;
  }
  const head = ['Week of', 'Priority', 'Channel', 'Tickets', 'First response met', 'Late', 'Share met',
    'Median', '90th percentile', 'Follow-ups met', 'Late', 'Share met'];
  replace(body, h('table', { class: 'queue report' },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, r.rows.map((x) => h('tr', {},
      h('td', { 'data-label': 'Week of' }, x.week),
      h('td', { 'data-label': 'Priority' }, priorityBadge(x.priority)),
      h('td', { 'data-label': 'Channel' }, x.channel),
      h('td', { 'data-label': 'Tickets' }, String(x.tickets)),
      h('td', { 'data-label': 'First response met' }, String(x.first_touch.met)),
      h('td', { 'data-label': 'Late' }, String(x.first_touch.late)),
      h('td', { 'data-label': 'Share met' }, pct(x.first_touch.share_met)),
      h('td', { 'data-label': 'Median' }, mins(x.first_touch.median_minutes)),
      h('td', { 'data-label': '90th percentile' }, mins(x.first_touch.p90_minutes)),
      h('td', { 'data-label': 'Follow-ups met' }, String(x.follow_up.met)),
      h('td', { 'data-label': 'Late' }, String(x.follow_up.late)),
      h('td', { 'data-label': 'Share met' }, pct(x.follow_up.share_met)))))));
}

async function showTicket(id) {
  markView(null);
  replace(main, h('p', { class: 'loading' }, 'Loading ticket…'));
  let ticket;
  let comments;
  try {
    ticket = (await api.get(`/api/v2/tickets/${id}`)).ticket;
    comments = await api.all(`/api/v2/tickets/${id}/comments`, 'comments');
  } catch (err) {
    setTitle('Ticket not found');
    replace(main, h('section', { class: 'card narrow' },
      h('h1', {}, err.status === 404 ? 'Ticket not found' : 'Could not load the ticket'),
      h('p', { role: 'alert' }, err.message)));
    return;
  }
  setTitle(`#${ticket.id} ${ticket.subject}`);
  const ctx = {
    me, ticket, staff, userById, orgById,
    reload: () => showTicket(ticket.id),
    forgetOrg: (oid) => orgs.delete(oid),
    replyBox: () => document.getElementById('composer-reply'),
  };
  replace(main, h('div', { class: 'ticket-layout' },
    h('section', { class: 'card ticket-main' },
      policy.highRiskBanner(ticket),
      h('div', { class: 'card-head' },
        h('h1', {}, ticket.subject),
        h('span', { class: 'badges' }, statusBadge(ticket.status), priorityBadge(ticket.priority),
          ticket.priority_set_by_hand ? h('span', { class: 'badge note' }, 'set by hand') : null,
          policy.isHighRisk(ticket) ? policy.highRiskBadge() : null)),
      h('p', { class: 'meta' }, `#${ticket.id} · via ${ticket.via ? ticket.via.channel : '?'} · created `,
        timeEl(ticket.created_at), ' · updated ', timeEl(ticket.updated_at)),
      policy.policyPanel(ctx),
      h('div', { class: 'conversation', 'aria-label': 'Conversation' }, comments.map((c) => commentEl(c, ctx))),
      composer(ticket, 'reply'),
      composer(ticket, 'note')),
    h('aside', { class: 'ticket-side' }, propertiesForm(ticket), policy.identityCard(ctx),
      policy.featureCard(ctx), slaCard(ticket), callsCard(ctx), deliveriesCard(ticket), requesterCard(ticket),
      policy.moderationCard(ctx))));
}

// ------------------------------------------------------------------ routing

const boardCtx = () => ({ me, main, staff, setTitle, markView, userById });

async function route() {
  if (!me) {
    showSignIn();
    return;
  }
  const hash = location.hash || '#/queue/unassigned';
  let m;
  if ((m = hash.match(/^#\/tickets\/(\d+)$/))) await showTicket(m[1]);
  else if ((m = hash.match(/^#\/queue\/(.+)$/))) await showQueue(m[1]);
  else if (hash === '#/report') await showReport();
  else if (hash === '#/callbacks') await showCallbacks(boardCtx());
  else if ((m = hash.match(/^#\/callbacks\/(\d+)\/call$/))) await showCallbackCall(boardCtx(), m[1]);
  else if (hash === '#/calls/new') showNewCall(boardCtx());
  else if (hash === '#/features') await showFeatures(boardCtx());
  else if (hash === '#/roster') await showRoster(boardCtx());
  else if (hash === '#/policy-report' && isLead()) await showPolicyReport(boardCtx());
  else if (hash === '#/inbound-mail' && me.role === 'admin') await showInboundMail(boardCtx());
  else if (hash === '#/help-center') await showHelpCenter(boardCtx());
  else if ((m = hash.match(/^#\/help-center\/articles\/(\d+)$/))) await showArticleEditor(boardCtx(), Number(m[1]));
  else if ((m = hash.match(/^#\/help-center\/sections\/(\d+)\/new$/))) await showArticleEditor(boardCtx(), null, Number(m[1]));
  else await showQueue('unassigned');
  main.focus({ preventScroll: true });
}

async function start() {
  window.addEventListener('fd:signed-out', () => {
    me = null;
    renderChrome();
    showSignIn('Your session ended. Sign in again.');
  });
  window.addEventListener('hashchange', route);
  let notice;
  try {
    me = await api.me();
    if (me && !STAFF_ROLES.has(me.role)) {
      me = null;
      notice = 'You are signed in as a customer. Sign in with a staff account to use the console.';
    }
    if (me) await loadDirectory();
  } catch (err) {
    replace(main, h('p', { class: 'error', role: 'alert' }, err.message));
    return;
  }
  renderChrome();
  if (notice) showSignIn(notice);
  else await route();
}

start();
