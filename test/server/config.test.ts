import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { makeApp } from '../helpers/app.js';

describe('configuration', () => {
  it('defaults need no variables at all', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATA_DIR).toBe('./data');
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ TELEGRAM_BOT_TOKEN: 'not-a-token' }, 'TELEGRAM_BOT_TOKEN'],
    [{ PUBLIC_URL: 'example.org' }, 'PUBLIC_URL'],
    [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ZALO_APP_ID: 'abc' }, 'ZALO_APP_ID'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.300' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.2,proxy.internal' }, 'TRUST_PROXY'],
  ])('a bad value stops start-up naming the variable: %o', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}:`));
  });

  it.each([
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', 1],
    ['2', 2],
    ['10.0.0.2', '10.0.0.2'],
    [' 10.0.0.2, 10.0.0.0/24 ,fd00::/8 ', '10.0.0.2,10.0.0.0/24,fd00::/8'],
    ['loopback', 'loopback'],
  ])('TRUST_PROXY=%s: a hop count, proxy addresses, or true/false', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it('the commune contact loses a final full stop: it is set inside sentences that end their own', () => {
    expect(loadConfig({}).COMMUNE_CONTACT).toBe('Trụ sở Công an xã/phường nơi bạn cư trú (giờ hành chính)');
    expect(loadConfig({ COMMUNE_CONTACT: 'Công an xã Tân Lập, 0211 3850 123.' }).COMMUNE_CONTACT).toBe('Công an xã Tân Lập, 0211 3850 123');
    expect(() => loadConfig({ COMMUNE_CONTACT: ' . ' })).toThrow(/COMMUNE_CONTACT:/);
  });

  it('empty values count as unset', () => {
    expect(loadConfig({ PORT: '', TELEGRAM_BOT_TOKEN: '' }).PORT).toBe(3000);
  });

  it('a Telegram token without a webhook secret is refused', async () => {
    await expect(makeApp({ TELEGRAM_BOT_TOKEN: '123:abcdefghijklmnopqrstuvwxyz' })).rejects.toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });

  it('channels switch on when their variables are set', async () => {
    const t = await makeApp({
      TELEGRAM_BOT_TOKEN: '123:abcdefghijklmnopqrstuvwxyz',
      TELEGRAM_WEBHOOK_SECRET: 'secret-secret-secret',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      ZALO_APP_ID: '1234567890',
      ZALO_OA_SECRET_KEY: 'oa-secret',
      ZALO_API_BASE: 'http://127.0.0.1:9',
      ZALO_OAUTH_BASE: 'http://127.0.0.1:9',
      ZALO_BOT_TOKEN: '1:bot-token',
      ZALO_BOT_WEBHOOK_SECRET: 'bot-secret-123',
      ZALO_BOT_API_BASE: 'http://127.0.0.1:9',
    });
    try {
      expect(t.channels).toEqual(['web', 'telegram', 'zalo-oa', 'zalo-bot']);
      // No Zalo token configured: the OA cannot send, and health says so.
      const health = await t.app.inject('/healthz');
      expect(health.statusCode).toBe(503);
      expect(health.json().failed).toContain('zalo-oa-token');
    } finally {
      await t.close();
    }
  });
});
