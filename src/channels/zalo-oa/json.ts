import { isSafeNumber, parse } from 'lossless-json';

/**
 * JSON parsing for webhook bodies whose ids are 64-bit. Zalo sends ids as strings, but if one
 * ever arrives as a bare number beyond 2^53, JSON.parse would silently round it (and we would
 * reply to, or file the conversation under, the wrong user): such numbers stay their exact text.
 */
export function parseJsonKeepingIds(text: string): unknown {
  return parse(text, null, (value) => (isSafeNumber(value) ? Number(value) : value));
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
