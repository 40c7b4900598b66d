// The chat page: plain browser JavaScript against the same HTTP API any frontend uses (no framework, no build step, no CDN).
'use strict';

const $ = (id) => document.getElementById(id);
const state = { token: null, user: null, conversationId: null, conversations: [], documentsTimer: null, busy: false };

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key.startsWith('aria-') || key.startsWith('data-') || key === 'role' || key === 'for') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function showError(message) { $('error').textContent = message || ''; }

/** Reads a problem+json answer into one readable sentence (title, detail, field errors). */
async function problemText(response) {
  try {
    const p = await response.json();
    const fields = p.errors ? ' ' + Object.values(p.errors).flat().join(' ') : '';
    return `${p.title || response.statusText}${p.detail ? ': ' + p.detail : ''}${fields}`;
  } catch { return `${response.status} ${response.statusText}`; }
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (options.json !== undefined) { headers['Content-Type'] = 'application/json'; options.body = JSON.stringify(options.json); }
  const response = await fetch(path, { ...options, headers });
  if (!response.ok) throw new Error(await problemText(response));
  return response;
}

// ---------- user ----------
async function signIn(user) {
  const response = await fetch('/api/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user }) });
  if (!response.ok) { $('user-status').textContent = await problemText(response); return; }
  const body = await response.json();
  state.token = body.token; state.user = body.user;
  sessionStorage.setItem('ragfunctions.user', body.user);
  $('user-status').textContent = `Signed in as ${body.user}`;
  state.conversationId = null;
  renderConversation(null, []);
  await loadConversations();
  await refreshDocuments();
}

// ---------- conversations ----------
async function loadConversations() {
  const response = await api('/api/chat/conversations?limit=50');
  state.conversations = (await response.json()).conversations;
  renderConversationList();
}

function renderConversationList() {
  const list = $('conversation-list');
  list.replaceChildren();
  if (state.conversations.length === 0) { list.append(el('li', { class: 'muted' }, 'No conversations yet.')); return; }
  for (const c of state.conversations) {
    const open = el('button', { type: 'button', class: 'open', title: c.title, onclick: () => openConversation(c.id) }, c.title);
    if (c.id === state.conversationId) open.setAttribute('aria-current', 'true');
    const rename = el('button', { type: 'button', class: 'icon', 'aria-label': `Rename ${c.title}`, onclick: () => startRename(c, rename.parentElement) }, '✎');
    const remove = el('button', { type: 'button', class: 'icon', 'aria-label': `Delete ${c.title}`, onclick: () => deleteConversation(c) }, '✕');
    list.append(el('li', { 'data-id': c.id }, open, rename, remove));
  }
}

function startRename(conversation, item) {
  const input = el('input', { value: conversation.title, 'aria-label': 'New title', maxLength: 200 });
  const save = el('button', { type: 'submit' }, 'Save');
  const cancel = el('button', { type: 'button', class: 'secondary', onclick: renderConversationList }, 'Cancel');
  const form = el('form', { class: 'row', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api(`/api/chat/conversations/${conversation.id}`, { method: 'PATCH', json: { title: input.value } });
      await loadConversations();
      if (conversation.id === state.conversationId) $('conversation-title').textContent = input.value.trim();
    } catch (err) { showError(err.message); }
  } }, input, save, cancel);
  item.replaceChildren(form);
  input.focus(); input.select();
}

async function deleteConversation(conversation) {
  if (!confirm(`Delete “${conversation.title}”?`)) return;
  try {
    await api(`/api/chat/conversations/${conversation.id}`, { method: 'DELETE' });
    if (conversation.id === state.conversationId) { state.conversationId = null; renderConversation(null, []); }
    await loadConversations();
  } catch (err) { showError(err.message); }
}

async function newConversation() {
  const response = await api('/api/chat/conversations', { method: 'POST', json: {} });
  const conversation = await response.json();
  await loadConversations();
  await openConversation(conversation.id);
}

/** An example assessment (RIASEC, Big Five, VIA) so the advisor conversation can be tried without the assessment service. */
async function newAssessmentConversation() {
  const results = {
    riasec: { R: 45, I: 88, A: 72, S: 60, E: 40, C: 35 },
    ocean: { O: 85, C: 70, E: 55, A: 68, N: 30 },
    viaIs: { curiosity: 92, creativity: 85, perseverance: 74 },
  };
  const response = await api('/api/chat/conversations/from-assessment', { method: 'POST', json: { assessmentId: `demo-${Date.now()}`, results } });
  const body = await response.json();
  await loadConversations();
  await openConversation(body.conversation.id, body.suggestions);
}

