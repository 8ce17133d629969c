// Web chat client: no framework, no third-party code. Keeps a random session id in
// localStorage (the server only sees its pseudonym) and renders replies with buttons.
const log = document.getElementById('log');
const form = document.getElementById('ask');
const input = document.getElementById('text');
const status = document.getElementById('status');

const KEY = 'vneid-guide-session';
let sessionId = localStorage.getItem(KEY);
const returning = Boolean(sessionId && /^[A-Za-z0-9_-]{8,64}$/.test(sessionId));
if (!returning) {
  sessionId = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  localStorage.setItem(KEY, sessionId);
}

function add(text, who, buttons = []) {
  const li = document.createElement('li');
  li.className = `msg ${who}`;
  li.textContent = text;
  if (buttons.length > 0) {
    const row = document.createElement('div');
    row.className = 'buttons';
    for (const b of buttons) {
      const el = document.createElement('button');
      el.type = 'button';
      el.textContent = b.label;
      el.addEventListener('click', () => send({ payload: b.payload }, b.label, true));
      row.append(el);
    }
    li.append(row);
  }
  log.append(li);
  li.scrollIntoView({ block: 'end' });
  return li;
}

let busy = false;
async function send(body, shown, viaButton = false) {
  if (busy) return;
  busy = true;
  if (shown) add(shown, 'me');
  status.textContent = 'Đang trả lời…';
  try {
    const res = await fetch('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, ...body }),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      add(data.error || 'Có lỗi xảy ra, bạn thử lại sau nhé.', 'bot');
    } else {
      let last;
      for (const r of data.replies) last = add(r.text, 'bot', r.buttons || []);
      // Keyboard users who chose a button land on the next choices; typists keep the input.
      if (viaButton) last?.querySelector('button')?.focus({ preventScroll: true });
    }
    status.textContent = '';
  } catch {
    status.textContent = 'Không kết nối được máy chủ. Bạn kiểm tra mạng rồi thử lại nhé.';
  } finally {
    busy = false;
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  send({ text }, text);
});

// A returning visitor continues a walkthrough in progress; a new one gets the greeting.
send(returning ? { payload: '#vg:hello' } : { text: '/start' });
