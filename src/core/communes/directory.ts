/**
 * The communes of this server (`CONTENT_DIR/communes.yaml`) and how a citizen's words name one.
 * Without the file the server is single-commune (COMMUNE_NAME, COMMUNE_CONTACT) and this
 * directory is empty. Channel-agnostic: adapters only pass the id of the commune a route is bound
 * to; asking, understanding and remembering the commune is the dialog engine's (engine.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as parseYaml, YAMLException } from 'js-yaml';
import { InvalidContentError, type ContentError } from '../content/loader.js';
import { tokenize } from '../text/normalize.js';
import { communesFileSchema, type Commune } from './schema.js';
import { describeOpening, officeStatus } from './hours.js';

export const COMMUNES_FILE = 'communes.yaml';

/** Words that say what kind of unit a name is, or how a citizen introduces it: not part of the name. */
const KIND_WORDS = [['xa'], ['phuong'], ['thi', 'tran'], ['dac', 'khu']];
const LEAD_WORDS = new Set(['toi', 'minh', 'em', 'chau', 'con', 'anh', 'chi', 'bac', 'co', 'chu', 'o', 'tai', 'thuoc', 'la', 'song', 'cu', 'tru', 'nha', 'dang', 'cua', 'a', 'ah', 'nhe', 'moi', 'cu', 'truoc', 'day', 'kia', 'ten']);

/** Folded words of a name without its kind ("Xã Lộc Hòa" → ["loc", "hoa"]). */
function nameWords(name: string): string[] {
  const words = tokenize(name);
  for (const kind of KIND_WORDS) {
    if (kind.every((w, i) => words[i] === w) && words.length > kind.length) return words.slice(kind.length);
  }
  return words;
}

/** The kind named at the start of a name or answer, if any ("xa", "phuong", "thi tran", "dac khu"). */
function kindOf(words: readonly string[]): string | undefined {
  return KIND_WORDS.find((kind) => kind.every((w, i) => words[i] === w))?.join(' ');
}

export interface CommuneKey {
  commune: Commune;
  words: string[];
  kind: string | undefined;
}

export type Resolution = { commune: Commune } | { ambiguous: Commune[] } | { none: true };

export class CommuneDirectory {
  readonly list: readonly Commune[];
  private readonly byIdMap: ReadonlyMap<string, Commune>;
  private readonly keys: readonly CommuneKey[];

  constructor(communes: readonly Commune[]) {
    this.list = communes;
    this.byIdMap = new Map(communes.map((c) => [c.id, c]));
    this.keys = communes.flatMap((commune) =>
      [commune.name, ...commune.aliases].map((n) => ({ commune, words: nameWords(n), kind: kindOf(tokenize(n)) })).filter((k) => k.words.length > 0),
    );
  }

  get size(): number {
    return this.list.length;
  }

  byId(id: string | undefined): Commune | undefined {
    return id === undefined ? undefined : this.byIdMap.get(id);
  }

  /**
   * Which commune a citizen's answer names: "xa loc hoa", "Lộc Hòa", "phường Nam Định", an old
   * name from `aliases`, or a sentence around it ("tôi ở xã lộc hòa ạ"). Without diacritics, with or
   * without "xã"/"phường". A bare name shared by a xã and a phường is ambiguous until the kind is
   * said.
   */
  resolve(text: string): Resolution {
    const words = tokenize(text).slice(0, 24);
    if (words.length === 0) return { none: true };
    // The longest name found as whole words wins ("Lộc Hòa Đông" over "Lộc Hòa").
    let best: CommuneKey[] = [];
    let bestLength = 0;
    for (const key of this.keys) {
      const at = indexOfWords(words, key.words);
      if (at < 0) continue;
      // A name inside a longer sentence must be most of what was said, or follow a kind word:
      // "lộc hòa" in "tôi ở xã lộc hòa" yes; in a question about something else, no.
      const before = words.slice(Math.max(0, at - 2), at);
      const afterKind = KIND_WORDS.some((k) => k.every((w, i) => before.slice(before.length - k.length)[i] === w));
      const rest = words.filter((w, i) => (i < at || i >= at + key.words.length) && !LEAD_WORDS.has(w) && !KIND_WORDS.some((k) => k.includes(w)));
      if (!afterKind && rest.length > 1) continue;
      if (key.words.length > bestLength) {
        best = [key];
        bestLength = key.words.length;
      } else if (key.words.length === bestLength) best.push(key);
    }
    const communes = [...new Set(best.map((k) => k.commune))];
    if (communes.length === 1) return { commune: communes[0]! };
    if (communes.length === 0) return { none: true };
    // "xã Lộc Hòa" vs "phường Lộc Hòa": the kind the citizen said decides.
    const said = KIND_WORDS.map((k) => k.join(' ')).find((k) => indexOfWords(words, k.split(' ')) >= 0);
    const ofKind = said ? [...new Set(best.filter((k) => k.kind === said).map((k) => k.commune))] : [];
    return ofKind.length === 1 ? { commune: ofKind[0]! } : { ambiguous: communes };
  }
}

