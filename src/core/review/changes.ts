/**
 * Officials improve the answers from the dashboard's review list (issue 14, item 4): a question
 * the bot could not answer is attached to an entry as a new phrasing, or dismissed as off-topic.
 * Each such change is kept (who, when, undone or not) behind this interface, in the bot's own
 * database (SQLite or PostgreSQL, see src/storage/*-review.ts), so it survives a restart and
 * reaches every instance. Texts are scrubbed before they get here; no citizen data is kept, only
 * the official's account name.
 */

export type ReviewChangeKind = 'phrasing' | 'dismissal';

export interface NewReviewChange {
  kind: ReviewChangeKind;
  /** The entry a phrasing was attached to; null for a dismissal. */
  entryId: string | null;
  /** Scrubbed: the new phrasing, or the dismissed question. */
  text: string;
  /** Normalized form (lexicon), to recognise the same question in the review list. */
  normalized: string;
  /** The dashboard account that made the change (never a citizen). */
  by: string;
  at: number;
}

export interface ReviewChange extends NewReviewChange {
  id: number;
  undoneAt: number | null;
  undoneBy: string | null;
}

export interface ReviewStore {
  add(change: NewReviewChange): Promise<ReviewChange>;
  /** Marks a change undone; undefined when there is no such change or it is already undone. */
  undo(id: number, by: string, at: number): Promise<ReviewChange | undefined>;
  get(id: number): Promise<ReviewChange | undefined>;
  /** Newest first, undone ones included (the dashboard's list of changes). */
  list(limit: number): Promise<ReviewChange[]>;
  /** Changes in force (not undone), oldest first: what the matcher learns, what the export holds. */
  active(): Promise<ReviewChange[]>;
  /**
   * Different after every add or undo, and cheap: each instance polls it to learn that another
   * one changed something (PostgreSQL with several server processes).
   */
  version(): Promise<string>;
}

/** Limits of what an official may store. */
export const PHRASING_MIN_CHARS = 2;
export const PHRASING_MAX_CHARS = 200;
/** Changes listed on the dashboard. */
export const CHANGES_LISTED = 200;
