/**
 * The one storage interface of the bot. The core and the channels depend on this, never on a
 * database driver: SQLite is the embedded default, PostgreSQL can implement the same contract.
 * Keys are pseudonymous (HMAC of channel + user id): no raw user id is ever stored.
 */
export interface ConversationRecord<S = unknown> {
  state: S;
  updatedAt: number;
}

export interface UserDataDeleted {
  conversations: number;
  values: number;
  statistics: number;
}

/** A volunteer team and its referral code (issue 14). No personal data: a team name, a commune id. */
export interface Team {
  /** Upper-case, unique; see isReferralCode (src/core/referral.ts). */
  code: string;
  name: string;
  /** Commune id (communes.yaml), or null on a single-commune server. */
  commune: string | null;
  createdAt: number;
}

export interface Storage {
  /** Ready to serve: opened, migrated. */
  readonly kind: 'sqlite' | 'postgres';

  getConversation<S>(key: string): Promise<ConversationRecord<S> | undefined>;
  saveConversation<S>(key: string, state: S, now?: number): Promise<void>;
  deleteConversation(key: string): Promise<void>;
  /** Conversations idle since before `olderThan` (epoch ms), oldest first, at most `limit`. */
  listIdleConversations<S>(olderThan: number, limit: number): Promise<Array<{ key: string } & ConversationRecord<S>>>;

  /**
   * Records that an incoming update was handled. Returns true the first time a (scope, id)
   * pair is seen, false for a redelivery. Persisted: a restart does not forget.
   */
  markProcessed(scope: string, id: string, now?: number): Promise<boolean>;
  /** Un-marks one id, so that a redelivery after a failed attempt is processed. */
  forgetProcessed(scope: string, id: string): Promise<void>;
  /** Forgets processed ids older than `olderThan` (epoch ms). */
  pruneProcessed(olderThan: number): Promise<number>;

  /** Small values that must survive restarts (tokens, secrets). */
  getValue(key: string): Promise<string | undefined>;
  setValue(key: string, value: string): Promise<void>;
  /**
   * Stores `value` under `key` unless a value is already there, atomically (two instances
   * racing both get the one that won); returns the stored value.
   */
  setValueIfAbsent(key: string, value: string): Promise<string>;
  deleteValue(key: string): Promise<void>;

  /** Stores a new team; false (and nothing stored) when a team already has its code. */
  createTeam(team: Team): Promise<boolean>;
  /** Every team, oldest first. */
  listTeams(): Promise<Team[]>;
  /** The team with this code (stored upper-case; the lookup is too), if any. */
  getTeam(code: string): Promise<Team | undefined>;
  /** Gives a team a new name (its code, commune and counts stay); false when no team has the code. */
  renameTeam(code: string, name: string): Promise<boolean>;

  /**
   * Runs `fn` while holding the named lock, so that only one holder at a time does a critical
   * operation (e.g. spending a single-use Zalo refresh token). SQLite: in-process; a shared
   * database implementation must make it cross-instance (advisory lock).
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;

  /**
   * Erases one person's data (a data-subject request: Zalo's `user_withdraw`, or "xóa dữ liệu
   * của tôi" typed on any channel): the conversation under `userKey`, the small values filed
   * under it (keys ending in ":" + userKey: numbered choices, shares) and the statistics filed
   * under `statsKey` (the shortened key the statistics use). Returns how many of each went.
   */
  deleteUserData(userKey: string, statsKey: string): Promise<UserDataDeleted>;

  /** Cheap round trip, for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
