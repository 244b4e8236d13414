// The support policy on the console's ticket page (issue 5): the policy panel (decision, clause,
// category, triage facts, priority, suggested response, override), the identity widget and the
// billing panel behind it, the feature-request link, and the moderation card (flag, ban, refuse,
// misuse incidents) whose buttons appear only for those the API allows.
//
// Every function takes `ctx`: { me, ticket, reload(), userById(id), orgById(id), staff, replyBox() }.
import * as api from './api.js';
import { h, replace, timeEl, showFormError, clearFormErrors, busy, field, openDialog, reasonField } from './dom.js';

// ------------------------------------------------------------------ shared lookups

let categoriesP = null;

/** The policy's request categories (GET /api/v2/policy/categories), fetched once. */
export function categories() {
  if (!categoriesP) {
    categoriesP = api.get('/api/v2/policy/categories').then((r) => r.categories, (err) => {
      categoriesP = null; // try again next time
      throw err;
    });
  }
  return categoriesP;
}

let macrosP = null;

function macros() {
  if (!macrosP) {
    macrosP = api.all('/api/v2/macros', 'macros').catch((err) => {
      macrosP = null;
      throw err;
    });
  }
  return macrosP;
}

export const TRIAGE_QUESTIONS = [
  ['service_down', 'Service down or unavailable'],
  ['data_lost', 'Data unavailable or lost'],
  ['feature_down', 'A critical documented feature unavailable'],
  ['workaround', 'A workaround is available'],
];

const FLAG_NAMES = {
  needs_identity: 'Verify identity first',
  strategy_disclaimer: 'Strategy disclaimer',
  escalates_to_product: 'Escalates to product',
  opens_misuse_incident: 'Opens a misuse incident',
  flags_account: 'Flags the account',
  self_serve_article: 'Self-serve article',
  needs_package: 'Needs the extra support package',
  high_risk: 'High risk',
  service_refused: 'Service refused',
};

const TEAM_NAMES = { sales: 'Routes to the sales team', product: 'Escalates to the product team' };
const BASIS_NAMES = { critical: 'critical triage facts', package: 'active extra support package', default: 'default' };

const isHighRisk = (t) => !!(t && t.policy && Array.isArray(t.policy.flags) && t.policy.flags.includes('high_risk'));
export { isHighRisk };

/** The high-risk warning: on the ticket page and in every queue row. */
export function highRiskBadge() {
  return h('span', { class: 'badge danger risk', title: 'High-risk account: the lead on duty handles it' }, 'High risk');
}

export function highRiskBanner(ticket) {
  if (!isHighRisk(ticket)) return null;
  return h('div', { class: 'risk-banner', role: 'note', 'aria-label': 'High-risk account' },
    h('strong', {}, 'High-risk account.'),
    ' Evidence of misuse is on file for this account. Share nothing beyond the policy, '
    + 'and leave decisions to the lead on duty (clause 12).');
}

function yesNo(v) {
  return v === true ? 'yes' : v === false ? 'no' : '';
}

function fromYesNo(v) {
  return v === 'yes' ? true : v === 'no' ? false : null;
}

function textSelect(name, options, value) {
  return h('select', { name, 'data-field': name },
    options.map(([v, label]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, label)));
}

async function saveTicket(ctx, change) {
  await api.put(`/api/v2/tickets/${ctx.ticket.id}`, { ticket: change });
  ctx.reload();
}

// ------------------------------------------------------------------ the policy panel