function indexOfWords(haystack: readonly string[], needle: readonly string[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** A name as written inside a sentence: "Xã Lộc Hòa" → "xã Lộc Hòa" (the place name keeps its capitals). */
export function nameInSentence(name: string): string {
  return name.replace(/^(Xã|Phường|Thị trấn|Đặc khu)(?=\s)/u, (kind) => kind.toLowerCase());
}

/** Who `{commune}` is in dialog.yaml ("trợ lý VNeID của {commune}"): the commune's police. */
export function communePhrase(c: Commune): string {
  return `Công an ${nameInSentence(c.name)}`;
}

/** The commune's contact as one phrase, for `{contact}` in dialog.yaml and answers. */
export function contactPhrase(c: Commune): string {
  // The phone first: it is what citizens act on.
  return `Công an ${nameInSentence(c.name)} (điện thoại ${c.contact.phone}; ${c.contact.address}; giờ làm việc: ${c.contact.hours})`;
}

/** When the office is closed at `now` and its hours are known: when it opens, as words ("7:30 sáng mai (Thứ Ba, 08/12)"). */
export function closedUntil(c: Commune, now: number): string | undefined {
  if (!c.contact.open) return undefined;
  const status = officeStatus(c.contact.open, now);
  return status.open || status.opensAt === undefined ? undefined : describeOpening(status.opensAt, now);
}

/** Reads `<dir>/communes.yaml` if present. Never throws: problems are returned with file and path. */
export function readCommunes(dir: string): { communes: Commune[]; present: boolean; errors: ContentError[] } {
  const path = join(dir, COMMUNES_FILE);
  if (!existsSync(path)) return { communes: [], present: false, errors: [] };
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'), { filename: COMMUNES_FILE });
  } catch (err) {
    const where = err instanceof YAMLException && err.mark ? `dòng ${err.mark.line + 1}` : '-';
    return { communes: [], present: true, errors: [{ file: COMMUNES_FILE, field: where, reason: `YAML sai cú pháp (invalid YAML): ${(err as Error).message.split('\n')[0]}` }] };
  }
  const parsed = communesFileSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      communes: [],
      present: true,
      errors: parsed.error.issues.map((i) => ({ file: COMMUNES_FILE, field: i.path.join('.') || '-', reason: i.message })),
    };
  }
  const errors: ContentError[] = [];
  const communes = parsed.data.communes;
  const seen = new Map<string, number>();
  const names = new Map<string, Array<{ kind: string | undefined; id: string }>>();
  communes.forEach((c, i) => {
    const first = seen.get(c.id);
    if (first !== undefined) errors.push({ file: COMMUNES_FILE, field: `communes.${i}.id`, reason: `id "${c.id}" trùng với communes.${first} (duplicate id)` });
    else seen.set(c.id, i);
    // The same spelling for two communes would make the citizen's answer ambiguous forever.
    // A xã and a phường may share a name (the kind said tells them apart); an alias without a kind may not.
    [c.name, ...c.aliases].forEach((n, k) => {
      const key = nameWords(n).join(' ');
      const kind = kindOf(tokenize(n));
      const owners = names.get(key) ?? [];
      const owner = owners.find((o) => o.id !== c.id && (o.kind === kind || !o.kind || !kind));
      if (owner) {
        errors.push({ file: COMMUNES_FILE, field: k === 0 ? `communes.${i}.name` : `communes.${i}.aliases.${k - 1}`, reason: `tên "${n}" đã dùng cho xã/phường "${owner.id}" (name used twice)` });
      } else names.set(key, [...owners, { kind, id: c.id }]);
    });
  });
  return { communes: errors.length > 0 ? [] : communes, present: true, errors };
}

/** Loads the directory for the server; throws with every problem when the file is invalid. */
export function loadCommunes(dir: string): CommuneDirectory {
  const { communes, errors } = readCommunes(dir);
  if (errors.length > 0) throw new InvalidContentError(errors);
  return new CommuneDirectory(communes);
}
