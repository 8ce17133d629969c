/** The few logger methods the Zalo code uses; a pino or Fastify logger fits. */
export interface ChannelLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: ChannelLogger = { debug() {}, info() {}, warn() {}, error() {} };

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry schedule for calls to Zalo: bounded, exponential, small by default. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  maxTries?: number;
  /** Delay before the second attempt; doubled each time (default 500 ms). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

export function backoffDelay(attempt: number, o: RetryOptions): number {
  const base = o.baseDelayMs ?? 500;
  return Math.min(base * 2 ** (attempt - 1), o.maxDelayMs ?? 8_000);
}