export function policyPanel(ctx) {
  const t = ctx.ticket;
  const p = t.policy;
  const panel = h('section', { class: 'policy-panel', 'aria-label': 'Policy' });
  if (!p) {
    replace(panel, h('h2', {}, 'Policy'), h('p', { class: 'muted' }, 'No policy decision recorded for this ticket yet.'));
    return panel;
  }
  const decision = h('p', { class: 'decision' },
    h('span', { class: `badge decision-${p.decision}` }, api.DECISION_NAMES[p.decision] || p.decision),
    ' ', h('span', { class: 'clause' }, p.clause),
    p.override ? [' ', h('span', { class: 'badge good' }, 'Overridden: in scope')] : null);
  const facts = [];
  if (p.team) facts.push(h('li', {}, TEAM_NAMES[p.team] || p.team));
  facts.push(h('li', {}, p.package_active ? 'Extra support package active' : 'No active extra support package'));
  const flags = (p.flags || []).map((f) => h('span', { class: `badge ${f === 'high_risk' || f === 'service_refused' ? 'danger' : 'flag'}` }, FLAG_NAMES[f] || f));
  replace(panel,
    h('div', { class: 'panel-head' }, h('h2', {}, 'Policy'),
      h('button', { type: 'button', onclick: () => overrideDialog(ctx) }, 'Override…')),
    decision,
    h('p', { class: 'reason' }, p.reason),
    p.override ? overrideNote(ctx, p.override) : null,
    flags.length ? h('p', { class: 'flags' }, flags) : null,
    h('ul', { class: 'policy-facts' }, facts),
    h('div', { class: 'policy-grid' }, categoryForm(ctx), priorityBox(ctx)),
    triageForm(ctx),
    suggestedResponse(ctx));
  // Verifying the requester unlocks a billing response: draw it again then.
  ctx.refreshSuggested = () => {
    const old = panel.querySelector('.suggested-response');
    if (old) old.replaceWith(suggestedResponse(ctx));
  };
  return panel;
}

function overrideNote(ctx, o) {
  const by = h('span', {}, `user #${o.by}`);
  ctx.userById(o.by).then((u) => { if (u) by.textContent = u.name; });
  return h('div', { class: 'override-note' },
    h('p', {}, `Overridden to in scope (the policy said ${api.DECISION_NAMES[o.replaced] || o.replaced}) by `, by, ' on ', timeEl(o.at), ':'),
    h('blockquote', {}, o.justification),
    h('button', { type: 'button', class: 'link', onclick: () => withdrawDialog(ctx) }, 'Withdraw the override'));
}

function categoryForm(ctx) {
  const p = ctx.ticket.policy;
  const sel = h('select', { name: 'category', 'data-field': 'category' },
    h('option', { value: p.category, selected: true }, p.category));
  const suggested = !p.category_confirmed
    ? h('span', { class: 'badge warn suggested' }, 'suggested') : null;
  const confirm = !p.category_confirmed
    ? h('button', { type: 'button', class: 'primary' }, 'Confirm') : null;
  const save = h('button', { type: 'submit', hidden: true }, 'Change category');
  const form = h('form', { class: 'category-form', novalidate: true, 'aria-label': 'Request category' },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'field' },
      h('label', { for: 'policy-category' }, 'Category ', suggested),
      sel),
    h('div', { class: 'actions start' }, confirm, save));
  sel.id = 'policy-category';
  categories().then((list) => {
    replace(sel, list.map((c) => h('option', { value: c.id, selected: c.id === p.category }, c.label)));
  }, () => { /* the list is not served: the current category stays the only choice */ });
  sel.addEventListener('change', () => { save.hidden = sel.value === p.category; });
  const submit = (value) => busy(form, async () => {
    clearFormErrors(form);
    try {
      await saveTicket(ctx, { category: value });
    } catch (err) {
      showFormError(form, err);
    }
  });
  if (confirm) confirm.addEventListener('click', () => submit(p.category));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit(sel.value);
  });
  return form;
}

function priorityBox(ctx) {
  const t = ctx.ticket;
  const d = t.policy.priority;
  return h('div', { class: 'priority-box' },
    h('p', { class: 'label' }, 'Priority'),
    h('p', {}, h('span', { class: `badge priority-${t.priority}` }, api.PRIORITY_NAMES[t.priority] || t.priority),
      t.priority_set_by_hand ? h('span', { class: 'badge note by-hand' }, 'set by hand') : null),
    h('p', { class: 'muted small' }, `Policy: ${api.PRIORITY_NAMES[d.derived] || d.derived} (${BASIS_NAMES[d.basis] || d.basis}). ${d.reason}`));
}

