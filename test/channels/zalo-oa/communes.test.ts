/**
 * Two communes' own Zalo OAs on one server (communes.yaml names their env vars): each OA's
 * webhook /webhooks/zalo/<id> checks its own signature, answers with its commune's police
 * through its own access token, and keeps its users and tokens apart. Real HTTP to the Zalo fake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ZaloFake, OA_SEND_PATH } from '../../helpers/zalo-fake.js';
import { makeApp, type TestApp } from '../../helpers/app.js';
import { CommuneDirectory, loadCommunes } from '../../../src/core/communes/directory.js';
import { textEvent } from './setup.js';

const COMMUNES_FIXTURE = new URL('../../fixtures/communes/', import.meta.url).pathname;
const OA = {
  'loc-hoa': { appId: '1111111111111111111', key: 'loc-hoa-oa-secret-key', token: 'AT-LOC-HOA' },
  'nam-dinh': { appId: '2222222222222222222', key: 'nam-dinh-oa-secret-key', token: 'AT-NAM-DINH' },
} as const;
type Id = keyof typeof OA;
const envName = (id: Id, what: string) => `${id.replace('-', '_').toUpperCase()}_ZALO_${what}`;
const communes = new CommuneDirectory(
  loadCommunes(COMMUNES_FIXTURE).list.map((c) => ({
    ...c,
    telegram: undefined,
    zaloOa: { appIdEnv: envName(c.id as Id, 'APP_ID'), oaSecretKeyEnv: envName(c.id as Id, 'OA_SECRET_KEY'), accessTokenEnv: envName(c.id as Id, 'ACCESS_TOKEN'), refreshTokenEnv: envName(c.id as Id, 'REFRESH_TOKEN') },
  })),
);
const env = Object.fromEntries(
  (Object.keys(OA) as Id[]).flatMap((id) => [
    [envName(id, 'APP_ID'), OA[id].appId],
    [envName(id, 'OA_SECRET_KEY'), OA[id].key],
    [envName(id, 'ACCESS_TOKEN'), OA[id].token],
    [envName(id, 'REFRESH_TOKEN'), `RT-${id}`],
  ]),
);

let fake: ZaloFake;
let t: TestApp;
beforeAll(async () => {
  fake = await new ZaloFake().start();
  t = await makeApp({ ZALO_API_BASE: fake.baseUrl, ZALO_OAUTH_BASE: fake.baseUrl }, { deps: () => ({ communes, env }) });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const post = (id: Id, event: Record<string, unknown>, signAs: Id = id) => {
  const raw = JSON.stringify({ ...event, app_id: OA[signAs].appId });
  const mac = 'mac=' + createHash('sha256').update(OA[signAs].appId + raw + String(event.timestamp) + OA[signAs].key, 'utf8').digest('hex');
  return t.app.inject({ method: 'POST', url: `/webhooks/zalo/${id}`, headers: { 'content-type': 'application/json', 'x-zevent-signature': mac }, payload: raw });
};
/** Messages sent with one OA's access token, once one names a police phone (the replies run after the 200). */
async function sentWith(token: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const sent = fake.requests
      .filter((r) => r.path === OA_SEND_PATH && r.headers['access_token'] === token)
      .map((r) => JSON.stringify(r.body))
      .join('\n');
    if (sent.includes('0228')) return sent;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`nothing sent with ${token}`);
}

describe('Zalo OAs of two communes on one server', () => {
  it('registers one webhook per commune OA', () => {
    expect(t.channels).toEqual(expect.arrayContaining(['zalo-oa/loc-hoa', 'zalo-oa/nam-dinh']));
  });

  it("each commune's OA answers with its own police phone number, through its own token", async () => {
    const user = '8830392714512213999';
    expect((await post('loc-hoa', textEvent('số điện thoại công an xã', { userId: user }))).statusCode).toBe(200);
    expect((await post('nam-dinh', textEvent('số điện thoại công an xã', { userId: user }))).statusCode).toBe(200);
    const locHoa = await sentWith(OA['loc-hoa'].token);
    const namDinh = await sentWith(OA['nam-dinh'].token);
    expect(locHoa).toContain('0228 111 2222');
    expect(locHoa).not.toContain('0228 333 4444');
    expect(namDinh).toContain('0228 333 4444');
    expect(namDinh).not.toContain('0228 111 2222');
  });

  it("an event signed with another commune's OA key is refused", async () => {
    expect((await post('loc-hoa', textEvent('xin chào'), 'nam-dinh')).statusCode).toBe(401);
    expect((await post('khong-co' as Id, textEvent('xin chào'), 'loc-hoa')).statusCode).toBe(404);
  });
});
