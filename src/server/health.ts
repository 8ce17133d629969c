import type { FastifyPluginAsync } from 'fastify';
import type { Storage } from '../storage/storage.js';

export interface HealthOptions {
  storage: Storage;
  /** Extra named checks (e.g. a Zalo token that could not be refreshed). */
  checks?: Array<() => { name: string; ok: boolean }>;
}

/** `GET /healthz`: 200 {"status":"ok"} when content is loaded (it is, or we would not run) and storage answers. */
export const healthPlugin: FastifyPluginAsync<HealthOptions> = async (app, { storage, checks = [] }) => {
  app.get('/healthz', { config: { rateLimit: false } }, async (_req, res) => {
    const failed: string[] = [];
    try {
      await storage.ping();
    } catch {
      failed.push('storage');
    }
    for (const check of checks) {
      const r = check();
      if (!r.ok) failed.push(r.name);
    }
    if (failed.length > 0) return res.code(503).send({ status: 'unhealthy', failed });
    return { status: 'ok' };
  });
};
