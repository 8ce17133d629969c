/**
 * Last-resort handlers for the server process. Node's defaults print the error object whole
 * to stderr (a grammY BotError holds the update, names and the bot token) and stop on an
 * unhandled rejection. Here:
 *  - an unhandled rejection is logged through safeError and counted; the process stays up
 *    (the request it belonged to has already been answered or failed on its own);
 *  - an uncaught exception is logged the same way, then the process exits with 1: the state of
 *    the code that threw is unknown, and the supervisor (Docker, systemd) restarts it.
 */
import type { Logger } from 'pino';

export interface ProcessGuard {
  /** Unhandled rejections seen since start. */
  readonly unhandledRejections: number;
}

export function guardProcess(logger: Logger, proc: NodeJS.Process = process): ProcessGuard {
  let unhandledRejections = 0;
  proc.on('unhandledRejection', (reason: unknown) => {
    unhandledRejections++;
    logger.error({ err: reason, unhandledRejections }, 'lỗi không được xử lý (promise bị từ chối); máy chủ vẫn chạy');
  });
  proc.on('uncaughtException', (err: Error, origin: string) => {
    logger.fatal({ err, origin }, 'lỗi nghiêm trọng không được xử lý; máy chủ dừng để được khởi động lại');
    logger.flush?.();
    proc.exit(1);
  });
  return {
    get unhandledRejections() {
      return unhandledRejections;
    },
  };
}
