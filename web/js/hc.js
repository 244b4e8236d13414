// The help center's enhancement (issue 7). The pages are complete without it (server-rendered by
// src/http/hc_pages.c); this adds what needs a script:
//  - "Was this article helpful?": Yes / No vote through the votes API (a signed-in person, or this
//    browser by its HttpOnly fd_hc_voter cookie), showing the new "X out of Y found this helpful";
//  - comments: signed-in people get a form on articles whose comments are open;
//  - search as you type: up to 5 articles under the header's search box.
import * as api from './api.js';
import { h, replace } from './dom.js';

const article = document.querySelector('[data-article-id]');
const articleId = article ? article.getAttribute('data-article-id') : null;
let me = null;

function helpful(voteSum, voteCount) {
  const up = Math.round((voteCount + voteSum) / 2);
  return `${up} out of ${voteCount} found this helpful`;
}

// ---- votes --------------------------------------------------------------------------------------

function pressed(buttons, value) {
  for (const b of buttons) {
    const mine = (b.dataset.vote === 'up' && value === 1) || (b.dataset.vote === 'down' && value === -1);
    b.setAttribute('aria-pressed', mine ? 'true' : 'false');
  }
}

async function initVotes() {
  const box = document.querySelector('[data-hc="vote"]');
  if (!box || !articleId) return;
  const count = box.querySelector('[data-hc="votes"]');
  const buttons = [...box.querySelectorAll('button[data-vote]')];
  const base = `/api/v2/help_center/articles/${articleId}`;
  try {
    const mine = await api.get(`${base}/votes/mine`);
    pressed(buttons, mine && mine.vote ? mine.vote.value : 0);
  } catch (e) {
    // No vote to show: the buttons still work.
  }
  for (const b of buttons) {
    b.disabled = false;
    b.addEventListener('click', async () => {
      for (const x of buttons) x.disabled = true;
      try {
        const res = await api.post(`${base}/${b.dataset.vote}`);
        pressed(buttons, res && res.vote ? res.vote.value : 0);
        const a = await api.get(base);
        count.textContent = helpful(a.article.vote_sum, a.article.vote_count);
      } catch (e) {
        count.textContent = `Your vote was not counted: ${e.message}`;
      } finally {
        for (const x of buttons) x.disabled = false;
      }
    });
  }
}

// ---- comments -----------------------------------------------------------------------------------

function commentItem(c) {
  const body = h('div', { class: 'hc-body' });
  // The server rendered it from Markdown with raw HTML and unsafe links off (core/markdown.h).
  body.innerHTML = c.body;
  const when = new Date(c.created_at);
  return h('li', { id: `comment-${c.id}` },
    h('article', { class: 'hc-comment' },
      h('header', {}, me ? me.name : 'You', ' · ',
        h('time', { datetime: c.created_at }, when.toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' }))),
      body));
}

function initComments() {
  const slot = document.querySelector('[data-hc="comment-form"]');
  if (!slot || !articleId || !me) return;
  const text = h('textarea', { id: 'hc-comment-body', name: 'body', required: true, maxlength: 65536 });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Post comment');
  const form = h('form', { class: 'hc-comment-form', 'data-hc': 'comment-new' },
    h('label', { for: 'hc-comment-body' }, 'Add a comment (Markdown)'), text, error, h('p', {}, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!text.value.trim()) return;
    submit.disabled = true;
    error.hidden = true;
    try {
      const res = await api.post(`/api/v2/help_center/articles/${articleId}/comments`, { comment: { body: text.value } });
      const list = document.querySelector('[data-hc="comments"]');
      list.append(commentItem(res.comment));
      const none = document.querySelector('[data-hc="no-comments"]');
      if (none) none.remove();
      text.value = '';
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  replace(slot, form);
}

// ---- search as you type -------------------------------------------------------------------------

function initSearch() {
  const input = document.getElementById('hc-query');
  if (!input) return;
  const list = h('ul', { class: 'hc-suggest', id: 'hc-suggest', hidden: true, 'aria-label': 'Suggested articles' });
  input.setAttribute('aria-controls', 'hc-suggest');
  input.form.append(list);
  let timer = null;
  let asked = '';
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      asked = q;
      if (q.length < 2) {
        list.hidden = true;
        return;
      }
      try {
        const res = await api.get(`/api/v2/help_center/articles/search?query=${encodeURIComponent(q)}&per_page=5`);
        if (asked !== q) return;
        replace(list, ...res.results.map((a) => h('li', {}, h('a', { href: `/hc/articles/${a.id}` }, a.title))));
        list.hidden = res.results.length === 0;
      } catch (e) {
        list.hidden = true;
      }
    }, 250);
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') list.hidden = true;
  });
}

async function main() {
  initSearch();
  try {
    me = await api.me();
  } catch (e) {
    me = null;
  }
  await initVotes();
  initComments();
}

main();
