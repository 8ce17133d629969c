/**
 * ReviewStore over the bot's SQLite database (the `review_changes` table from the migrations in
 * sqlite.ts): officials' phrasings and dismissals, kept across restarts.
 */
import type Database from 'better-sqlite3';
import type { NewReviewChange, ReviewChange, ReviewStore } from '../core/review/changes.js';

interface Row {
  id: number;
  at: number;
  kind: string;
  entry_id: string | null;
  text: string;
  normalized: string;
  made_by: string;
  undone_at: number | null;
  undone_by: string | null;
}

const COLUMNS = 'id, at, kind, entry_id, text, normalized, made_by, undone_at, undone_by';

const toChange = (r: Row): ReviewChange => ({
  id: r.id,
  at: r.at,
  kind: r.kind === 'phrasing' ? 'phrasing' : 'dismissal',
  entryId: r.entry_id,
  text: r.text,
  normalized: r.normalized,
  by: r.made_by,
  undoneAt: r.undone_at,
  undoneBy: r.undone_by,
});

export class SqliteReviewStore implements ReviewStore {
  private readonly stmt;

  constructor(readonly db: Database.Database) {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'review_changes'").get();
    if (!exists) throw new Error('Bảng review_changes chưa có: mở cơ sở dữ liệu bằng SqliteStorage (chạy migration) trước.');
    this.stmt = {
      insert: db.prepare<[number, string, string | null, string, string, string], Row>(
        `INSERT INTO review_changes (at, kind, entry_id, text, normalized, made_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      ),
      undo: db.prepare<[number, string, number], Row>(`UPDATE review_changes SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL RETURNING ${COLUMNS}`),
      get: db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM review_changes WHERE id = ?`),
      list: db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM review_changes ORDER BY id DESC LIMIT ?`),
      active: db.prepare<[], Row>(`SELECT ${COLUMNS} FROM review_changes WHERE undone_at IS NULL ORDER BY id`),
      version: db.prepare<[], string>("SELECT COALESCE(MAX(id), 0) || ':' || COUNT(undone_at) FROM review_changes").pluck(),
    };
  }

  async add(c: NewReviewChange): Promise<ReviewChange> {
    return toChange(this.stmt.insert.get(c.at, c.kind, c.entryId, c.text, c.normalized, c.by)!);
  }

  async undo(id: number, by: string, at: number): Promise<ReviewChange | undefined> {
    const row = this.stmt.undo.get(at, by, id);
    return row ? toChange(row) : undefined;
  }

  async get(id: number): Promise<ReviewChange | undefined> {
    const row = this.stmt.get.get(id);
    return row ? toChange(row) : undefined;
  }

  async list(limit: number): Promise<ReviewChange[]> {
    return this.stmt.list.all(limit).map(toChange);
  }

  async active(): Promise<ReviewChange[]> {
    return this.stmt.active.all().map(toChange);
  }

  async version(): Promise<string> {
    return String(this.stmt.version.get());
  }
}
