/**
 * The reporter vault seals who raised a concern: a database reader sees ciphertext and a keyed
 * tag, never the member id; the current key and previous keys open it; `reseal` converts records
 * written before sealing and those under a previous key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeyText, parseKey, PrivacyKeys } from '../privacy/privacy-keys.js';
import { startTestApp, TEST_MARKER_KEY, TEST_SEAL_KEY, type TestApp } from '../../test/support/test-app.js';
import { ReporterVault } from './reporter-vault.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const at = new Date('2026-11-25T02:00:00Z');

describe('the reporter vault', () => {
  it('stores only ciphertext and a keyed tag; finds the reporter\'s concerns and relays to them', async () => {
    const vault = app.services.concerns.vault;
    expect(await vault.seal('PA-SEA1', 'm-sealed-reporter', true, at)).toBe(true);
    const raw = await app.conn.db!.collection('concern_reporters').findOne({ _id: 'PA-SEA1' as never });
    expect(JSON.stringify(raw)).not.toContain('m-sealed-reporter');
    expect(raw).toMatchObject({ sealed: expect.any(String), reporterTag: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(raw).not.toHaveProperty('memberId');
    expect(await vault.codesOf('m-sealed-reporter')).toEqual(['PA-SEA1']);
    expect(await vault.isReporter('PA-SEA1', 'm-sealed-reporter')).toBe(true);
    expect(await vault.isReporter('PA-SEA1', 'm-someone-else')).toBe(false);
    expect(await vault.relayTarget('PA-SEA1', 'test', at, 'k1')).toBe('m-sealed-reporter');
    // Another code's owner cannot claim it.
    expect(await vault.seal('PA-SEA1', 'm-someone-else', true, at)).toBe(false);
  });

  it('without the key the link cannot be opened', async () => {
    const other = new ReporterVault(app.models, app.services.concerns.cm, app.services.audit, new PrivacyKeys(parseKey(newKeyText())!, parseKey(TEST_MARKER_KEY)!));
    await expect(other.relayTarget('PA-SEA1', 'test', at, 'k2')).rejects.toThrow(/REPORTER_SEAL_KEY/);
  });

  it('reseal converts records written before sealing and re-seals under a new key, keeping the old one readable meanwhile', async () => {
    const cm = app.services.concerns.cm;
    await cm.ConcernReporter.create({ _id: 'PA-OLD1', memberId: 'm-legacy', anonymous: true, createdAt: at });
    expect(await app.services.concerns.vault.codesOf('m-legacy')).toEqual(['PA-OLD1']);
    expect(await app.services.concerns.vault.reseal()).toBe(1);
    const converted = await app.conn.db!.collection('concern_reporters').findOne({ _id: 'PA-OLD1' as never });
    expect(JSON.stringify(converted)).not.toContain('m-legacy');

    // Rotation: a new seal key, the old one as previous.
    const rotated = new PrivacyKeys(parseKey(newKeyText())!, parseKey(TEST_MARKER_KEY)!, [parseKey(TEST_SEAL_KEY)!]);
    const vault = new ReporterVault(app.models, cm, app.services.audit, rotated);
    expect(await vault.relayTarget('PA-OLD1', 'test', at, 'k3')).toBe('m-legacy');
    expect(await vault.reseal()).toBe(2); // PA-SEA1 and PA-OLD1
    expect(await vault.reseal()).toBe(0);
    const onlyNew = new ReporterVault(app.models, cm, app.services.audit, new PrivacyKeys((rotated as unknown as { sealKey: Buffer }).sealKey, parseKey(TEST_MARKER_KEY)!));
    expect(await onlyNew.relayTarget('PA-OLD1', 'test', at, 'k4')).toBe('m-legacy');
  });
});
