// Web chat client: no framework, no third-party code. Keeps a random session id in
// localStorage (the server only sees its pseudonym) and renders replies with buttons.
import { collapsible } from './collapse.js';
import { createReadAloud } from './read-aloud.js';

const log = document.getElementById('log');
const form = document.getElementById('ask');
const input = document.getElementById('text');
const status = document.getElementById('status');
const reader = createReadAloud();

const KEY = 'vneid-guide-session';
// The page of one commune (/xa/<id>) names it: every question is answered with its contact.
const commune = document.querySelector('meta[name="vneid-commune"]')?.getAttribute('content') || undefined;
let sessionId = localStorage.getItem(KEY);
const returning = Boolean(sessionId && /^[A-Za-z0-9_-]{8,64}$/.test(sessionId));
if (!returning) {
  sessionId = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  localStorage.setItem(KEY, sessionId);
}

/** Messages this short ("Hoặc:", "Bạn cần hỗ trợ gì?") need no "Đọc to" of their own. */
const READ_ALOUD_MIN_CHARS = 20;

function addMine(text) {
  const li = document.createElement('li');
  li.className = 'msg me';
  li.textContent = text;
  log.append(li);
  li.scrollIntoView({ block: 'end' });
  return li;
}

function addBot(text, buttons = []) {
  const li = document.createElement('li');
  li.className = 'msg bot';
  const body = document.createElement('div');
  body.className = 'text';
  body.textContent = text;
  li.append(body);
  log.append(li);
  // Measured once in the page: how many lines it takes depends on the screen.
  const tools = document.createElement('div');
  tools.className = 'tools';
  const expand = collapsible(body);
  if (expand) tools.append(expand);
  if (reader.supported && text.length >= READ_ALOUD_MIN_CHARS) tools.append(reader.button(text));
  if (tools.childElementCount > 0) li.append(tools);
  if (buttons.length > 0) {
    const row = document.createElement('div');
    row.className = 'buttons';
    for (const b of buttons) {
      const el = document.createElement('button');
      el.type = 'button';
      el.textContent = b.label;
      el.addEventListener('click', () => tap(b));
      row.append(el);
    }
    li.append(row);
  }
  return li;
}

function addRetry(li, body) {
  li.classList.add('failed');
  const again = document.createElement('button');
  again.type = 'button';
  again.className = 'retry';
  again.textContent = 'Gửi lại';
  again.addEventListener('click', () => {
    again.remove();
    li.classList.remove('failed');
    enqueue(body, li);
  });
  li.append(again);
}

/**
 * One request at a time, in the order the citizen sent them: what is typed while a reply is on
 * its way is shown at once and sent after that reply, never dropped.
 */
let queue = Promise.resolve();
let pending = 0;

function enqueue(body, mine, viaButton = false) {
  pending += 1;
  mine?.classList.add('queued');
  queue = queue.then(() => post(body, mine, viaButton)).finally(() => {
    pending -= 1;
  });
}

async function post(body, mine, viaButton) {
  mine?.classList.remove('queued');
  status.textContent = 'Đang trả lời…';
  try {
    const res = await fetch('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, ...(commune ? { commune } : {}), ...body }),
    });
    const data = await res.json().catch(() => ({}));
    const replies = res.ok && Array.isArray(data.replies) ? data.replies : [{ text: data.error || 'Có lỗi xảy ra, bạn thử lại sau nhé.' }];
    const shown = replies.map((r) => addBot(r.text, r.buttons || []));
    // Show where the answer BEGINS: its first lines carry the action, the end may be off screen.
    shown[0]?.scrollIntoView({ block: 'start' });
    // Keyboard users who chose a button land on the next choices; typists keep the input.
    if (viaButton) shown[shown.length - 1]?.querySelector('.buttons button')?.focus({ preventScroll: true });
    status.textContent = '';
  } catch {
    status.textContent = mine
      ? 'Không kết nối được máy chủ. Bạn kiểm tra mạng rồi bấm "Gửi lại" nhé.'
      : 'Không kết nối được máy chủ. Bạn kiểm tra mạng rồi tải lại trang nhé.';
    if (mine) addRetry(mine, body);
  }
}

/**
 * A tap while an answer is still on its way is ignored: older hands often tap twice, and a
 * queued second "Xong, tiếp theo" would skip a step unseen. Typed messages are always queued.
 */
function tap(b) {
  if (pending > 0) return;
  enqueue({ payload: b.payload }, addMine(b.label), true);
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  enqueue({ text }, addMine(text));
});

// A returning visitor continues a walkthrough in progress; a new one gets the greeting. A
// volunteer team's poster opens the page with ?ref=<CODE>: that visit starts with the code.
const ref = new URLSearchParams(location.search).get('ref');
if (ref && /^[A-Za-z0-9_-]{2,32}$/.test(ref)) enqueue({ text: `/start ref_${ref}` });
else enqueue(returning ? { payload: '#vg:hello' } : { text: '/start' });