function triageForm(ctx) {
  const t = ctx.ticket;
  const selects = TRIAGE_QUESTIONS.map(([key, label]) => {
    const s = textSelect(key, [['', 'Unknown'], ['yes', 'Yes'], ['no', 'No']], yesNo(t.triage ? t.triage[key] : null));
    return [key, field(label, s), s];
  });
  const form = h('form', { class: 'triage-form', novalidate: true, 'aria-label': 'Triage facts' },
    h('fieldset', {},
      h('legend', {}, 'Triage facts'),
      h('p', { class: 'form-error', role: 'alert', hidden: true }),
      h('div', { class: 'triage-grid' }, selects.map(([, el]) => el)),
      h('div', { class: 'actions start' }, h('button', { type: 'submit' }, 'Save triage'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    const triage = {};
    for (const [key, , s] of selects) triage[key] = fromYesNo(s.value);
    await busy(form, async () => {
      try {
        await saveTicket(ctx, { triage });
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  return form;
}

function suggestedResponse(ctx) {
  const t = ctx.ticket;
  const key = t.policy.macro;
  const box = h('div', { class: 'suggested-response', 'aria-label': 'Suggested response', role: 'region' },
    h('h3', {}, 'Suggested response'));
  if (!key) {
    box.append(h('p', { class: 'muted' }, t.policy.override ? 'None: the override serves the request as in scope.' : 'None for this category.'));
    return box;
  }
  const body = h('div', { class: 'loading' }, 'Loading the response…');
  box.append(body);
  (async () => {
    let macro;
    try {
      macro = (await macros()).find((m) => m.key === key && m.active !== false);
    } catch (err) {
      replace(body, h('p', { class: 'error' }, err.message));
      body.className = '';
      return;
    }
    body.className = '';
    if (!macro) {
      replace(body, h('p', { class: 'muted' }, `No active macro with the key ${key} in the library.`));
      return;
    }
    let rendered;
    try {
      rendered = (await api.get(`/api/v2/tickets/${t.id}/macros/${macro.id}/apply`)).result.comment.body;
    } catch (err) {
      replace(body, h('p', { class: 'macro-title' }, macro.title),
        err.code === 'identity_unverified'
          ? h('p', { class: 'locked' }, h('strong', {}, 'Locked: '), 'verify the requester\'s identity first (clause 1.5); this response speaks of the account\'s billing.')
          : h('p', { class: 'error' }, err.message));
      return;
    }
    const use = h('button', { type: 'button', class: 'primary' }, 'Use as reply');
    use.addEventListener('click', () => {
      const box2 = ctx.replyBox();
      if (!box2) return;
      box2.value = rendered;
      box2.dispatchEvent(new Event('input'));
      box2.focus();
      box2.scrollIntoView({ block: 'center' });
    });
    replace(body,
      h('p', { class: 'macro-title' }, macro.title),
      h('div', { class: 'macro-preview' }, rendered),
      h('div', { class: 'actions start' }, use,
        h('span', { class: 'muted small' }, 'Fills the reply box: send it as is, edit it first, or not at all.')));
  })();
  return box;
}

function justificationField() {
  const text = h('textarea', { name: 'policy_justification', rows: 4, 'data-field': 'policy_justification' });
  const count = h('span', { class: 'char-count', 'aria-live': 'polite' }, '0 of at least 20 characters');
  text.addEventListener('input', () => {
    const n = text.value.trim().length;
    count.textContent = `${n} of at least 20 characters`;
    count.classList.toggle('ok', n >= 20);
  });
  const el = field('Justification', text,
    'Required, at least 20 characters: why this exception benefits the client (clause 11). It is recorded as a policy exception, with your name.');
  el.append(count);
  return { el, input: text };
}

function overrideDialog(ctx) {
  const t = ctx.ticket;
  const p = t.policy;
  const canScope = p.decision !== 'in_scope' && !p.override;
  const scope = h('input', { type: 'checkbox', name: 'scope_override', id: 'ov-scope' });
  const priority = textSelect('priority', [['urgent', 'Critical'], ['high', 'High Priority Non-critical'],
    ['normal', 'Normal'], ['low', 'Low']], t.priority);
  const just = justificationField();
  openDialog('Override the policy', 'Any agent may decide in the client\'s favour: serve the request as in scope, or change its priority.',
    [
      canScope ? h('div', { class: 'field check' }, scope,
        h('label', { for: 'ov-scope' }, `Treat as in scope (the policy says ${api.DECISION_NAMES[p.decision] || p.decision})`)) : null,
      field('Priority', priority, `The policy derives ${api.PRIORITY_NAMES[p.priority.derived]}.`),
      just.el,
    ],
    'Record override',
    async () => {
      const change = { policy_justification: just.input.value };
      if (canScope && scope.checked) change.scope_override = 'in_scope';
      if (priority.value !== t.priority) change.priority = priority.value;
      if (!change.scope_override && !change.priority) {
        throw new api.ApiError(0, 'nothing', 'choose in scope or a different priority first', null);
      }
      await saveTicket(ctx, change);
    });
}

function withdrawDialog(ctx) {
  openDialog('Withdraw the override', 'The ticket goes back to the policy\'s own decision.', [],
    'Withdraw', async () => saveTicket(ctx, { scope_override: null }));
}

// ------------------------------------------------------------------ identity and billing

export function identityCard(ctx) {
  const t = ctx.ticket;
  const card = h('section', { class: 'card side identity', 'aria-label': 'Identity' }, h('h2', {}, 'Identity'));
  const billing = h('section', { class: 'card side billing', 'aria-label': 'Billing' }, h('h2', {}, 'Billing'));
  const status = h('div', { class: 'identity-status', 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading…'));
  const sent = h('div', { class: 'identity-sent', 'aria-live': 'polite' });
  const sendBtn = h('button', { type: 'button' }, 'Send code');
  const code = h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, 'data-field': 'code', id: `id-code-${t.id}` });
  const codeForm = h('form', { class: 'code-form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Enter code', code, 'The 6 digits the requester reads out or types in.'),
    h('div', { class: 'actions start' }, h('button', { type: 'submit', class: 'primary' }, 'Verify')));
  card.append(
    h('p', { class: 'muted small' }, 'Billing details only go to a verified owner or billing contact (clause 1.5).'),
    status, sent,
    h('div', { class: 'actions start send' }, sendBtn),
    codeForm);

  const showBilling = async (verified) => {
    if (!verified) {
      // Unverified, the API refuses (and records nothing): show its words.
      try {
        const b = (await api.get(`/api/v2/tickets/${t.id}/billing`)).billing;
        renderBilling(b);
      } catch (err) {
        replace(billing, h('h2', {}, 'Billing'),
          h('p', { class: 'locked', role: 'status' }, h('strong', {}, 'Locked: '), err.message));
      }
      return;
    }
    const open = h('button', { type: 'button', class: 'primary' }, 'Show billing facts');
    replace(billing, h('h2', {}, 'Billing'),
      h('p', { class: 'muted small' }, 'The requester is verified. Opening the facts is recorded as a disclosure.'),
      h('div', { class: 'actions start' }, open));
    open.addEventListener('click', async () => {
      open.disabled = true;
      try {
        renderBilling((await api.get(`/api/v2/tickets/${t.id}/billing`)).billing);
      } catch (err) {
        open.disabled = false;
        open.after(h('p', { class: 'error', role: 'alert' }, err.message));
      }
    });
  };

  const renderBilling = (b) => {
    const extra = Object.entries(b.facts || {}).map(([k, v]) => [k.replace(/_/g, ' '),
      typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]);
    replace(billing, h('h2', {}, 'Billing'),
      h('dl', { class: 'facts billing-facts' },
        [['Account', b.organization_name], ['Plan', b.plan],
          ['Plan rate', `$${(b.plan_rate_cents / 100).toFixed(2)}`],
          ['Extra support until', b.support_package_until || 'none'],
          ['Delinquent', b.delinquent ? 'yes' : 'no'], ...extra]
          .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  };

  const load = async () => {
    let id;
    try {
      id = (await api.get(`/api/v2/tickets/${t.id}/identity`)).identity;
    } catch (err) {
      replace(status, h('p', { class: 'error' }, err.message));
      return;
    }
    if (id.verified) {
      replace(status, h('p', { class: 'verified' }, 'Verified until ', timeEl(id.verified_until),
        id.method === 'session' ? ' (signed-in owner or billing contact)' : ' (code)'));
      codeForm.hidden = true;
      sendBtn.textContent = 'Send a new code';
    } else {
      const c = id.challenge;
      replace(status, h('p', { class: 'unverified' }, 'Not verified.'),
        c ? h('p', { class: c.locked ? 'error' : 'muted small' }, c.locked
          ? 'The last code is locked after 5 wrong tries: send a new one.'
          : ['A code is out: it expires ', timeEl(c.expires_at), `; ${c.attempts_left} ${c.attempts_left === 1 ? 'try' : 'tries'} left.`]) : null);
      codeForm.hidden = !c || c.locked;
    }
    showBilling(id.verified);
  };

  sendBtn.addEventListener('click', async () => {
    sendBtn.disabled = true;
    try {
      const c = (await api.post(`/api/v2/tickets/${t.id}/identity/challenge`)).identity_challenge;
      replace(sent, h('p', { class: 'sent' }, `Code sent to ${c.sent_to.join(', ')}. It expires `, timeEl(c.expires_at),
        `; ${c.attempts_left} tries.`));
      codeForm.hidden = false;
      code.value = '';
      code.focus();
    } catch (err) {
      replace(sent, h('p', { class: 'error', role: 'alert' }, err.message));
    } finally {
      sendBtn.disabled = false;
    }
  });

  codeForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(codeForm);
    await busy(codeForm, async () => {
      try {
        await api.post(`/api/v2/tickets/${t.id}/identity/verify`, { code: code.value.trim() });
        replace(sent);
        await load();
        if (ctx.refreshSuggested) ctx.refreshSuggested();
      } catch (err) {
        let msg = err.message;
        if (err.code === 'identity_locked') msg = `Locked: ${err.message}. Send a new code.`;
        else if (err.code === 'identity_expired') msg = `Expired: ${err.message}. Send a new code.`;
        else if (err.field === 'code' && err.details && typeof err.details.attempts_left === 'number'
          && !/\bleft\b/.test(err.message)) {
          msg = `${err.message} (${err.details.attempts_left} ${err.details.attempts_left === 1 ? 'try' : 'tries'} left)`;
        }
        showFormError(codeForm, { field: err.field === 'code' ? 'code' : null, message: msg });
        if (err.code === 'identity_locked' || err.code === 'identity_expired') load();
      }
    });
  });

  if (t.organization_id === null || t.organization_id === undefined) {
    replace(card, h('h2', {}, 'Identity'), h('p', { class: 'muted' }, 'The requester belongs to no client account: there is no billing to disclose.'));
    return [card];
  }
  load();
  return [card, billing];
}

// ------------------------------------------------------------------ feature requests

const FEATURE_STATUS = { under_review: 'Under review', planned: 'Planned', shipped: 'Shipped', declined: 'Declined' };
export { FEATURE_STATUS };

export function featureCard(ctx) {
  const t = ctx.ticket;
  const wanted = t.policy && (t.policy.category === 'feature_request' || (t.policy.flags || []).includes('escalates_to_product'));
  const card = h('section', { class: 'card side feature', 'aria-label': 'Feature request' }, h('h2', {}, 'Feature request'));
  (async () => {
    let linked;
    try {
      linked = (await api.get(`/api/v2/tickets/${t.id}/feature_item`)).feature_item;
    } catch (err) {
      card.append(h('p', { class: 'error' }, err.message));
      return;
    }
    if (!linked && !wanted) {
      card.remove();
      return;
    }
    if (linked) {
      const unlink = h('button', { type: 'button', class: 'link' }, 'Unlink');
      unlink.addEventListener('click', async () => {
        unlink.disabled = true;
        try {
          await api.del(`/api/v2/tickets/${t.id}/feature_item`);
          ctx.reload();
        } catch (err) {
          unlink.after(h('p', { class: 'error', role: 'alert' }, err.message));
          unlink.disabled = false;
        }
      });
      card.append(h('p', {}, 'Linked to ', h('a', { href: '#/features' }, linked.title)),
        h('p', { class: 'muted small' }, `${FEATURE_STATUS[linked.status] || linked.status} · ${linked.ticket_count} tickets · ${linked.account_count} accounts`),
        unlink);
      return;
    }
    let items = [];
    try {
      items = await api.all('/api/v2/feature_items', 'feature_items');
    } catch (err) { /* only "new" then */ }
    const pick = h('select', { name: 'feature_item_id', 'data-field': 'feature_item_id' },
      h('option', { value: '' }, 'A new item…'),
      items.map((i) => h('option', { value: i.id }, `${i.title} (${i.ticket_count})`)));
    const title = h('input', { type: 'text', name: 'title', 'data-field': 'title' });
    const titleField = field('New item title', title);
    pick.addEventListener('change', () => { titleField.hidden = pick.value !== ''; });
    const form = h('form', { novalidate: true },
      h('p', { class: 'muted small' }, 'Feature requests escalate to the product team (clause 2): link this ticket to a feature item.'),
      h('p', { class: 'form-error', role: 'alert', hidden: true }),
      field('Feature item', pick), titleField,
      h('div', { class: 'actions start' }, h('button', { type: 'submit', class: 'primary' }, 'Link')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form);
      const body = pick.value ? { feature_item_id: Number(pick.value) }
        : { feature_item: { title: title.value.trim() } };
      await busy(form, async () => {
        try {
          await api.post(`/api/v2/tickets/${t.id}/feature_item`, body);
          ctx.reload();
        } catch (err) {
          showFormError(form, err);
        }
      });
    });
    card.append(form);
  })();
  return card;
}

// ------------------------------------------------------------------ moderation

/** The "Flag as abusive" button of a comment (any staff member). */
export function flagButton(ctx, comment) {
  const b = h('button', { type: 'button', class: 'link flag' }, 'Flag as abusive');
  b.addEventListener('click', () => {
    const reason = reasonField('Reason', 'What makes this message abusive (clause 5).');
    openDialog('Flag this message as abusive', null, [reason.el], 'Flag', async () => {
      await api.post(`/api/v2/tickets/${ctx.ticket.id}/comments/${comment.id}/flag`, { reason: reason.input.value.trim() });
      b.replaceWith(h('span', { class: 'badge danger' }, 'Flagged abusive'));
    }, { danger: true });
  });
  return b;
}

/**
 * The moderation card: bans (leads and admins), refusal of service (the lead on duty or an
 * admin), high risk (leads and admins), misuse incidents (any staff).
 */
export function moderationCard(ctx) {
  const t = ctx.ticket;
  const me = ctx.me;
  const lead = me.role === 'lead' || me.role === 'admin';
  const card = h('section', { class: 'card side moderation', 'aria-label': 'Moderation' }, h('h2', {}, 'Moderation'));
  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  card.append(body);
  (async () => {
    const [org, bans, duty, incidents] = await Promise.all([
      ctx.orgById(t.organization_id),
      lead ? api.all('/api/v2/bans?active=true', 'bans').catch(() => []) : Promise.resolve([]),
      api.get('/api/v2/roster/now').then((r) => r.on_duty, () => null),
      t.organization_id ? api.all(`/api/v2/misuse_incidents?organization_id=${t.organization_id}`, 'misuse_incidents').catch(() => []) : Promise.resolve([]),
    ]);
    const onDuty = me.role === 'admin' || (me.role === 'lead' && duty && duty.user_id === me.id);
    const parts = [];
    if (duty) {
      parts.push(h('p', { class: 'muted small' }, 'Lead on duty: ', duty.name || 'nobody', duty.user_id === me.id ? ' (you)' : ''));
    }
    if (lead) {
      const userBan = bans.find((b) => b.user_id === t.requester_id && !b.lifted_at);
      const orgBan = t.organization_id ? bans.find((b) => b.organization_id === t.organization_id && b.user_id === null && !b.lifted_at) : null;
      parts.push(h('h3', {}, 'Support ban'));
      parts.push(banRow(ctx, 'requester', `/api/v2/users/${t.requester_id}`, userBan));
      if (t.organization_id) parts.push(banRow(ctx, 'account', `/api/v2/organizations/${t.organization_id}`, orgBan));
    }
    if (org) {
      parts.push(h('h3', {}, 'Misuse'));
      const pieces = incidents.reduce((n, i) => n + i.evidence_count, 0);
      parts.push(h('p', { class: 'small' }, incidents.length
        ? `${incidents.length} incident${incidents.length === 1 ? '' : 's'} on file (${pieces} piece${pieces === 1 ? '' : 's'} of evidence).`
        : 'No misuse incident on file.'));
      const tools = [h('button', { type: 'button', onclick: () => incidentDialog(ctx, org) }, 'Open incident…')];
      if (incidents.length) tools.push(h('button', { type: 'button', onclick: () => evidenceDialog(ctx, incidents) }, 'Add evidence…'));
      if (lead) {
        tools.push(h('button', { type: 'button', onclick: () => highRiskDialog(ctx, org) }, org.high_risk ? 'Clear high risk…' : 'Mark high risk…'));
      }
      parts.push(h('div', { class: 'actions start' }, tools));
      if (onDuty) {
        parts.push(h('h3', {}, 'Refusal of service'));
        if (org.service_refused) {
          parts.push(h('p', {}, h('span', { class: 'badge danger' }, 'Service refused')),
            h('button', { type: 'button', onclick: () => restoreDialog(ctx, org) }, 'Restore service…'));
        } else {
          parts.push(h('button', { type: 'button', class: 'danger', onclick: () => refuseDialog(ctx, org, incidents) }, 'Refuse service…'));
        }
      }
    }
    if (!parts.length) parts.push(h('p', { class: 'muted' }, 'Nothing to moderate here.'));
    replace(body, parts);
  })();
  return card;
}

function banRow(ctx, what, base, ban) {
  if (ban) {
    return h('div', { class: 'ban-row' },
      h('p', { class: 'small' }, h('span', { class: 'badge danger' }, `The ${what} is banned`), ' since ', timeEl(ban.created_at), `: ${ban.reason}`),
      h('button', { type: 'button', onclick: () => banDialog(ctx, what, base, true) }, `Unban the ${what}…`));
  }
  return h('div', { class: 'ban-row' },
    h('button', { type: 'button', class: 'danger', onclick: () => banDialog(ctx, what, base, false) }, `Ban the ${what}…`));
}

function banDialog(ctx, what, base, lift) {
  const reason = reasonField('Reason', lift ? 'Why support resumes.' : 'What the abuse was (clause 5). The banned people are told support is withdrawn.');
  openDialog(lift ? `Unban the ${what}` : `Ban the ${what} from support`,
    what === 'account' && !lift ? 'Every person of the account is banned; their sessions end at once. The owner\'s approval is not needed (clause 6).' : null,
    [reason.el], lift ? 'Unban' : 'Ban', async () => {
      await api.post(`${base}/${lift ? 'unban' : 'ban'}`, { reason: reason.input.value.trim() });
      ctx.reload();
    }, { danger: !lift });
}

function incidentDialog(ctx, org) {
  const summary = reasonField('Summary', 'What happened, in a sentence or two.', 'summary');
  const note = reasonField('First evidence (a note; optional)', 'What you saw, with dates.', 'body');
  openDialog(`Open a misuse incident for ${org.name}`, null, [summary.el, note.el], 'Open incident', async () => {
    const inc = (await api.post('/api/v2/misuse_incidents', {
      misuse_incident: { organization_id: org.id, ticket_id: ctx.ticket.id, summary: summary.input.value.trim() },
    })).misuse_incident;
    if (note.input.value.trim()) {
      await api.post(`/api/v2/misuse_incidents/${inc.id}/evidence`, { evidence: { kind: 'note', body: note.input.value.trim() } });
    }
    ctx.reload();
  });
}

function evidenceDialog(ctx, incidents) {
  const inc = h('select', { name: 'incident', 'data-field': 'incident' },
    incidents.map((i) => h('option', { value: i.id }, `#${i.id} ${i.summary}`)));
  const kind = textSelect('kind', [['note', 'Note'], ['link', 'Link']], 'note');
  const bodyText = h('textarea', { name: 'body', rows: 3, 'data-field': 'body' });
  const url = h('input', { type: 'url', name: 'url', 'data-field': 'url', placeholder: 'https://' });
  const urlField = field('Link (http or https)', url);
  urlField.hidden = true;
  kind.addEventListener('change', () => { urlField.hidden = kind.value !== 'link'; });
  openDialog('Add evidence', null, [field('Incident', inc), field('Kind', kind), field('Note', bodyText), urlField], 'Add evidence', async () => {
    const ev = { kind: kind.value };
    if (bodyText.value.trim()) ev.body = bodyText.value.trim();
    if (kind.value === 'link') ev.url = url.value.trim();
    await api.post(`/api/v2/misuse_incidents/${inc.value}/evidence`, { evidence: ev });
    ctx.reload();
  });
}

function highRiskDialog(ctx, org) {
  const reason = reasonField('Reason', org.high_risk ? 'Why the account is no longer high risk.' : 'The evidence that makes it high risk (clause 12).');
  openDialog(org.high_risk ? `Clear high risk for ${org.name}` : `Mark ${org.name} high risk`,
    org.high_risk ? null : 'Its tickets carry a warning in every view and go to the lead on duty.',
    [reason.el], org.high_risk ? 'Clear' : 'Mark high risk', async () => {
      await api.put(`/api/v2/organizations/${org.id}/high_risk`, { high_risk: !org.high_risk, reason: reason.input.value.trim() });
      ctx.forgetOrg(org.id);
      ctx.reload();
    }, { danger: !org.high_risk });
}

function refuseDialog(ctx, org, incidents) {
  const inc = h('select', { name: 'incident_id', 'data-field': 'incident_id' },
    incidents.length ? incidents.map((i) => h('option', { value: i.id }, `#${i.id} ${i.summary} (${i.evidence_count} evidence)`))
      : h('option', { value: '' }, 'No incident on file'));
  const reason = reasonField('Reason', 'Told to the account with the refusal notice.');
  openDialog(`Refuse service to ${org.name}`,
    'Every open ticket of the account is closed with the refusal notice, and new requests are refused. Needs an incident with evidence (clause 12).',
    [field('Misuse incident', inc), reason.el], 'Refuse service', async () => {
      await api.post(`/api/v2/organizations/${org.id}/service_refusal`,
        { reason: reason.input.value.trim(), incident_id: inc.value ? Number(inc.value) : null });
      ctx.forgetOrg(org.id);
      ctx.reload();
    }, { danger: true });
}

function restoreDialog(ctx, org) {
  const reason = reasonField('Reason', 'Why service resumes.');
  openDialog(`Restore service to ${org.name}`, null, [reason.el], 'Restore service', async () => {
    await api.post(`/api/v2/organizations/${org.id}/service_refusal/reverse`, { reason: reason.input.value.trim() });
    ctx.forgetOrg(org.id);
    ctx.reload();
  });
}

