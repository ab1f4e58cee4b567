/** Seeds members with channel identities in bulk, for broadcast tests and benchmarks. */
import type { Models, Role } from '../../core/db.js';
import type { ChannelName } from '../../core/engine/types.js';

export interface SeedOptions {
  channel?: ChannelName;
  /** Org unit of member i (default: ent-phuc-thinh). */
  unit?: (i: number) => string;
  roles?: (i: number) => Role[];
  locale?: (i: number) => string;
  /** Platform user id of member i (default `u<i>`). */
  userId?: (i: number) => string;
  /** First index (default 0). */
  from?: number;
}

/** Member id of seeded member i (zero-padded so _id order = index order). */
export const seededMemberId = (i: number) => `m${String(i).padStart(7, '0')}`;

/** Inserts `n` consenting, active members, each with one identity on `channel`. */
export async function seedMembers(models: Models, n: number, o: SeedOptions = {}): Promise<void> {
  const channel = o.channel ?? 'console';
  const at = new Date('2026-11-01T00:00:00Z');
  const from = o.from ?? 0;
  for (let start = from; start < from + n; start += 1000) {
    const idx = Array.from({ length: Math.min(1000, from + n - start) }, (_, k) => start + k);
    await models.Member.insertMany(
      idx.map((i) => ({
        _id: seededMemberId(i),
        roles: o.roles?.(i) ?? ['worker'],
        orgUnitId: o.unit?.(i) ?? 'ent-phuc-thinh',
        locale: o.locale?.(i) ?? 'vi',
        consent: { version: '2026-11', givenAt: at, channel },
        status: 'active',
        broadcastsOptOut: false,
        createdAt: at,
      })),
      { ordered: false },
    );
    await models.ChannelIdentity.insertMany(
      idx.map((i) => {
        const userId = o.userId?.(i) ?? `u${i}`;
        return { _id: `${channel}:${userId}`, channel, platformUserId: userId, chatId: userId, memberId: seededMemberId(i), createdAt: at };
      }),
      { ordered: false },
    );
  }
}
