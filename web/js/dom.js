// DOM helpers. Every string reaches the page through text nodes: nothing here parses HTML, so a
// subject or a comment body can never become markup.

/**
 * h('a', {href: '#x', class: 'link'}, 'text', child...) -> element.
 * Attributes are set with setAttribute, `on*` keys add listeners, children that are strings
 * become text nodes; null and false children are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replace every child of el with the given children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** "2026-11-26T09:43:42Z" -> a short local date and time. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A <time> element for an ISO instant. */
export function timeEl(iso) {
  return h('time', { datetime: iso }, when(iso));
}

/**
 * Show an API error on a form: the message under the input named by the error's field
 * (its last path segment, e.g. "ticket.subject" -> [data-field="subject"]), else in the form's
 * general error box. Clears earlier messages first.
 */
export function showFormError(form, err) {
  clearFormErrors(form);
  const name = err && err.field ? String(err.field).split('.').pop() : null;
  const input = name ? form.querySelector(`[data-field="${CSS.escape(name)}"]`) : null;
  const msg = (err && err.message) || 'something went wrong';
  if (input) {
    const id = (input.id || name) + '-error';
    const p = h('p', { class: 'field-error', id, role: 'alert' }, msg);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    input.insertAdjacentElement('afterend', p);
    // The message goes once the person starts fixing the field.
    input.addEventListener('input', () => {
      p.remove();
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }, { once: true });
    input.focus();
  } else {
    const box = form.querySelector('.form-error');
    if (box) {
      box.textContent = msg;
      box.hidden = false;
    }
  }
}

export function clearFormErrors(form) {
  form.querySelectorAll('.field-error').forEach((p) => p.remove());
  form.querySelectorAll('[aria-invalid]').forEach((i) => {
    i.removeAttribute('aria-invalid');
    i.removeAttribute('aria-describedby');
  });
  const box = form.querySelector('.form-error');
  if (box) {
    box.textContent = '';
    box.hidden = true;
  }
}

/** Disable a form's controls while `work` runs; always re-enables them. */
export async function busy(form, work) {
  const controls = [...form.querySelectorAll('button, input, textarea, select')];
  const was = controls.map((c) => c.disabled);
  controls.forEach((c) => { c.disabled = true; });
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    controls.forEach((c, i) => { c.disabled = was[i]; });
    form.removeAttribute('aria-busy');
  }
}

/** A labelled field: label + control (+ optional hint), as one wrapper. */
export function field(label, control, hint) {
  const id = control.id || (control.id = 'f-' + Math.random().toString(36).slice(2, 9));
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint' }, hint) : null,
    control);
}

/** The sign-in form both apps use. onSubmit(email, password) may throw an ApiError. */
export function signInForm(title, intro, onSubmit) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, 'data-field': 'email' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, 'data-field': 'password' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, title),
    intro ? h('p', { class: 'muted' }, intro) : null,
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Email', email),
    field('Password', password),
    h('div', { class: 'actions' },
      h('a', { href: '/reset-password.html', class: 'forgot' }, 'Forgot your password?'),
      h('button', { type: 'submit', class: 'primary' }, 'Sign in')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    await busy(form, async () => {
      try {
        await onSubmit(email.value.trim(), password.value);
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  setTimeout(() => email.focus(), 0);
  return form;
}

/**
 * A modal dialog holding a form: title, intro (or null), the fields (elements), a submit label.
 * onSubmit() runs with the form's controls disabled; when it throws an ApiError the message shows
 * on the form (under the field it names) and the dialog stays open; otherwise it closes. Escape
 * and "Cancel" close it; focus returns to what had it before.
 */
export function openDialog(title, intro, fields, submitLabel, onSubmit, { danger = false } = {}) {
  const opener = document.activeElement;
  const heading = h('h2', { id: 'dlg-' + Math.random().toString(36).slice(2, 9) }, title);
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const form = h('form', { novalidate: true },
    heading,
    intro ? h('p', { class: 'muted' }, intro) : null,
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    fields,
    h('div', { class: 'actions' }, cancel,
      h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, submitLabel)));
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': heading.id }, form);
  cancel.addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (opener && opener.isConnected && opener.focus) opener.focus();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    await busy(form, async () => {
      try {
        await onSubmit(form);
        dlg.close();
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  document.body.append(dlg);
  dlg.showModal();
  const first = form.querySelector('input, textarea, select');
  if (first) first.focus();
  return dlg;
}

/** A reason textarea for a dialog (data-field "reason" so the API's 422 lands under it). */
export function reasonField(label, hint, name = 'reason') {
  const text = h('textarea', { name, rows: 3, 'data-field': name });
  return { el: field(label, text, hint), input: text };
}
