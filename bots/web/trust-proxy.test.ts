/**
 * Behind a reverse proxy (TRUST_PROXY names it), the sign-in limit counts each person's address
 * from X-Forwarded-For, not the proxy's: one address over the limit is refused while another
 * still gets in. Without TRUST_PROXY the header is ignored (core/config.ts refuses bad values).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { trustProxyOf } from '../http-server.js';
import { startWebServer } from './web-test-client.js';

let app: TestApp;
let server: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = await startTestApp({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' });
  ({ server, base } = await startWebServer(app));
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});

const open = (from: string) => fetch(`${base}/web/login/${'C'.repeat(43)}`, { headers: { 'x-forwarded-for': from }, redirect: 'manual' }).then((r) => r.status);

describe('TRUST_PROXY', () => {
  it('reads the list, and refuses what is not an address or CIDR', () => {
    expect(trustProxyOf(undefined)).toBeUndefined();
    expect(trustProxyOf('127.0.0.1, 10.0.0.0/8,loopback')).toEqual(['127.0.0.1', '10.0.0.0/8', 'loopback']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: '{"$gt": ""}' })).toThrow(/TRUST_PROXY/);
  });

  it('limits sign-in attempts per forwarded address when the proxy is trusted', async () => {
    for (let i = 0; i < 20; i++) expect(await open('203.0.113.5')).toBe(410);
    expect(await open('203.0.113.5')).toBe(429);
    // Someone else behind the same proxy is not held back.
    expect(await open('198.51.100.7')).toBe(410);
  });
});
