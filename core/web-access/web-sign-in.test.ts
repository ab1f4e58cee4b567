/** One-time sign-in links and sessions of the web console, on the real Redis and MongoDB-wire server. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { NotStaffError, SIGN_IN_ATTEMPTS, WEB_LOGIN_TTL_SECONDS } from './web-sign-in.js';

let app: TestApp;

const tokenOf = (url: string) => url.split('/web/login/')[1]!;
const keyOf = (token: string) => `${app.config.REDIS_PREFIX}:web-login:${createHash('sha256').update(token).digest('hex')}`;
const member = async (id: string) => (await app.services.members.get(id))!;

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Thư', roles: ['worker', 'secretariat'], orgUnitId: 'hcm' });
  await addMember(app, { id: 'm-vy', name: 'Vy', roles: ['worker', 'secretariat'], orgUnitId: 'vsip1' });
  await addMember(app, { id: 'm-lan', name: 'Lan', roles: ['worker'], orgUnitId: 'ent-hoa-sen' });
  await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
  await app.models.Member.updateOne({ _id: 'm-vy' }, { $set: { grants: [{ role: 'secretariat', unitId: 'vsip1' }] } });
});
afterAll(async () => app?.close());

describe('web sign-in links', () => {
  it('are 32 random bytes under the base URL, kept hashed in Redis for ten minutes, and audited', async () => {
    const { url, minutes } = await app.services.webSignIn.issueLink(await member('m-thu'), { at: app.clock.now(), via: 'chat' });
    expect(minutes).toBe(10);
    expect(url).toMatch(/^http:\/\/localhost:3000\/web\/login\/[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(tokenOf(url), 'base64url')).toHaveLength(32);
    // The key is the token's hash: a Redis reader cannot sign in with what it sees.
    expect(await app.redis.get(keyOf(tokenOf(url)))).toBe('m-thu');
    expect(await app.redis.keys(`${app.config.REDIS_PREFIX}:web-login:*${tokenOf(url)}*`)).toEqual([]);
    const ttl = await app.redis.ttl(keyOf(tokenOf(url)));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(WEB_LOGIN_TTL_SECONDS);
    expect(await app.models.Audit.countDocuments({ action: 'web.link_issued', actor: 'm-thu', target: 'm-thu', 'details.via': 'chat' })).toBe(1);
  });

  it('are refused to members without a staff role', async () => {
    await expect(app.services.webSignIn.issueLink(await member('m-lan'), { at: app.clock.now(), via: 'chat' })).rejects.toThrow(NotStaffError);
    expect(await app.models.Audit.countDocuments({ action: 'web.link_issued', target: 'm-lan' })).toBe(0);
  });

  it('sign in once: of two uses at the same time exactly one succeeds, and the link is gone after', async () => {
    const { url } = await app.services.webSignIn.issueLink(await member('m-vy'), { at: app.clock.now(), via: 'cli', actor: 'admin-cli' });
    const token = tokenOf(url);
    expect(await app.services.webSignIn.isPending(token)).toBe(true);
    const results = await Promise.all([app.services.webSignIn.redeem(token, app.clock.now()), app.services.webSignIn.redeem(token, app.clock.now())]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const signedIn = results.find(Boolean)!;
    expect(signedIn.member._id).toBe('m-vy');
    expect(signedIn.scope.whole).toBe(false);
    expect(signedIn.scope.has('ent-hoa-sen')).toBe(true);
    expect(signedIn.scope.has('kcn-song-than-2')).toBe(false);
    expect(await app.services.webSignIn.isPending(token)).toBe(false);
    expect(await app.services.webSignIn.redeem(token, app.clock.now())).toBeUndefined();
    expect(await app.models.Audit.countDocuments({ action: 'web.signed_in', actor: 'm-vy' })).toBe(1);
    expect(await app.models.Audit.countDocuments({ action: 'web.link_issued', actor: 'admin-cli', target: 'm-vy', 'details.via': 'cli' })).toBe(1);
  });

  it('do not work once expired, nor with a malformed or unknown token', async () => {
    const { url } = await app.services.webSignIn.issueLink(await member('m-thu'), { at: app.clock.now(), via: 'chat' });
    const token = tokenOf(url);
    // Redis expires the key (EXPIRE 0 is how Redis ends a key's life at once).
    await app.redis.expire(keyOf(token), 0);
    expect(await app.services.webSignIn.redeem(token, app.clock.now())).toBeUndefined();
    for (const bad of ['', 'short', `${token}x`, '{"$gt":""}', 'a'.repeat(43)]) expect(await app.services.webSignIn.redeem(bad, app.clock.now())).toBeUndefined();
  });

  it('do not sign in a member whose staff role was taken away after the link was sent', async () => {
    await addMember(app, { id: 'm-kha', roles: ['worker', 'admin'], orgUnitId: 'hcm' });
    const { url } = await app.services.webSignIn.issueLink(await member('m-kha'), { at: app.clock.now(), via: 'chat' });
    await app.models.Member.updateOne({ _id: 'm-kha' }, { $set: { roles: ['worker'], grants: [] } });
    expect(await app.services.webSignIn.redeem(tokenOf(url), app.clock.now())).toBeUndefined();
  });
});

describe('a session', () => {
  it('re-reads the member: a revoked role ends it at once, a regranted one brings it back', async () => {
    expect((await app.services.webSignIn.staffMember('m-thu', app.clock.now()))?.scope.whole).toBe(true);
    await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { roles: ['worker'], grants: [] } });
    expect(await app.services.webSignIn.staffMember('m-thu', app.clock.now())).toBeUndefined();
    await app.models.Member.updateOne({ _id: 'm-thu' }, { $set: { roles: ['worker', 'secretariat'], grants: [{ role: 'secretariat', unitId: 'hcm' }] } });
    expect(await app.services.webSignIn.staffMember('m-thu', app.clock.now())).toBeDefined();
    expect(await app.services.webSignIn.staffMember('m-lan', app.clock.now())).toBeUndefined();
    expect(await app.services.webSignIn.staffMember('nobody', app.clock.now())).toBeUndefined();
  });
});

describe('sign-in attempts', () => {
  it('are limited per address, counted under a keyed marker of the address', async () => {
    for (let i = 0; i < SIGN_IN_ATTEMPTS; i++) expect(await app.services.webSignIn.attemptAllowed('203.0.113.7')).toBe(true);
    expect(await app.services.webSignIn.attemptAllowed('203.0.113.7')).toBe(false);
    expect(await app.services.webSignIn.attemptAllowed('203.0.113.8')).toBe(true);
    const keys = await app.redis.keys(`${app.config.REDIS_PREFIX}:web-signin:*`);
    expect(keys).toHaveLength(2);
    expect(keys.join()).not.toContain('203.0.113');
  });
});