async function openConversation(id, suggestions) {
  showError('');
  state.conversationId = id;
  closeSidebarOnPhone();
  const response = await api(`/api/chat/conversations/${id}`);
  const body = await response.json();
  renderConversation(body.conversation, body.messages);
  renderConversationList();
  if (!suggestions) {
    try { suggestions = (await (await api(`/api/chat/conversations/${id}/suggestions`)).json()).suggestions; } catch { suggestions = []; }
  }
  const last = body.messages[body.messages.length - 1];
  renderChips(last && last.role === 'assistant' && last.followupQuestions.length ? last.followupQuestions : suggestions);
  $('composer-input').focus();
}

function renderConversation(conversation, messages) {
  $('conversation-title').textContent = conversation ? conversation.title : 'Start a conversation';
  $('messages').replaceChildren(...messages.map(renderMessage));
  renderChips([]);
}

// ---------- messages ----------
function renderMessage(message) {
  const item = el('li', { class: `message ${message.role}`, 'data-message-id': message.id || '' });
  item.append(el('div', { class: 'who' }, message.role === 'user' ? 'You' : 'Assistant'));
  const text = el('div', { class: 'text' });
  item.append(text);
  setAnswerText(text, message.content || '', message.citations || []);
  if (message.role === 'assistant') {
    renderCitations(item, message.citations || []);
    if (message.id) renderFeedback(item, message);
  }
  return item;
}

/** Answer text with its [n] markers turned into buttons that open the cited passage. */
function setAnswerText(node, content, citations) {
  node.replaceChildren();
  const byNumber = new Map(citations.map((c) => [c.number, c]));
  let last = 0;
  for (const match of content.matchAll(/\[(\d+)\]/g)) {
    const citation = byNumber.get(Number(match[1]));
    if (!citation) continue;
    node.append(content.slice(last, match.index));
    node.append(el('button', { type: 'button', class: 'cite-ref', 'aria-label': `Open source ${citation.number}: ${citation.title}`, onclick: () => openPassage(citation) }, match[0]));
    last = match.index + match[0].length;
  }
  node.append(content.slice(last));
}

function renderCitations(item, citations) {
  item.querySelector('.citations')?.remove();
  if (!citations.length) return;
  const list = el('ol', { class: 'citations', 'aria-label': 'Sources' });
  for (const c of citations) {
    const where = [fileName(c.sourcePath), c.page ? `page ${c.page}` : null, c.heading].filter(Boolean).join(' · ');
    list.append(el('li', { value: c.number }, el('button', { type: 'button', class: 'citation', onclick: () => openPassage(c) }, where || c.title)));
  }
  item.querySelector('.text').after(list);
}

function renderFeedback(item, message) {
  item.querySelector('.feedback')?.remove();
  const rating = message.feedback?.rating;
  const bar = el('div', { class: 'feedback', role: 'group', 'aria-label': 'Rate this answer' });
  for (const [value, label] of [['up', 'Helpful'], ['down', 'Not helpful']]) {
    const button = el('button', { type: 'button', 'aria-pressed': String(rating === value) }, label);
    button.addEventListener('click', async () => {
      try {
        const response = await api(`/api/chat/conversations/${state.conversationId}/messages/${message.id}/feedback`, { method: 'POST', json: { rating: value } });
        renderFeedback(item, await response.json());
      } catch (err) { showError(err.message); }
    });
    bar.append(button);
  }
  item.append(bar);
}

function renderChips(questions) {
  const box = $('suggestions');
  box.replaceChildren(...(questions || []).map((q) => el('button', { type: 'button', onclick: () => send(q) }, q)));
}

function openPassage(citation) {
  $('passage-title').textContent = `Source ${citation.number}: ${citation.title}`;
  $('passage-file').textContent = citation.sourcePath;
  $('passage-page').textContent = citation.page ?? '—';
  $('passage-heading').textContent = citation.heading || '—';
  $('passage-text').textContent = citation.snippet;
  $('passage').showModal();
  $('passage-close').focus();
}

const fileName = (path) => (path || '').split(/[\\/]/).pop();

