// The console's "Help center" pages (issue 7): the articles by category and section, and the
// article editor (title, section, labels, Markdown body with a preview, comments open or
// closed, revisions with view and restore). Agents write drafts; leads and admins also publish
// and unpublish (the server enforces it: service/hc.h). Categories and sections are created and
// renamed here too.
//   #/help-center                     the list
//   #/help-center/articles/ID         the editor
//   #/help-center/sections/ID/new     a new article in that section
//
// Each page takes `ctx`: { me, main, setTitle(text), markView(key), userById(id) }.
// The preview is the server's rendering (POST /api/v2/help_center/preview), shown in a sandboxed
// frame: the console never parses HTML itself (dom.js), and the frame runs no script.
import * as api from './api.js';
import { h, replace, timeEl, showFormError, clearFormErrors, busy, field, openDialog } from './dom.js';

const HC = '/api/v2/help_center';
const isLead = (ctx) => ctx.me.role === 'lead' || ctx.me.role === 'admin';

// Every item of a Zendesk offset-paged list, following next_page (at most maxPages pages).
async function allPages(path, key, maxPages = 20) {
  const items = [];
  let next = path + (path.includes('?') ? '&' : '?') + 'per_page=100';
  for (let i = 0; next && i < maxPages; i++) {
    const page = await api.get(next);
    items.push(...(page[key] || []));
    next = page.next_page ? sameOriginPath(page.next_page) : null;
  }
  return items;
}

function sameOriginPath(link) {
  const u = new URL(link, location.origin);
  return u.pathname + u.search;
}

function page(ctx, title, intro) {
  ctx.setTitle(title);
  ctx.markView('help-center');
  const body = h('div', { class: 'loading' }, 'Loading…');
  replace(ctx.main, h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h1', {}, title)),
    intro ? h('p', { class: 'meta' }, intro) : null,
    body));
  return body;
}

function failed(body, err) {
  body.className = '';
  replace(body, h('p', { class: 'error', role: 'alert' }, err.message));
}

const stateBadge = (a) => h('span', { class: `badge ${a.draft ? 'status-pending' : 'status-solved'}` },
  a.draft ? 'Draft' : 'Published');

// ------------------------------------------------------------------ the list

function renameButton(ctx, kind, obj) {
  const b = h('button', { type: 'button', class: 'link' }, 'Rename');
  b.addEventListener('click', () => {
    const name = h('input', { type: 'text', name: 'name', value: obj.name, 'data-field': 'name', required: true });
    const description = h('textarea', { name: 'description', rows: 2, 'data-field': 'description' }, obj.description);
    openDialog(`Rename ${kind}`, null, [field('Name', name), field('Description', description)], 'Save',
      async () => {
        const path = kind === 'category' ? `${HC}/categories/${obj.id}` : `${HC}/sections/${obj.id}`;
        await api.put(path, { [kind]: { name: name.value, description: description.value } });
        showHelpCenter(ctx);
      });
  });
  return b;
}

