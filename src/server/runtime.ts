/**
 * What every entry point (server, Telegram polling) opens from the configuration: content,
 * storage (SQLite or PostgreSQL), the pseudonym secret, statistics. One place, so they agree.
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { loadKnowledge, type Knowledge } from '../core/knowledge.js';
import { DEFAULT_CONTENT_DIR, InvalidContentError } from '../core/content/loader.js';
import { loadScript, scriptErrors, type Script } from '../core/dialog/script.js';
import { DialogEngine } from '../core/dialog/engine.js';
import { nullSink, type EventSink } from '../core/stats/events.js';
import type { StatsStore } from '../core/stats/store.js';
import { StatsSink } from '../core/stats/sink.js';
import { scheduleStatsRetention } from '../core/stats/retention.js';
import { scheduleProcessedPruning } from '../storage/processed-pruning.js';
import { openStorage } from '../storage/open.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { SqliteStatsStore } from '../storage/sqlite-stats.js';
import type { PostgresStorage } from '../storage/postgres.js';
import type { Storage } from '../storage/storage.js';
import { resolveSecret } from './secrets.js';
import { loadCommunes, type CommuneDirectory } from '../core/communes/directory.js';
import { CachedReferralDirectory, type ReferralDirectory } from '../core/referral.js';
import { ReviewService } from '../core/review/service.js';
import { openReviewStore } from '../storage/open-review.js';

export interface Runtime {
  knowledge: Knowledge;
  script: Script;
  /** CONTENT_DIR/communes.yaml; empty without the file (single-commune). */
  communes: CommuneDirectory;
  storage: Storage;
  secret: string;
  statsStore: StatsStore;
  sink: EventSink;
  /** Officials' phrasings and dismissals from the review list, applied to `knowledge`. */
  review: ReviewService;
  /** The content files (for the dashboard's patch export). */
  contentDir: string;
  /** Stops timers and closes storage. */
  close: () => Promise<void>;
}

/** Statistics live in the same database as the conversations. */
async function openStatsStore(storage: Storage): Promise<StatsStore> {
  if (storage instanceof SqliteStorage) return new SqliteStatsStore(storage.db);
  const { PostgresStatsStore } = await import('../storage/postgres-stats.js');
  return new PostgresStatsStore((storage as PostgresStorage).pool);
}

export async function openRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const contentDir = config.CONTENT_DIR ? resolve(config.CONTENT_DIR) : DEFAULT_CONTENT_DIR;
  const knowledge = loadKnowledge(contentDir);
  const script = loadScript(join(contentDir, 'dialog.yaml'));
  const menuErrors = scriptErrors(script, knowledge.content);
  if (menuErrors.length > 0) throw new InvalidContentError(menuErrors);
  const communes = loadCommunes(contentDir);
  const dataDir = resolve(config.DATA_DIR);
  const storage = await openStorage({
    databaseUrl: config.DATABASE_URL,
    dataDir,
    onError: (err) => logger.warn({ err }, 'PostgreSQL: mất kết nối'),
  });
  const { secret, source } = await resolveSecret({ storage, dataDir, fromEnv: config.STATS_SECRET });
  if (source === 'database') logger.info('Khóa ẩn danh (STATS_SECRET) lấy từ PostgreSQL, dùng chung cho mọi phiên bản máy chủ');
  const statsStore = await openStatsStore(storage);
  const sink = new StatsSink({ store: statsStore, onError: (err) => logger.error({ err }, 'ghi thống kê thất bại') });
  const stopRetention = scheduleStatsRetention(statsStore, {
    retentionDays: config.STATS_RETENTION_DAYS,
    onPurged: (n) => n > 0 && logger.info({ deleted: n }, 'đã xóa thống kê cũ'),
    onError: (err) => logger.error({ err }, 'xóa thống kê cũ thất bại'),
  });
  const stopPruning = scheduleProcessedPruning(storage, {
    onError: (err) => logger.error({ err }, 'xóa dấu cập nhật đã xử lý thất bại'),
  });
  const review = new ReviewService({
    store: await openReviewStore(storage),
    knowledge,
    onError: (err) => logger.error({ err }, 'áp dụng cách hỏi mới của cán bộ thất bại'),
    onRebuilt: ({ ms, phrasings }) => logger.info({ ms, phrasings }, 'đã dựng lại chỉ mục câu hỏi với cách hỏi cán bộ thêm'),
  });
  // The phrasings officials added are answered from the first question on, then kept in step
  // with other instances (a change made on one reaches the others within REVIEW_SYNC_SECONDS).
  await review.refresh();
  const stopReviewSync = review.sync(config.REVIEW_SYNC_SECONDS * 1000);
  return {
    knowledge,
    script,
    communes,
    storage,
    secret,
    statsStore,
    sink,
    review,
    contentDir,
    close: async () => {
      stopReviewSync();
      stopRetention();
      stopPruning();
      await statsStore.drain?.();
      await storage.close();
    },
  };
}

/** The dialog engine as configured (shared by the server and the polling command). */
export function createEngine(
  config: Config,
  deps: { knowledge: Knowledge; script: Script; storage: Storage; sink?: EventSink; communes?: CommuneDirectory; referrals?: ReferralDirectory },
): DialogEngine {
  return new DialogEngine({
    ...(deps.communes ? { communes: deps.communes } : {}),
    knowledge: deps.knowledge,
    script: deps.script,
    storage: deps.storage,
    sink: deps.sink ?? nullSink,
    communeName: config.COMMUNE_NAME,
    communeContact: config.COMMUNE_CONTACT,
    expiryMs: config.CONVERSATION_EXPIRY_HOURS * 3600_000,
    flood: { max: config.FLOOD_MAX_MESSAGES, windowMs: config.FLOOD_WINDOW_SECONDS * 1000 },
    // Volunteer teams' codes typed as a message (Zalo OA) are read against the stored teams.
    referrals: deps.referrals ?? new CachedReferralDirectory(deps.storage),
  });
}
