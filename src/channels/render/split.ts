/**
 * Splits a long answer into messages a platform accepts (Zalo: 2,000 characters), cutting where
 * a reader would pause: before a step, at a blank line, at a line break, after a sentence, at a
 * space — and only as a last resort in the middle of a word. Parts keep their order.
 */
export const DEFAULT_MAX_CHARS = 2000;

interface Boundary {
  pattern: RegExp;
  /** Offset from the match start to the cut position. */
  cutAt: (m: RegExpExecArray) => number;
  /** A cut earlier than this share of the limit makes too short a message: try a finer boundary. */
  minShare: number;
}

const BOUNDARIES: readonly Boundary[] = [
  // A new step: "Bước 3", "3.", "3)" at the start of a line.
  { pattern: /\n(?=[ \t]*(?:Bước\s+\d+|\d{1,2}[.)][ \t]))/gu, cutAt: (m) => m.index, minShare: 0.5 },
  { pattern: /\n[ \t]*\n/g, cutAt: (m) => m.index, minShare: 0.5 },
  { pattern: /\n/g, cutAt: (m) => m.index, minShare: 0.3 },
  { pattern: /[.!?…;:](?=\s)/gu, cutAt: (m) => m.index + 1, minShare: 0.3 },
  { pattern: /\s/gu, cutAt: (m) => m.index, minShare: 0.3 },
];

function findCut(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  for (const b of BOUNDARIES) {
    const min = Math.floor(max * b.minShare);
    let best = -1;
    b.pattern.lastIndex = 0;
    for (let m = b.pattern.exec(window); m; m = b.pattern.exec(window)) {
      const cut = b.cutAt(m);
      if (cut > max) break;
      if (cut >= min) best = cut;
    }
    if (best > 0) return best;
  }
  // Never split a surrogate pair (emoji).
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

export function splitText(text: string, max = DEFAULT_MAX_CHARS): string[] {
  if (max < 2) throw new RangeError('max must be at least 2');
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const cut = findCut(rest, max);
    const head = rest.slice(0, cut).trimEnd();
    if (head) parts.push(head);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}