function articleRows(articles) {
  if (!articles.length) return h('p', { class: 'empty' }, 'No articles yet.');
  return h('table', { class: 'queue hc-articles' },
    h('thead', {}, h('tr', {}, ['Title', 'State', 'Labels', 'Updated'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, articles.map((a) => h('tr', {},
      h('td', { 'data-label': 'Title' }, h('a', { href: `#/help-center/articles/${a.id}` }, a.title)),
      h('td', { 'data-label': 'State' }, stateBadge(a)),
      h('td', { 'data-label': 'Labels' }, a.label_names.join(', ') || '—'),
      h('td', { 'data-label': 'Updated' }, timeEl(a.updated_at))))));
}

function newCategoryForm(ctx) {
  const name = h('input', { type: 'text', name: 'name', 'data-field': 'name' });
  const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'New category' },
    h('h2', {}, 'New category'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Name', name),
    h('div', { class: 'actions start' }, h('button', { type: 'submit', class: 'primary' }, 'Add category')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    await busy(form, async () => {
      try {
        await api.post(`${HC}/categories`, { category: { name: name.value } });
        showHelpCenter(ctx);
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  return form;
}

function newSectionForm(ctx, categories) {
  if (!categories.length) return null;
  const name = h('input', { type: 'text', name: 'name', 'data-field': 'name' });
  const category = h('select', { name: 'category_id', 'data-field': 'category_id' },
    categories.map((c) => h('option', { value: c.id }, c.name)));
  const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'New section' },
    h('h2', {}, 'New section'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    field('Category', category), field('Name', name),
    h('div', { class: 'actions start' }, h('button', { type: 'submit', class: 'primary' }, 'Add section')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    await busy(form, async () => {
      try {
        await api.post(`${HC}/categories/${category.value}/sections`, { section: { name: name.value } });
        showHelpCenter(ctx);
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  return form;
}

export async function showHelpCenter(ctx) {
  const body = page(ctx, 'Help center',
    'Articles by category and section. Agents write drafts; leads and admins publish them. The public help center is at /hc.');
  let categories, sections, articles;
  try {
    [categories, sections, articles] = await Promise.all([
      allPages(`${HC}/categories`, 'categories'),
      allPages(`${HC}/sections`, 'sections'),
      allPages(`${HC}/articles?draft=true`, 'articles'),
    ]);
  } catch (err) {
    failed(body, err);
    return;
  }
  body.className = '';
  const bySection = new Map();
  for (const a of articles) {
    if (!bySection.has(a.section_id)) bySection.set(a.section_id, []);
    bySection.get(a.section_id).push(a);
  }
  for (const list of bySection.values()) list.sort((x, y) => x.position - y.position || x.id - y.id);
  replace(body,
    categories.length ? null : h('p', { class: 'empty' }, 'No categories yet: add one below.'),
    categories.map((c) => h('section', { class: 'hc-category', 'aria-label': c.name },
      h('h2', {}, c.name, ' ', renameButton(ctx, 'category', c)),
      sections.filter((s) => s.category_id === c.id).map((s) => h('section', { class: 'hc-section', 'aria-label': s.name },
        h('h3', {}, s.name, ' ', renameButton(ctx, 'section', s), ' ',
          h('a', { href: `#/help-center/sections/${s.id}/new`, class: 'button' }, 'New article')),
        articleRows(bySection.get(s.id) || []))))),
    newCategoryForm(ctx),
    newSectionForm(ctx, categories));
}

// ------------------------------------------------------------------ the editor

// "a, b ,c" -> ["a", "b", "c"] (the server normalizes and sorts).
const splitLabels = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

function previewFrame() {
  // Sized by attributes: the console's CSP allows no inline style.
  return h('iframe', { class: 'hc-preview', sandbox: '', title: 'Preview', referrerpolicy: 'no-referrer', width: '100%', height: '420' });
}

function tabs(write, preview, markdown) {
  const writeTab = h('button', { type: 'button', role: 'tab', 'aria-selected': 'true', id: 'hc-tab-write', 'aria-controls': 'hc-panel-write' }, 'Write');
  const previewTab = h('button', { type: 'button', role: 'tab', 'aria-selected': 'false', id: 'hc-tab-preview', 'aria-controls': 'hc-panel-preview', tabindex: '-1' }, 'Preview');
  const writePanel = h('div', { role: 'tabpanel', id: 'hc-panel-write', 'aria-labelledby': 'hc-tab-write' }, write);
  const status = h('p', { class: 'meta', role: 'status' });
  const previewPanel = h('div', { role: 'tabpanel', id: 'hc-panel-preview', 'aria-labelledby': 'hc-tab-preview', hidden: true }, status, preview);
  const select = async (showPreview) => {
    writeTab.setAttribute('aria-selected', String(!showPreview));
    previewTab.setAttribute('aria-selected', String(showPreview));
    writeTab.tabIndex = showPreview ? -1 : 0;
    previewTab.tabIndex = showPreview ? 0 : -1;
    writePanel.hidden = showPreview;
    previewPanel.hidden = !showPreview;
    if (!showPreview) return;
    status.textContent = 'Rendering…';
    try {
      const r = await api.post(`${HC}/preview`, { markdown: markdown.value });
      preview.srcdoc = r.html;
      status.textContent = '';
    } catch (err) {
      status.textContent = err.message;
    }
  };
  writeTab.addEventListener('click', () => select(false));
  previewTab.addEventListener('click', () => select(true));
  const list = h('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Body' }, writeTab, previewTab);
  list.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowLeft' && ev.key !== 'ArrowRight') return;
    const toPreview = writeTab.getAttribute('aria-selected') === 'true';
    select(toPreview).then(() => (toPreview ? previewTab : writeTab).focus());
  });
  return h('div', { class: 'hc-body' }, list, writePanel, previewPanel);
}

function revisionsCard(ctx, article) {
  const body = h('div', { class: 'loading' }, 'Loading…');
  const card = h('section', { class: 'card', 'aria-label': 'Revisions' }, h('h2', {}, 'Revisions'), body);
  allPages(`${HC}/articles/${article.id}/revisions`, 'revisions').then(async (revs) => {
    body.className = '';
    const names = await Promise.all(revs.map((r) => ctx.userById(r.author_id).then((u) => (u ? u.name : 'the system'))));
    replace(body, h('ol', { class: 'hc-revisions', reversed: true }, revs.map((r, i) => {
      const view = h('button', { type: 'button', class: 'link' }, 'View');
      view.addEventListener('click', () => {
        openDialog(`Revision ${r.revision}: ${r.title}`, `Labels: ${r.label_names.join(', ') || 'none'}`,
          [h('pre', { class: 'hc-source' }, r.body_markdown)], 'Close', async () => {});
      });
      const restore = r.revision === article.revision ? null : h('button', { type: 'button', class: 'link' }, 'Restore');
      if (restore) {
        restore.addEventListener('click', async () => {
          restore.disabled = true;
          try {
            await api.post(`${HC}/articles/${article.id}/revisions/${r.revision}/restore`);
            showArticleEditor(ctx, article.id);
          } catch (err) {
            restore.disabled = false;
            restore.replaceWith(h('span', { class: 'error', role: 'alert' }, err.message));
          }
        });
      }
      return h('li', {},
        h('strong', {}, `Revision ${r.revision}`), r.revision === article.revision ? ' (current)' : '',
        ' · ', timeEl(r.created_at), ' · ', names[i], ' · ', r.title, ' ', view, restore ? ' ' : null, restore);
    })));
  }, (err) => failed(body, err));
  return card;
}

// The editor for article id (null: a new article in sectionId).
export async function showArticleEditor(ctx, id, sectionId) {
  const body = page(ctx, id ? 'Edit article' : 'New article');
  let article = null, sections;
  try {
    [article, sections] = await Promise.all([
      id ? api.get(`${HC}/articles/${id}`).then((r) => r.article) : Promise.resolve(null),
      allPages(`${HC}/sections`, 'sections'),
    ]);
  } catch (err) {
    failed(body, err);
    return;
  }
  body.className = '';
  const current = article ? article.section_id : Number(sectionId);
  const title = h('input', { type: 'text', name: 'title', 'data-field': 'title', value: article ? article.title : '' });
  const section = h('select', { name: 'section_id', 'data-field': 'section_id' },
    sections.map((s) => h('option', { value: s.id, selected: s.id === current }, s.name)));
  const labels = h('input', { type: 'text', name: 'label_names', 'data-field': 'label_names', value: article ? article.label_names.join(', ') : '' });
  const markdown = h('textarea', { name: 'body', rows: 18, 'data-field': 'body', class: 'hc-markdown' }, article ? article.body_markdown : '');
  const open = h('input', { type: 'checkbox', id: 'hc-comments-open', name: 'comments_open', role: 'switch', 'data-field': 'comments_disabled', checked: article ? !article.comments_disabled : true });
  const msg = h('p', { class: 'meta hc-saved', role: 'status' });
  const content = () => ({
    title: title.value,
    body: markdown.value,
    label_names: splitLabels(labels.value),
    section_id: Number(section.value),
    comments_disabled: !open.checked,
  });
  const form = h('form', { class: 'hc-editor', novalidate: true, 'aria-label': 'Article' },
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    article ? h('p', { class: 'meta' }, stateBadge(article), ` Revision ${article.revision} · `,
      h('a', { href: article.html_url, target: '_blank', rel: 'noopener' }, 'Public page')) : null,
    article && !article.draft && !isLead(ctx)
      ? h('p', { class: 'meta' }, 'This article is published: only a lead or an admin can change its content. You can still open or close its comments.')
      : null,
    field('Title', title), field('Section', section),
    field('Labels', labels, 'Separated by commas; at most 20.'),
    h('div', { class: 'field' }, h('span', { class: 'label' }, 'Body (Markdown)'), tabs(markdown, previewFrame(), markdown)),
    h('div', { class: 'field check' }, open, h('label', { for: open.id }, 'Comments open')),
    msg);
  const save = async (extra, note) => {
    clearFormErrors(form);
    msg.textContent = '';
    await busy(form, async () => {
      try {
        const fields = { ...content(), ...extra };
        let saved;
        if (article) {
          saved = (await api.put(`${HC}/articles/${article.id}`, { article: fields })).article;
        } else {
          const { section_id: sid, ...rest } = fields;
          saved = (await api.post(`${HC}/sections/${sid}/articles`, { article: rest })).article;
        }
        if (!article || saved.id !== article.id) {
          location.hash = `#/help-center/articles/${saved.id}`;
          return;
        }
        showArticleEditor(ctx, saved.id).then(() => {
          const m = ctx.main.querySelector('.hc-editor .hc-saved');
          if (m) m.textContent = note;
        });
      } catch (err) {
        showFormError(form, err);
      }
    });
  };
  const buttons = [];
  const saveDraft = h('button', { type: 'submit', class: article && !article.draft ? 'secondary' : 'primary' },
    article && !article.draft ? 'Save' : 'Save draft');
  buttons.push(saveDraft);
  if (isLead(ctx)) {
    if (!article || article.draft) {
      const publish = h('button', { type: 'button', class: 'primary' }, 'Publish');
      publish.addEventListener('click', () => save({ draft: false }, 'Published.'));
      buttons.push(publish);
    } else {
      const unpublish = h('button', { type: 'button', class: 'secondary' }, 'Unpublish');
      unpublish.addEventListener('click', () => save({ draft: true }, 'Unpublished: now a draft.'));
      buttons.push(unpublish);
    }
    if (article) {
      const del = h('button', { type: 'button', class: 'danger' }, 'Delete');
      del.addEventListener('click', () => openDialog('Delete this article?',
        'The article and its revisions are deleted for good.', [], 'Delete', async () => {
          await api.del(`${HC}/articles/${article.id}`);
          location.hash = '#/help-center';
        }, { danger: true }));
      buttons.push(del);
    }
  }
  form.append(h('div', { class: 'actions start' }, buttons));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save({}, 'Saved.');
  });
  replace(body,
    h('p', {}, h('a', { href: '#/help-center' }, '← All articles')),
    form,
    article ? revisionsCard(ctx, article) : null);
}
