/**
 * The channels of each commune (communes.yaml): its own Telegram bot and Zalo OA. The file names
 * the environment variables; their values are read here, at start-up, and checked like every
 * other setting (config.ts): a missing or malformed one stops the server with one line naming the
 * commune and the variable.
 */
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import type { CommuneDirectory } from '../core/communes/directory.js';
import type { ZaloOaConfig } from '../channels/zalo-oa/plugin.js';

export interface CommuneTelegram {
  commune: string;
  token: string;
  webhookSecret: string;
  /** The bot's username (usernameEnv), for the t.me links of the commune's volunteer posters. */
  username?: string;
}

export interface CommuneZaloOa {
  commune: string;
  /** The OA's id and name (oaIdEnv, oaNameEnv), for the zalo.me links of the commune's volunteer posters. */
  oaId?: string;
  oaName?: string;
  /** The OA's settings in the shape of the single-OA configuration (hosts and replay window shared). */
  config: ZaloOaConfig;
}

const TELEGRAM_TOKEN = /^\d+:[A-Za-z0-9_-]{20,}$/;
const TELEGRAM_SECRET = /^[A-Za-z0-9_-]{16,256}$/;
const DIGITS = /^\d+$/;

export function communeChannels(
  communes: CommuneDirectory | undefined,
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): { telegram: CommuneTelegram[]; zaloOa: CommuneZaloOa[] } {
  const telegram: CommuneTelegram[] = [];
  const zaloOa: CommuneZaloOa[] = [];
  const problems: string[] = [];
  const read = (commune: string, name: string, shape?: RegExp, expected?: string): string | undefined => {
    const value = env[name]?.trim();
    if (!value) {
      problems.push(`${name} (xã/phường "${commune}" trong communes.yaml): chưa đặt`);
      return undefined;
    }
    if (shape && !shape.test(value)) {
      problems.push(`${name} (xã/phường "${commune}"): ${expected}`);
      return undefined;
    }
    return value;
  };
  const optional = (name: string | undefined) => (name ? env[name]?.trim() || undefined : undefined);

  const tokens = new Map<string, string>(config.TELEGRAM_BOT_TOKEN ? [[config.TELEGRAM_BOT_TOKEN, 'TELEGRAM_BOT_TOKEN']] : []);
  for (const c of communes?.list ?? []) {
    if (c.telegram) {
      const token = read(c.id, c.telegram.tokenEnv, TELEGRAM_TOKEN, 'dạng <số>:<chuỗi> như BotFather cấp');
      const webhookSecret = read(c.id, c.telegram.webhookSecretEnv, TELEGRAM_SECRET, '16–256 ký tự A-Z a-z 0-9 _ -');
      // One bot has one webhook: two routes for the same token would steal each other's updates.
      const other = token ? tokens.get(token) : undefined;
      if (token && other) problems.push(`${c.telegram.tokenEnv} (xã/phường "${c.id}"): cùng token với ${other}, mỗi bot chỉ có một webhook`);
      else if (token && webhookSecret) {
        tokens.set(token, c.telegram.tokenEnv);
        const username = optional(c.telegram.usernameEnv)?.replace(/^@/, '');
        telegram.push({ commune: c.id, token, webhookSecret, ...(username ? { username } : {}) });
      }
    }
    if (c.zaloOa) {
      const appId = read(c.id, c.zaloOa.appIdEnv, DIGITS, 'chuỗi số (App ID của ứng dụng Zalo)');
      const secretKey = read(c.id, c.zaloOa.oaSecretKeyEnv);
      if (appId && secretKey) {
        const appSecret = optional(c.zaloOa.appSecretEnv);
        const accessToken = optional(c.zaloOa.accessTokenEnv);
        const refreshToken = optional(c.zaloOa.refreshTokenEnv);
        const oaId = c.zaloOa.oaIdEnv ? read(c.id, c.zaloOa.oaIdEnv, DIGITS, 'chuỗi số (OA ID trong trang quản lý Zalo OA)') : undefined;
        const oaName = optional(c.zaloOa.oaNameEnv);
        zaloOa.push({
          commune: c.id,
          ...(oaId ? { oaId } : {}),
          ...(oaName ? { oaName } : {}),
          config: {
            ZALO_APP_ID: appId,
            ZALO_OA_SECRET_KEY: secretKey,
            ...(appSecret ? { ZALO_APP_SECRET: appSecret } : {}),
            ...(accessToken ? { ZALO_ACCESS_TOKEN: accessToken } : {}),
            ...(refreshToken ? { ZALO_REFRESH_TOKEN: refreshToken } : {}),
            ZALO_API_BASE: config.ZALO_API_BASE,
            ZALO_OAUTH_BASE: config.ZALO_OAUTH_BASE,
            ZALO_REPLAY_WINDOW_MINUTES: config.ZALO_REPLAY_WINDOW_MINUTES,
          },
        });
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(`Cấu hình sai — ${problems.join('; ')}`);
  return { telegram, zaloOa };
}
