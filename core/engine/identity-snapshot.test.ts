import { describe, expect, it } from 'vitest';
import { SNAPSHOT_MAX_AGE_MS, snapshotAfterTurn, usableSnapshot } from './identity-snapshot.js';

const now = new Date('2026-11-27T10:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const snap = (over: Partial<{ memberId: string; chatId: string; checkedAt: Date }> = {}) => ({ memberId: 'm1', chatId: 'c1', checkedAt: ago(60_000), ...over });

describe('the identity snapshot a turn may trust', () => {
  it('is used when it names a member, the event comes from the chat it saw, and it is young enough', () => {
    expect(usableSnapshot({ identity: snap() }, { chatId: 'c1' }, now)).toEqual(snap());
  });

  it('is not used without a conversation or a snapshot', () => {
    expect(usableSnapshot(null, { chatId: 'c1' }, now)).toBeUndefined();
    expect(usableSnapshot({}, { chatId: 'c1' }, now)).toBeUndefined();
  });

  it('is not used when the event comes from another chat (the identity repairs its chat id)', () => {
    expect(usableSnapshot({ identity: snap() }, { chatId: 'c2' }, now)).toBeUndefined();
  });

  it('is not used once older than the limit, nor when dated in the future (a clock moved back)', () => {
    expect(usableSnapshot({ identity: snap({ checkedAt: ago(SNAPSHOT_MAX_AGE_MS - 1) }) }, { chatId: 'c1' }, now)).toBeDefined();
    expect(usableSnapshot({ identity: snap({ checkedAt: ago(SNAPSHOT_MAX_AGE_MS) }) }, { chatId: 'c1' }, now)).toBeUndefined();
    expect(usableSnapshot({ identity: snap({ checkedAt: ago(-1000) }) }, { chatId: 'c1' }, now)).toBeUndefined();
  });

  it('reads a date that came back from storage as a string', () => {
    expect(usableSnapshot({ identity: { ...snap(), checkedAt: ago(1000).toISOString() as unknown as Date } }, { chatId: 'c1' }, now)).toBeDefined();
  });
});

describe('the snapshot committed with a turn', () => {
  it('keeps the time it was checked while the member stays the same', () => {
    expect(snapshotAfterTurn(snap(), { _id: 'm1', status: 'active' }, 'c1', now)).toEqual(snap());
  });

  it('is taken anew when the identity was read, or the turn ended with another member (consent, account link)', () => {
    expect(snapshotAfterTurn(undefined, { _id: 'm1', status: 'active' }, 'c1', now)).toEqual({ memberId: 'm1', chatId: 'c1', checkedAt: now });
    expect(snapshotAfterTurn(snap(), { _id: 'm2', status: 'active' }, 'c1', now)).toEqual({ memberId: 'm2', chatId: 'c1', checkedAt: now });
  });

  it('is left out without an active member (a stranger, an erased profile)', () => {
    expect(snapshotAfterTurn(snap(), null, 'c1', now)).toBeUndefined();
    expect(snapshotAfterTurn(snap(), { _id: 'm1', status: 'erased' as 'active' }, 'c1', now)).toBeUndefined();
  });
});
