/**
 * Server-side HTML with escaping by construction: `html` escapes every interpolated value unless
 * it is already SafeHtml (produced by `html` itself). Citizens' scrubbed questions are shown to
 * officials, so a stray `<script>` in a question must stay text.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

type Part = SafeHtml | string | number | null | undefined | false | readonly Part[];

function render(v: Part): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(v);
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!));
  return new SafeHtml(out);
}

/** JSON for a `<script type="application/json">` block: `<` escaped so it cannot close the tag. */
export function jsonForScript(data: unknown): SafeHtml {
  return new SafeHtml(JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'));
}

const intFmt = new Intl.NumberFormat('vi-VN');
const pctFmt = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

const decFmt = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const fmtInt = (n: number) => intFmt.format(n);
/** "0,25": a score with the Vietnamese decimal comma. */
export const fmtDec = (n: number) => decFmt.format(n);
/** "57,1 %" (Vietnamese decimal comma); "–" when there is nothing to divide. */
export const fmtPct = (part: number, whole: number) => (whole > 0 ? `${pctFmt.format((100 * part) / whole)} %` : '–');
