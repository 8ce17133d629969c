/**
 * JSON parsing for webhook bodies whose ids are 64-bit. Zalo sends ids as strings, but if one
 * ever arrives as a bare number beyond 2^53, JSON.parse would silently round it (and we would
 * reply to, or file the conversation under, the wrong user). Node 20 has no JSON source-text
 * access, so unsafe integers are quoted before parsing: they come out as their exact text.
 */
export function parseJsonKeepingIds(text: string): unknown {
  return JSON.parse(quoteUnsafeIntegers(text));
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Wraps integer literals that are not safe JS integers in quotes; strings are left untouched. */
export function quoteUnsafeIntegers(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the whole string literal, honouring escapes.
      i++;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) {
        i++;
        continue;
      }
      const literal = m[0];
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += text.slice(last, i) + `"${literal}"`;
        last = i + literal.length;
      }
      i += literal.length;
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** An id field as a string, whatever JSON type it came as; undefined when absent or empty. */
export function idString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
