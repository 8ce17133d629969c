/**
 * What officials do with the review list, and what it changes in the bot: attaching a question to
 * an entry as a new phrasing (the matcher is rebuilt with it and swapped in), dismissing one as
 * off-topic (it leaves the list), undoing either. Used by the dashboard's pages and its JSON API.
 *
 * The matcher is rebuilt in slices (Matcher.build) while the bot keeps answering with the old one,
 * then replaced in one assignment on the shared Knowledge: a question is answered by the old
 * matcher or the new one, never by half of one. Rebuilds are coalesced: changes made during a
 * rebuild are all taken by the next one. Every instance learns the others' changes by polling
 * the store's version (`sync`), and at start-up (`refresh` before serving).
 */
import type { ContentBase } from '../content/loader.js';
import type { Entry } from '../content/schema.js';
import type { Knowledge } from '../knowledge.js';
import { Matcher } from '../match/matcher.js';
import { runPeriodically } from '../periodic.js';
import { scrub, withoutPlaceholders } from '../privacy/scrub.js';
import { normalizeTokens } from '../text/normalize.js';
import { PHRASING_MAX_CHARS, PHRASING_MIN_CHARS, type ReviewChange, type ReviewStore } from './changes.js';
import { withLearnedPhrasings } from './learned.js';

/** A request the official can fix: its message is Vietnamese and shown as is. */
export class ReviewError extends Error {
  override name = 'ReviewError';
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface ReviewServiceOptions {
  store: ReviewStore;
  /** The bot's knowledge: its `matcher` is replaced when the learned phrasings change. */
  knowledge: Knowledge;
  now?: () => number;
  /** A rebuild or a poll that failed (the bot goes on with the matcher it has). */
  onError?: (err: unknown) => void;
  /** After each rebuild: how long it took and how many phrasings officials added. */
  onRebuilt?: (info: { ms: number; phrasings: number }) => void;
}

/** Shown in messages: long enough to recognise, short enough never to flood a page. */
const quote = (s: string) => `“${s.length > 60 ? `${s.slice(0, 60)}…` : s}”`;

export class ReviewService {
  /** The content as in the files; learned phrasings are added to a copy. */
  readonly base: ContentBase;
  private readonly baseMatcher: Matcher;
  private readonly now: () => number;
  /** Store version the current matcher and lists reflect (undefined: never read). */
  private applied: string | undefined;
  private changes: readonly ReviewChange[] = [];
  /** Normalized forms of the questions attached or dismissed: they leave the review list. */
  private reviewedKeys = new Set<string>();
  /** Ids of the phrasing changes the current matcher holds. */
  private matcherHolds = '';
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly o: ReviewServiceOptions) {
    this.base = o.knowledge.content;
    this.baseMatcher = o.knowledge.matcher;
    this.now = o.now ?? Date.now;
  }

  /** Lexicon-normalized words: how two wordings of a question are recognised as the same. */
  keyOf(text: string): string {
    return normalizeTokens(withoutPlaceholders(text), this.o.knowledge.lexicon).join(' ');
  }

  /** An entry by id, by "Tiêu đề (id)" as the dashboard's search list offers it, or by exact title. */
  resolveEntry(input: string): Entry | undefined {
    const s = input.trim();
    const byId = this.base.byId.get(s) ?? this.base.byId.get(/\(([a-z0-9-]+)\)\s*$/.exec(s)?.[1] ?? '');
    if (byId) return byId;
    const lower = s.toLocaleLowerCase('vi');
    return this.base.entries.find((e) => e.title.toLocaleLowerCase('vi') === lower);
  }

  /** Attaches a question to an entry as a new phrasing; resolves once the bot answers it so. */
  async attach(input: { text?: unknown; id?: unknown }, by: string): Promise<{ change: ReviewChange; applied: boolean }> {
    const text = this.cleanText(input.text);
    if (typeof input.id !== 'string' || input.id.trim() === '') throw new ReviewError(400, 'Chưa chọn mục để gắn câu hỏi vào (trường "id").');
    const entry = this.resolveEntry(input.id);
    if (!entry) throw new ReviewError(400, `Không có mục nội dung nào mang mã ${quote(input.id.trim())}. Hãy chọn một mục trong danh sách.`);
    const key = this.keyOf(text);
    if (entry.phrasings.some((p) => this.keyOf(p) === key)) throw new ReviewError(409, `Câu hỏi này đã là một cách hỏi của mục ${quote(entry.title)}.`);
    await this.refresh(); // another instance may have attached it meanwhile
    const taken = this.changes.find((c) => c.kind === 'phrasing' && this.keyOf(c.text) === key);
    if (taken) {
      const other = this.base.byId.get(taken.entryId ?? '');
      throw new ReviewError(
        409,
        taken.entryId === entry.id
          ? `Câu hỏi này đã được gắn vào mục ${quote(entry.title)}.`
          : `Câu hỏi này đã được gắn vào mục ${quote(other?.title ?? taken.entryId ?? '')}. Hãy hoàn tác thay đổi đó trước nếu muốn gắn sang mục khác.`,
      );
    }
    const change = await this.o.store.add({ kind: 'phrasing', entryId: entry.id, text, normalized: key, by, at: this.now() });
    return { change, applied: await this.applyNow() };
  }

