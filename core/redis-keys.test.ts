/**
 * Redis key names are data: renaming one orphans what Redis holds under the old name. These are
 * the names every family had before they were built in one place; a change here must be meant.
 */
import { describe, expect, it } from 'vitest';
import { RedisKeys } from './redis-keys.js';

describe('Redis keys', () => {
  it('keeps every family under the configured prefix, with its established name', () => {
    const k = new RedisKeys('dh');
    expect(k.bull).toBe('dh:bull');
    expect([k.inbox('w'), k.inboxLock('w'), k.inboxDone('w', 'e1')]).toEqual(['dh:inbox:w', 'dh:inbox:w:lock', 'dh:inbox:w:done:e1']);
    expect([k.inboundBucket('w'), k.limitNotice('w')]).toEqual(['dh:bucket:w', 'dh:limit-notice:w']);
    expect([k.linkCode('123456'), k.linkAttempts('m')]).toEqual(['dh:link:123456', 'dh:link-attempts:m']);
    expect([k.webLoginToken('h'), k.webSignInAttempts('m')]).toEqual(['dh:web-login:h', 'dh:web-signin:m']);
    expect([k.concernLock('PA-7K3M'), k.concernDailyCap('m'), k.cadreDirectoryVersion()]).toEqual(['dh:concern-lock:PA-7K3M', 'dh:concern-daily:m', 'dh:concerns:cadres-version']);
    expect(k.caseGroupLock('ent-1', 'wages')).toBe('dh:case-lock:ent-1:wages');
    expect([k.meetingCheckinAttempts('m'), k.meetingLock('SH-1')]).toEqual(['dh:meeting-checkin:m', 'dh:meeting-lock:SH-1']);
    expect([k.broadcastRunnerLock('b1'), k.broadcastControl('b1')]).toEqual(['dh:bc:lock:b1', 'dh:bc:control:b1']);
    expect([k.pacerSlot('zalo'), k.tallyJobs('b1'), k.tallyCounts('b1'), k.fairness('c')]).toEqual(['dh:bull:pace:zalo', 'dh:bull:tally:b1:jobs', 'dh:bull:tally:b1:counts', 'dh:bull:fair:c']);
  });
});
