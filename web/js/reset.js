// Password reset: ask for a link by email, or (opened from the link, #token=...) choose a new
// password. The token leaves the address bar as soon as it is read.
import * as api from './api.js';
import { h, replace, showFormError, clearFormErrors, busy, field } from './dom.js';

const main = document.getElementById('main');

function done(title, text) {
  replace(main, h('section', { class: 'card narrow', role: 'status' },
    h('h1', {}, title),
    h('p', {}, text),
    h('p', {}, h('a', { href: '/portal.html' }, 'Support portal'), ' · ',
      h('a', { href: '/agent.html' }, 'Agent console'))));
  main.focus({ preventScroll: true });
}

function askForLink() {
  document.title = 'Reset your password';
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, 'data-field': 'email' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, 'Reset your password'),
    h('p', { class: 'muted' }, 'We will email you a link to choose a new password. It works for an hour.'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Email', email),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Send the link')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    await busy(form, async () => {
      try {
        await api.post('/api/v2/auth/password_reset', { email: email.value.trim() });
        done('Check your email', 'If an account uses that address, a link to reset its password is on its way.');
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  replace(main, form);
  email.focus();
}

function choosePassword(token) {
  document.title = 'Choose a new password';
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, 'data-field': 'password' });
  const again = h('input', { type: 'password', name: 'again', autocomplete: 'new-password', required: true, 'data-field': 'again' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, 'Choose a new password'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('New password', password, 'At least 12 characters; a few unrelated words work well.'),
    field('New password again', again),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Set password')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    if (password.value !== again.value) {
      showFormError(form, { field: 'again', message: 'the two passwords differ' });
      return;
    }
    await busy(form, async () => {
      try {
        await api.post('/api/v2/auth/password_reset/confirm', { token, password: password.value });
        done('Password set', 'Your new password works now. Sign in with it.');
      } catch (err) {
        if (err.field === 'token') {
          err.message = 'this link is used, expired or mistyped; ask for a new one below';
          showFormError(form, err);
          form.append(h('p', {}, h('a', { href: '/reset-password.html' }, 'Ask for a new link')));
        } else {
          showFormError(form, err);
        }
      }
    });
  });
  replace(main, form);
  password.focus();
}

function route() {
  const m = location.hash.match(/(?:^#|&)token=([A-Za-z0-9_-]+)/);
  if (m) {
    history.replaceState(null, '', location.pathname);
    choosePassword(m[1]);
  } else {
    askForLink();
  }
}

// A link opened while this page is already showing changes only the hash.
window.addEventListener('hashchange', route);
route();
