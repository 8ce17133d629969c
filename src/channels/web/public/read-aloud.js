// "Đọc to": reads a bot answer with the browser's own speech synthesis. Everything happens on the
// device: the text goes to a voice the device has, never to our server or a speech API of ours.
//
// The buttons exist on every answer but are shown only while the device has a Vietnamese voice
// (a class on <html>): voices load asynchronously (Chrome lists none until `voiceschanged`), and
// an answer read by an English voice is worse than no button at all.

/** A little slower than normal speech: easier to follow for older listeners. */
export const RATE = 0.85;
export const LANG = 'vi-VN';
const CAN_READ_CLASS = 'can-read-aloud';
const SPEAKER_ICON =
  '<svg viewBox="0 0 24 24" width="20" height="20" fill="currentColor"><path d="M3 9v6h4l5 5V4L7 9H3zm13.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"/></svg>';
const STOP_ICON = '<svg viewBox="0 0 24 24" width="20" height="20" fill="currentColor"><rect x="6" y="6" width="12" height="12" rx="1.5"/></svg>';

const isVietnamese = (voice) => /^vi(?:[-_]|$)/i.test(voice.lang);
const isVietnam = (voice) => /^vi[-_]VN$/i.test(voice.lang);

/**
 * The best Vietnamese voice on the device: vi-VN before other Vietnamese, the default before the
 * rest. Only voices that run on the device (`localService`): a network voice would send the text
 * it reads to the browser vendor's servers.
 */
export function pickVoice(voices) {
  const local = voices.filter((v) => isVietnamese(v) && v.localService !== false);
  const rank = (v) => (isVietnam(v) ? 0 : 2) + (v.default ? 0 : 1);
  return local.sort((a, b) => rank(a) - rank(b))[0];
}

/**
 * Short pieces, one line or sentence each: the reading pauses between them, and some engines
 * (Chrome) cut a single long utterance off after about 15 seconds.
 */
export function speechParts(text) {
  return text
    .split(/\n+/)
    // No look-behind in the pattern: Safari before 16.4 (older iPhones) cannot parse one.
    .flatMap((line) => line.replace(/([.!?…:;])\s+/g, '$1\n').split('\n'))
    .map((part) =>
      part
        .replace(/^[\s•\-–—*]+/, '') // list bullets are not read out
        .replace(/\s*→\s*/g, ', ') // "Cài đặt → Tài khoản": a pause, not "mũi tên"
        .trim(),
    )
    .filter((part) => /[\p{L}\p{N}]/u.test(part));
}

export function createReadAloud({ synth = globalThis.speechSynthesis, Utterance = globalThis.SpeechSynthesisUtterance, root = document.documentElement } = {}) {
  let voice;
  /** The answer being read: its button and the token that tells its callbacks they are current. */
  let current = null;

  function refreshVoice() {
    voice = pickVoice(synth.getVoices());
    root.classList.toggle(CAN_READ_CLASS, Boolean(voice));
    if (!voice) stop();
  }

  function show(button, reading) {
    button.dataset.reading = String(reading);
    button.querySelector('.label').textContent = reading ? 'Dừng đọc' : 'Đọc to';
    // Drawn, not an emoji: not every phone or desktop has an emoji font.
    button.querySelector('.icon').innerHTML = reading ? STOP_ICON : SPEAKER_ICON;
  }

  function stop() {
    if (!current) return;
    const { button } = current;
    current = null;
    synth.cancel();
    show(button, false);
  }

  /** Reads `text`; pressed again while reading, stops; another answer's button switches to it. */
  function toggle(button, text) {
    const wasThis = current?.button === button;
    stop();
    if (wasThis || !voice) return;
    const reading = { button };
    current = reading;
    const parts = speechParts(text);
    const finished = () => {
      // A cancel fires "end" or "error" of the old utterances later: ignore a reading that is over.
      if (current !== reading) return;
      current = null;
      show(button, false);
    };
    parts.forEach((part, i) => {
      const u = new Utterance(part);
      u.lang = LANG;
      u.voice = voice;
      u.rate = RATE;
      u.onerror = finished;
      if (i === parts.length - 1) u.onend = finished;
      synth.speak(u);
    });
    if (synth.paused) synth.resume();
    show(button, true);
  }

  const supported = Boolean(synth && typeof synth.getVoices === 'function' && Utterance);
  if (supported) {
    refreshVoice();
    synth.addEventListener?.('voiceschanged', refreshVoice);
    // Leaving the page must not leave the phone talking.
    window.addEventListener('pagehide', stop);
  }

  /** The "Đọc to" button of one answer (hidden by CSS where the device cannot read Vietnamese). */
  function button(text) {
    const el = document.createElement('button');
    el.type = 'button';
    el.className = 'read-aloud';
    el.innerHTML = '<span class="icon" aria-hidden="true"></span> <span class="label"></span>';
    show(el, false);
    el.addEventListener('click', () => toggle(el, text));
    return el;
  }

  return { supported, button, stop };
}
