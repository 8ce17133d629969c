/** Shared set-up of the Zalo OA tests: a real Fastify app on 127.0.0.1 with the plugin, a fake Zalo, signing. */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { SqliteStorage } from '../../../src/storage/sqlite.js';
import type { DialogEvent, EventContext, EventSink } from '../../../src/core/stats/events.js';
import { zaloOaPlugin, type ZaloOaConfig, type ZaloOaPluginOptions } from '../../../src/channels/zalo-oa/plugin.js';
import { WorkQueue } from '../../../src/channels/zalo-oa/queue.js';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { makeEngine, tempDir } from '../../helpers/engine.js';
import { ZaloFake } from '../../helpers/zalo-fake.js';

export const APP_ID = '4318921733410977391';
export const OA_SECRET_KEY = 'oa-secret-key-for-tests';
export const SECRET = 'pseudonym-secret-for-tests-0123456789';

export function oaConfig(fake: ZaloFake, extra: Partial<ZaloOaConfig> = {}): ZaloOaConfig {
  return {
    ZALO_APP_ID: APP_ID,
    ZALO_OA_SECRET_KEY: OA_SECRET_KEY,
    ZALO_APP_SECRET: 'app-secret-for-tests',
    ZALO_ACCESS_TOKEN: 'AT-0',
    ZALO_REFRESH_TOKEN: 'RT-0',
    ZALO_API_BASE: fake.baseUrl,
    ZALO_OAUTH_BASE: fake.baseUrl,
    ZALO_REPLAY_WINDOW_MINUTES: 120,
    // Most tests look at the exact button JSON; the numbered default has its own tests.
    ZALO_OA_CHOICES: 'buttons',
    ...extra,
  };
}

/** Written independently of src/ on purpose: SHA-256 of app_id + raw body + timestamp + OA secret key. */
export function sign(raw: string, timestamp: string, key = OA_SECRET_KEY, appId = APP_ID): string {
  return 'mac=' + createHash('sha256').update(appId + raw + timestamp + key, 'utf8').digest('hex');
}

export class MemorySink implements EventSink {
  readonly events: Array<{ event: DialogEvent; context: EventContext }> = [];
  async record(event: DialogEvent, context: EventContext): Promise<void> {
    this.events.push({ event, context });
  }
  ofType<T extends DialogEvent['type']>(type: T) {
    return this.events.filter((e) => e.event.type === type) as Array<{ event: Extract<DialogEvent, { type: T }>; context: EventContext }>;
  }
}

export interface OaHarness {
  app: FastifyInstance;
  url: string;
  storage: SqliteStorage;
  queue: WorkQueue;
  sink: MemorySink;
  logs: string[];
  post(body: string, headers?: Record<string, string>): Promise<Response>;
  /** Posts a correctly signed event (timestamp taken from the body). */
  postSigned(event: Record<string, unknown> | string): Promise<Response>;
  close(): Promise<void>;
}

