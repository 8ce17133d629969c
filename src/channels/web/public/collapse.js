// Long answers are cut to their first lines with a "Xem thêm" button, so that on a small phone an
// answer's first screen shows its first action and the buttons under it, not a wall of text.

/** Lines shown of a collapsed message (≈ one screen at 360 × 740 with the header and the buttons). */
export const SHOWN_LINES = 8;
/** A message only one line longer is shown whole: hiding a single line behind a button helps no one. */
const COLLAPSE_ABOVE = SHOWN_LINES + 1;

let counter = 0;

/** Number of rendered lines of a laid-out text element. */
export function lineCount(el) {
  const lineHeight = parseFloat(getComputedStyle(el).lineHeight);
  return Math.round(el.scrollHeight / lineHeight);
}

/**
 * Collapses `textEl` (already in the page, so it has a layout) when it is long, and returns its
 * "Xem thêm" button to place under it; returns null for a short text.
 */
export function collapsible(textEl) {
  if (lineCount(textEl) <= COLLAPSE_ABOVE) return null;
  if (!textEl.id) textEl.id = `msg-text-${++counter}`;
  textEl.classList.add('collapsed');
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'expand';
  toggle.setAttribute('aria-controls', textEl.id);
  const show = (expanded) => {
    textEl.classList.toggle('collapsed', !expanded);
    toggle.setAttribute('aria-expanded', String(expanded));
    // The chevron tells it apart from a menu's own "Xem thêm" (next page) among the blue buttons.
    toggle.innerHTML = expanded ? 'Thu gọn <span aria-hidden="true">▴</span>' : 'Xem thêm <span aria-hidden="true">▾</span>';
  };
  show(false);
  toggle.addEventListener('click', () => {
    const expand = toggle.getAttribute('aria-expanded') !== 'true';
    show(expand);
    // Folding back a long text would leave the reader somewhere below it: go back to its start.
    if (!expand) textEl.scrollIntoView({ block: 'nearest' });
  });
  return toggle;
}
