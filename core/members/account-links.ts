/**
 * One person, two apps: a one-time code shown on one app and typed on the other links the
 * second channel identity to the same member, so the person keeps one profile and history.
 * Codes live in Redis for ten minutes and work once; guesses are limited per identity.
 */
import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { Models } from '../db.js';
import type { PrivacyKeys } from '../privacy/privacy-keys.js';
import type { RedisKeys } from '../redis-keys.js';

export const LINK_CODE_TTL_SECONDS = 600;
const MAX_ATTEMPTS = 5;

export type LinkResult =
  /** `replaced`: the profile this identity had before, now linked to nothing; the caller erases it. */
  | { kind: 'linked'; memberId: string; replaced?: string }
  | { kind: 'already_linked' }
  | { kind: 'invalid' }
  | { kind: 'too_many_attempts' };

/**
 * The Redis key counting the link codes a chat identity tried: named by a keyed marker of the
 * identity, so no platform id appears in Redis (erasure deletes it through the same function).
 */
export const linkAttemptsKey = (redisKeys: RedisKeys, keys: PrivacyKeys, identityId: string) => redisKeys.linkAttempts(keys.marker('link-attempts', identityId));

export class AccountLinks {
  constructor(
    private readonly redis: Redis,
    private readonly redisKeys: RedisKeys,
    private readonly keys: PrivacyKeys,
    private readonly models: Models,
    private readonly audit: AuditLog,
  ) {}

  private key(code: string) {
    return this.redisKeys.linkCode(code);
  }

  /** A fresh six-digit code for the member, valid for LINK_CODE_TTL_SECONDS. */
  async createCode(memberId: string): Promise<string> {
    for (;;) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      if (await this.redis.set(this.key(code), memberId, 'EX', LINK_CODE_TTL_SECONDS, 'NX')) return code;
    }
  }

  /**
   * Links `identityId` to the member who created `code`. A member this identity had before
   * (a separate profile on this app) is returned as `replaced` when no other identity uses it,
   * for the caller to erase fully (MemberErasure). Audited.
   */
  async redeem(identityId: string, code: string, args: { eventId: string; at: Date }): Promise<LinkResult> {
    const attemptsKey = linkAttemptsKey(this.redisKeys, this.keys, identityId);
    const attempts = await this.redis.multi().incr(attemptsKey).expire(attemptsKey, LINK_CODE_TTL_SECONDS).exec();
    if (Number(attempts?.[0]?.[1] ?? 0) > MAX_ATTEMPTS) return { kind: 'too_many_attempts' };
    const memberId = await this.redis.getdel(this.key(code));
    if (!memberId) return { kind: 'invalid' };
    const member = await this.models.Member.findById(memberId).lean();
    if (!member || member.status !== 'active') return { kind: 'invalid' };
    const identity = await this.models.ChannelIdentity.findById(identityId).lean();
    if (identity?.memberId === memberId) return { kind: 'already_linked' };
    await this.models.ChannelIdentity.updateOne({ _id: identityId }, { $set: { memberId } });
    await this.redis.del(attemptsKey);
    const previous = identity?.memberId;
    const orphaned = previous && (await this.models.ChannelIdentity.countDocuments({ memberId: previous })) === 0;
    await this.audit.record({ actor: memberId, action: 'identity.linked', target: memberId, details: { channel: identityId.split(':')[0], replacedMember: previous ?? null }, idempotencyKey: args.eventId, at: args.at });
    return { kind: 'linked', memberId, ...(orphaned ? { replaced: previous } : {}) };
  }
}