export async function startOa(
  fake: ZaloFake,
  file: string,
  options: Partial<ZaloOaPluginOptions> & { engine?: ZaloOaPluginOptions['engine']; configExtra?: Partial<ZaloOaConfig>; sinkFor?: (storage: SqliteStorage) => EventSink } = {},
): Promise<OaHarness> {
  const storage = new SqliteStorage(file);
  const sink = new MemorySink();
  const { configExtra, sinkFor, ...pluginOptions } = options;
  const engineSink = sinkFor ? sinkFor(storage) : sink;
  const queue = options.queue ?? new WorkQueue();
  const logs: string[] = [];
  const app = Fastify({ logger: { level: 'debug', stream: { write: (line: string) => void logs.push(line) } } });
  await app.register(zaloOaPlugin, {
    config: oaConfig(fake, configExtra),
    rateLimit: { baseDelayMs: 5, maxDelayMs: 20, maxWaitMs: 60 },
    storageRetry: { baseDelayMs: 20, maxDelayMs: 50 },
    engine: pluginOptions.engine ?? makeEngine(storage, { sink: engineSink }),
    storage,
    secret: SECRET,
    sink,
    queue,
    autoRefresh: false,
    retry: { maxTries: 3, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 },
    ...pluginOptions,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}${options.path ?? '/webhooks/zalo'}`;
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return {
    app,
    url,
    storage,
    queue,
    sink,
    logs,
    post,
    postSigned: (event) => {
      const raw = typeof event === 'string' ? event : JSON.stringify(event);
      const ts = /"timestamp"\s*:\s*"?(\d+)/.exec(raw)?.[1] ?? '';
      return post(raw, { 'x-zevent-signature': sign(raw, ts) });
    },
    close: async () => {
      await app.close();
      await storage.close();
    },
  };
}

/** What startOa takes besides the fake and the database file. */
export type OaOptions = NonNullable<Parameters<typeof startOa>[2]>;

/**
 * The lifecycle every Zalo OA test file needs, registered in the calling file: one fake Zalo API
 * for the file, a fresh directory (and SQLite file) per test, and the plugin a test starts with
 * `start()` closed after it.
 */
export function oaSuite(prefix: string) {
  const fake = new ZaloFake();
  let dir: ReturnType<typeof tempDir> | undefined;
  let running: OaHarness | undefined;
  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    dir = tempDir(prefix);
    fake.reset();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    dir?.cleanup();
  });
  const dbFile = () => join(dir!.dir, 'db.sqlite');
  return {
    fake,
    dbFile,
    /** Starts the plugin on this test's database; it is closed after the test. */
    start: async (options: OaOptions = {}) => (running = await startOa(fake, dbFile(), options)),
  };
}

// ——— real-shaped events (ids as strings, timestamp a string of epoch ms) ———

export const OA_ID = '2491302944280861639';
export const USER_ID = '8830392714512213376';

let counter = 0;
export const nextMsgId = () => `a1b2c3d4e5f6${String(++counter).padStart(4, '0')}`;

export function textEvent(text: string, o: { userId?: string; msgId?: string; timestamp?: number } = {}) {
  return {
    event_name: 'user_send_text',
    app_id: APP_ID,
    sender: { id: o.userId ?? USER_ID },
    recipient: { id: OA_ID },
    message: { text, msg_id: o.msgId ?? nextMsgId() },
    timestamp: String(o.timestamp ?? Date.now()),
    user_id_by_app: '5520199330041128811',
  };
}

const ATTACHMENTS: Record<string, { type: string; payload: Record<string, unknown> }> = {
  user_send_image: { type: 'image', payload: { url: 'https://photo.zalo.example/x.jpg', thumbnail: 'https://photo.zalo.example/t.jpg' } },
  user_send_gif: { type: 'gif', payload: { url: 'https://photo.zalo.example/x.gif', thumbnail: 'https://photo.zalo.example/t.gif' } },
  user_send_sticker: { type: 'sticker', payload: { id: 'bfe458bf64fa8da4d4eb', url: 'https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=1' } },
  user_send_audio: { type: 'audio', payload: { url: 'https://voice.zalo.example/a.aac' } },
  user_send_video: { type: 'video', payload: { url: 'https://video.zalo.example/v.mp4', thumbnail: 'https://video.zalo.example/t.jpg', description: '' } },
  user_send_file: { type: 'file', payload: { url: 'https://file.zalo.example/f.pdf', size: '12345', name: 'giay-to.pdf', checksum: 'abc', type: 'pdf' } },
  user_send_location: { type: 'location', payload: { coordinates: { latitude: '21.0285', longitude: '105.8542' } } },
  user_send_link: { type: 'link', payload: { url: 'https://vneid.gov.vn', description: 'VNeID', thumbnail: '' } },
  user_send_business_card: { type: 'business_card', payload: { thumbnail: '', description: '{"phone":"0900000000","qr_code_url":""}' } },
};
export const NON_TEXT_EVENTS = Object.keys(ATTACHMENTS);

export function attachmentEvent(eventName: string, o: { userId?: string; msgId?: string } = {}) {
  return {
    event_name: eventName,
    app_id: APP_ID,
    sender: { id: o.userId ?? USER_ID },
    recipient: { id: OA_ID },
    message: { msg_id: o.msgId ?? nextMsgId(), attachments: [ATTACHMENTS[eventName]] },
    timestamp: String(Date.now()),
    user_id_by_app: '5520199330041128811',
  };
}

export function followEvent(eventName: 'follow' | 'unfollow', o: { userId?: string; timestamp?: number } = {}) {
  return {
    oa_id: OA_ID,
    follower: { id: o.userId ?? USER_ID },
    user_id_by_app: '5520199330041128811',
    event_name: eventName,
    source: 'oa_profile',
    app_id: APP_ID,
    timestamp: String(o.timestamp ?? Date.now()),
  };
}

/** Echo of a message the OA sent (sender is the OA). */
export function oaSendEvent(eventName = 'oa_send_text') {
  return {
    event_name: eventName,
    app_id: APP_ID,
    sender: { id: OA_ID },
    recipient: { id: USER_ID },
    message: { text: 'Bạn cần hỗ trợ gì?', msg_id: nextMsgId() },
    timestamp: String(Date.now()),
  };
}

export function receiptEvent(eventName: 'user_received_message' | 'user_seen_message') {
  return {
    event_name: eventName,
    app_id: APP_ID,
    sender: { id: USER_ID },
    recipient: { id: OA_ID },
    message: { msg_ids: [nextMsgId()] },
    timestamp: String(Date.now()),
  };
}

// ——— the real payloads of ../shared/reference/zalo-samples (verbatim bytes) ———

export const SAMPLES_DIR = new URL('../../../../shared/reference/zalo-samples/', import.meta.url).pathname;

/** A sample file's bytes as published. */
export function sampleRaw(kind: 'oa' | 'bot', name: string): string {
  return readFileSync(`${SAMPLES_DIR}${kind}/${name}`, 'utf8');
}

export function sampleNames(kind: 'oa' | 'bot'): string[] {
  return readdirSync(`${SAMPLES_DIR}${kind}`).filter((f) => f.endsWith('.json')).sort();
}

/**
 * The sample verbatim except its timestamp, which becomes `at` (the samples date from 2018,
 * outside any replay window). Only the digits of the timestamp value change: every other byte,
 * spacing included, is the published one, and the signature covers exactly these bytes.
 */
export function freshSample(name: string, at = Date.now()): string {
  const raw = sampleRaw('oa', name);
  const fresh = raw.replace(/("timestamp"\s*:\s*")\d+(")/, `$1${at}$2`);
  if (fresh === raw) throw new Error(`${name}: no timestamp`);
  return fresh;
}