/** Sends a message and renders the answer as it streams (Server-Sent Events read from a fetch body). */
async function send(content) {
  content = content.trim();
  if (!content || state.busy) return;
  showError('');
  if (!state.conversationId) {
    const created = await (await api('/api/chat/conversations', { method: 'POST', json: {} })).json();
    state.conversationId = created.id;
    $('conversation-title').textContent = created.title;
  }
  state.busy = true; $('send').disabled = true; $('messages').setAttribute('aria-busy', 'true');
  renderChips([]);
  const messages = $('messages');
  messages.append(renderMessage({ role: 'user', content }));
  const answer = renderMessage({ role: 'assistant', content: '' });
  answer.classList.add('streaming');
  messages.append(answer);
  const text = answer.querySelector('.text');
  let raw = '';
  try {
    const response = await api(`/api/chat/conversations/${state.conversationId}/messages`, {
      method: 'POST', json: { content }, headers: { Accept: 'text/event-stream' } });
    for await (const { event, data } of readEvents(response)) {
      if (event === 'context') renderCitations(answer, data.citations || []);
      else if (event === 'delta') { raw += data.text; text.textContent = raw; messages.scrollTop = messages.scrollHeight; }
      else if (event === 'followups') renderChips(data.questions);
      else if (event === 'done') {
        const final = data.assistantMessage;
        answer.dataset.messageId = final.id;
        setAnswerText(text, final.content, final.citations);
        renderCitations(answer, final.citations);
        renderFeedback(answer, final);
        renderChips(final.followupQuestions);
      } else if (event === 'error') showError(`${data.title}: ${data.detail}`);
    }
  } catch (err) {
    showError(err.message);
  } finally {
    answer.classList.remove('streaming');
    state.busy = false; $('send').disabled = false; messages.setAttribute('aria-busy', 'false');
    loadConversations().catch(() => {});
  }
}

/** Parses a text/event-stream body into {event, data} records (WHATWG HTML "server-sent events" framing). */
async function* readEvents(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      let event = 'message'; const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) yield { event, data: JSON.parse(data.join('\n')) };
    }
  }
}

// ---------- documents ----------
async function upload(files) {
  for (const file of files) {
    const form = new FormData();
    form.append('file', file, file.name);
    try { await api('/api/documents', { method: 'POST', body: form }); }
    catch (err) { showError(`${file.name}: ${err.message}`); }
  }
  $('upload-input').value = '';
  await refreshDocuments();
}

async function refreshDocuments() {
  clearTimeout(state.documentsTimer);
  let documents = [];
  try { documents = (await (await api('/api/documents?limit=100')).json()).documents; } catch (err) { $('documents-summary').textContent = err.message; return; }
  const working = documents.filter((d) => !['indexed', 'failed'].includes(d.status)).length;
  const failed = documents.filter((d) => d.status === 'failed').length;
  $('documents-summary').textContent = `${documents.length} documents` + (working ? `, ${working} in progress` : '') + (failed ? `, ${failed} failed` : '');
  $('document-list').replaceChildren(...documents.map((d) => {
    const kind = d.status === 'indexed' ? 'indexed' : d.status === 'failed' ? 'failed' : 'working';
    // An indexed document's tooltip says how many chunks the last run embedded and how many vectors it reused (vector cache).
    const reuse = d.status === 'indexed' && d.embedding ? `embedded ${d.embedding.embedded} of ${d.chunkCount} chunks, ${d.embedding.reused} reused` : '';
    const status = el('span', { class: `status status-${kind}`, title: d.failureReason || reuse }, d.status + (d.status === 'indexed' ? ` (${d.chunkCount})` : ''));
    return el('li', { 'data-document': d.fileName }, el('span', {}, d.fileName), status);
  }));
  // Live status: poll quickly while anything is in progress, slowly otherwise.
  state.documentsTimer = setTimeout(refreshDocuments, working ? 1000 : 10000);
}

// ---------- phone layout ----------
function closeSidebarOnPhone() {
  if (window.matchMedia('(max-width: 760px)').matches) { $('sidebar').classList.remove('open'); $('menu-toggle').setAttribute('aria-expanded', 'false'); }
}

document.addEventListener('DOMContentLoaded', () => {
  $('user-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('user-input').value.trim()).catch((err) => showError(err.message)); });
  $('new-chat').addEventListener('click', () => newConversation().catch((err) => showError(err.message)));
  $('new-assessment').addEventListener('click', () => newAssessmentConversation().catch((err) => showError(err.message)));
  $('upload-input').addEventListener('change', (e) => upload([...e.target.files]));
  $('composer').addEventListener('submit', (e) => { e.preventDefault(); const input = $('composer-input'); const v = input.value; input.value = ''; send(v).catch((err) => showError(err.message)); });
  $('composer-input').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('composer').requestSubmit(); } });
  $('menu-toggle').addEventListener('click', () => {
    const open = $('sidebar').classList.toggle('open');
    $('menu-toggle').setAttribute('aria-expanded', String(open));
  });
  const remembered = sessionStorage.getItem('ragfunctions.user');
  if (remembered) $('user-input').value = remembered;
  signIn($('user-input').value.trim()).catch((err) => showError(err.message));
});
