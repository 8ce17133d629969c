/**
 * ReviewStore over PostgreSQL (the `review_changes` table from PostgresStorage's migrations), so
 * that every instance sharing the database sees the same officials' changes.
 */
import type pg from 'pg';
import type { NewReviewChange, ReviewChange, ReviewStore } from '../core/review/changes.js';

interface Row {
  id: string;
  at: string;
  kind: string;
  entry_id: string | null;
  text: string;
  normalized: string;
  made_by: string;
  undone_at: string | null;
  undone_by: string | null;
}

const COLUMNS = 'id, at, kind, entry_id, text, normalized, made_by, undone_at, undone_by';

// pg returns bigint as a string; ids and epoch ms are well inside Number's safe range.
const toChange = (r: Row): ReviewChange => ({
  id: Number(r.id),
  at: Number(r.at),
  kind: r.kind === 'phrasing' ? 'phrasing' : 'dismissal',
  entryId: r.entry_id,
  text: r.text,
  normalized: r.normalized,
  by: r.made_by,
  undoneAt: r.undone_at === null ? null : Number(r.undone_at),
  undoneBy: r.undone_by,
});

export class PostgresReviewStore implements ReviewStore {
  constructor(private readonly pool: Pick<pg.Pool, 'query'>) {}

  async add(c: NewReviewChange): Promise<ReviewChange> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO review_changes (at, kind, entry_id, text, normalized, made_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [c.at, c.kind, c.entryId, c.text, c.normalized, c.by],
    );
    return toChange(rows[0]!);
  }

  async undo(id: number, by: string, at: number): Promise<ReviewChange | undefined> {
    const { rows } = await this.pool.query<Row>(`UPDATE review_changes SET undone_at = $1, undone_by = $2 WHERE id = $3 AND undone_at IS NULL RETURNING ${COLUMNS}`, [at, by, id]);
    return rows[0] ? toChange(rows[0]) : undefined;
  }

  async get(id: number): Promise<ReviewChange | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM review_changes WHERE id = $1`, [id]);
    return rows[0] ? toChange(rows[0]) : undefined;
  }

  async list(limit: number): Promise<ReviewChange[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM review_changes ORDER BY id DESC LIMIT $1`, [limit]);
    return rows.map(toChange);
  }

  async active(): Promise<ReviewChange[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM review_changes WHERE undone_at IS NULL ORDER BY id`);
    return rows.map(toChange);
  }

  /** One index lookup and a count over a table of a few hundred rows: cheap enough to poll. */
  async version(): Promise<string> {
    const { rows } = await this.pool.query<{ v: string }>("SELECT COALESCE(MAX(id), 0)::text || ':' || COUNT(undone_at)::text AS v FROM review_changes");
    return rows[0]!.v;
  }
}