  /** Dismisses a question of the review list as off-topic: it leaves the list, kept as an off-topic example. */
  async dismiss(input: { text?: unknown; normalized?: unknown }, by: string): Promise<ReviewChange> {
    const text = this.cleanText(input.text);
    // The review list's own normalized form (typo-corrected by the matcher) recognises the row best.
    const normalized = typeof input.normalized === 'string' && input.normalized.length <= 400 && input.normalized.trim() ? input.normalized.trim() : this.keyOf(text);
    await this.refresh();
    const key = this.keyOf(text);
    if (this.changes.some((c) => c.kind === 'dismissal' && (c.normalized === normalized || this.keyOf(c.text) === key))) {
      throw new ReviewError(409, 'Câu hỏi này đã được bỏ qua rồi.');
    }
    const change = await this.o.store.add({ kind: 'dismissal', entryId: null, text, normalized, by, at: this.now() });
    await this.applyNow();
    return change;
  }

  /** Undoes a change: a phrasing leaves the matcher, a dismissed question comes back to the list. */
  async undo(idInput: unknown, by: string): Promise<{ change: ReviewChange; applied: boolean }> {
    const id = typeof idInput === 'number' ? idInput : typeof idInput === 'string' && /^\d{1,12}$/.test(idInput.trim()) ? Number(idInput.trim()) : NaN;
    if (!Number.isSafeInteger(id) || id <= 0) throw new ReviewError(400, 'Mã thay đổi không hợp lệ.');
    const change = await this.o.store.undo(id, by, this.now());
    if (!change) {
      const known = await this.o.store.get(id);
      throw known ? new ReviewError(409, 'Thay đổi này đã được hoàn tác rồi.') : new ReviewError(404, `Không có thay đổi số ${id}.`);
    }
    return { change, applied: await this.applyNow() };
  }

  list(limit: number): Promise<ReviewChange[]> {
    return this.o.store.list(limit);
  }

  /** Changes in force, oldest first, as of the last refresh (the export reads these). */
  async active(): Promise<readonly ReviewChange[]> {
    await this.refresh();
    return this.changes;
  }

  /** A question of the review list that an official already attached or dismissed. */
  isReviewed(row: { text: string; normalized: string }): boolean {
    return this.reviewedKeys.size > 0 && (this.reviewedKeys.has(row.normalized) || this.reviewedKeys.has(this.keyOf(row.text)));
  }

  /**
   * Brings the matcher and the lists up to the store's version. Concurrent calls share one
   * rebuild, and a call made during a rebuild waits for the next one, which sees its change.
   */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.load().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.refresh();
    });
    return this.queued;
  }

  /** Polls the store's version every `intervalMs` (other instances' changes); returns the stop function. */
  sync(intervalMs: number): () => void {
    return runPeriodically(() => this.refresh(), { intervalMs, runAtStart: false, ...(this.o.onError ? { onError: this.o.onError } : {}) });
  }

  private async applyNow(): Promise<boolean> {
    try {
      await this.refresh();
      return true;
    } catch (err) {
      this.o.onError?.(err); // stored all the same: the next poll applies it
      return false;
    }
  }

  private async load(): Promise<void> {
    const version = await this.o.store.version();
    if (version === this.applied) return;
    const changes = await this.o.store.active();
    const phrasings = changes.filter((c) => c.kind === 'phrasing' && c.entryId !== null && this.base.byId.has(c.entryId));
    const holds = phrasings.map((c) => c.id).join(',');
    if (holds !== this.matcherHolds) {
      const started = performance.now();
      const { knowledge } = this.o;
      knowledge.matcher = phrasings.length === 0 ? this.baseMatcher : await Matcher.build(withLearnedPhrasings(this.base, phrasings), knowledge.lexicon, knowledge.tuning);
      this.matcherHolds = holds;
      this.o.onRebuilt?.({ ms: Math.round(performance.now() - started), phrasings: phrasings.length });
    }
    this.changes = changes;
    this.reviewedKeys = new Set(changes.flatMap((c) => [c.normalized, this.keyOf(c.text)]));
    this.applied = version;
  }

  /** The question as it may be stored: scrubbed, placeholders dropped, within the limits. */
  private cleanText(input: unknown): string {
    if (typeof input !== 'string' || input.trim() === '') throw new ReviewError(400, 'Thiếu câu hỏi (trường "text").');
    if (input.trim().length > PHRASING_MAX_CHARS) throw new ReviewError(400, `Câu hỏi dài quá: tối đa ${PHRASING_MAX_CHARS} ký tự.`);
    const text = withoutPlaceholders(scrub(input).text).replace(/\s+/g, ' ').trim();
    if (text.length < PHRASING_MIN_CHARS || !/\p{L}/u.test(text) || this.keyOf(text) === '') {
      throw new ReviewError(400, 'Câu hỏi quá ngắn, hoặc chỉ có thông tin cá nhân (đã được ẩn): cần ít nhất một từ.');
    }
    return text;
  }
}
