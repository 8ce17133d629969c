/**
 * `CONTENT_DIR/communes.yaml`: the communes one server serves, each with its police contact,
 * office hours, old names (communes merged in 2025) and the channels that belong to it. Channel
 * credentials are given as the NAMES of environment variables, never as values: the file is
 * content, reviewed and committed; secrets stay in the environment.
 */
import { z } from 'zod';

/** Stable id, used in URLs (/xa/<id>, /webhooks/telegram/<id>) and statistics. */
export const communeId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'id chỉ gồm chữ thường không dấu, số và dấu gạch ngang (ví dụ: loc-hoa)')
  .max(48, 'id tối đa 48 ký tự');

/** The name of an environment variable (never its value). */
const envName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'tên biến môi trường (chữ IN HOA, số, gạch dưới, ví dụ: LOC_HOA_TELEGRAM_TOKEN), không phải giá trị bí mật');

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** "07:30-11:30" (a hyphen or an en dash). */
const timeRange = z
  .string()
  .trim()
  .regex(/^([01]\d|2[0-3]):[0-5]\d\s*[-–]\s*([01]\d|2[0-3]):[0-5]\d$/, 'khoảng giờ dạng HH:MM-HH:MM, ví dụ 07:30-11:30')
  .refine((r) => {
    const [a, b] = r.split(/\s*[-–]\s*/).map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5)));
    return a! < b!;
  }, 'giờ mở phải trước giờ đóng');

/** Machine-readable office hours: on these days, these opening ranges (Vietnam time). */
export const openingSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS, { message: `ngày là một trong: ${WEEKDAYS.join(', ')}` })).min(1),
    times: z.array(timeRange).min(1),
  })
  .strict();

const text = z.string().trim().min(1);

export const communeSchema = z
  .object({
    id: communeId,
    /** With its kind, as citizens read it: "Xã Lộc Hòa", "Phường Nam Định". */
    name: z.string().trim().min(3).max(80),
    province: z.string().trim().min(3).max(80),
    /** Optional grouping for officials who oversee several communes (a former district, a cluster). */
    district: z.string().trim().min(3).max(80).optional(),
    /** Old names (communes merged in 2025) and other spellings citizens use. */
    aliases: z.array(text).default([]),
    contact: z
      .object({
        phone: z.string().trim().regex(/^[0-9 .()+-]{3,20}$/, 'số điện thoại (chữ số, dấu cách, chấm), ví dụ "0228 111 2222"'),
        address: text,
        /** As citizens read it: "Thứ Hai đến Thứ Sáu, 7:30–11:30 và 13:30–17:00". */
        hours: text,
        /** The same hours, machine-readable: the bot says when the office opens again. */
        open: z.array(openingSchema).optional(),
      })
      .strict(),
    /** This commune's own Telegram bot (webhook /webhooks/telegram/<id>). */
    telegram: z
      .object({ tokenEnv: envName, webhookSecretEnv: envName, usernameEnv: envName.optional() })
      .strict()
      .optional(),
    /** This commune's own Zalo OA (webhook /webhooks/zalo/<id>). */
    zaloOa: z
      .object({
        appIdEnv: envName,
        oaSecretKeyEnv: envName,
        appSecretEnv: envName.optional(),
        accessTokenEnv: envName.optional(),
        refreshTokenEnv: envName.optional(),
        /** The OA's id and display name, for the zalo.me QR codes of the commune's volunteer posters. */
        oaIdEnv: envName.optional(),
        oaNameEnv: envName.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const communesFileSchema = z
  .object({
    communes: z.array(communeSchema).min(1, 'cần ít nhất một xã/phường'),
  })
  .strict();

export type Commune = z.infer<typeof communeSchema>;
export type Opening = z.infer<typeof openingSchema>;
