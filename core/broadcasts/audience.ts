/**
 * Reads a broadcast's audience from MongoDB one page at a time, in member `_id` order (so a
 * fan-out can resume after the last id it handled and never holds the audience in memory), and
 * sorts each member into "send here" or a counted reason to skip.
 */
import type { ChannelIdentityDoc, MemberDoc, Models } from '../db.js';
import type { ChannelName } from '../engine/types.js';
import type { MaterialService } from '../materials/material-service.js';
import type { Audience } from './models.js';

/** Channels tried in this order when a member has several and the audience names none. */
export const CHANNEL_PREFERENCE: ChannelName[] = ['zalo', 'telegram', 'console'];

/** A member the broadcast goes to, and where. */
export interface Recipient {
  memberId: string;
  channel: ChannelName;
  chatId: string;
  locale: string;
}

/** One page of the audience: recipients, skip counts, and the last member id read. */
export interface AudiencePage {
  recipients: Recipient[];
  optedOut: number;
  withdrawn: number;
  unreachable: number;
  /** Undefined when the page is empty (the audience is exhausted). */
  lastId?: string;
}

/** How big an audience is: who would get it, and who would be skipped and why. */
export interface AudienceSize {
  targeted: number;
  optedOut: number;
  withdrawn: number;
  unreachable: number;
}

type MemberRow = Pick<MemberDoc, '_id' | 'status' | 'consent' | 'broadcastsOptOut' | 'locale'>;

export class AudienceReader {
  constructor(private readonly models: Models, private readonly materials: MaterialService) {}

  /** Ids of an org unit and every unit below it. */
  async subtree(orgUnitId: string): Promise<string[]> {
    const units = await this.models.OrgUnit.find({ $or: [{ _id: orgUnitId }, { ancestors: orgUnitId }] }, { _id: 1 }).lean();
    return units.map((u) => u._id);
  }

  /** The MongoDB filter of the audience's members (reads the org subtree once). */
  async memberFilter(a: Audience): Promise<Record<string, unknown>> {
    const f: Record<string, unknown> = {};
    if (a.orgUnitId) f.orgUnitId = { $in: await this.subtree(a.orgUnitId) };
    if (a.roles.length > 0) f.roles = { $in: a.roles };
    if (a.locale) f.locale = a.locale;
    return f;
  }

  /** The page of members after `after` (exclusive), at most `size` members read. */
  async page(a: Audience, after: string | undefined, size: number, cachedFilter?: Record<string, unknown>): Promise<AudiencePage> {
    const base = cachedFilter ?? (await this.memberFilter(a));
    const q = after ? { ...base, _id: { $gt: after } } : base;
    const members = await this.models.Member.find(q, { _id: 1, status: 1, consent: 1, broadcastsOptOut: 1, locale: 1 })
      .sort({ _id: 1 })
      .limit(size)
      .lean<MemberRow[]>();
    const page: AudiencePage = { recipients: [], optedOut: 0, withdrawn: 0, unreachable: 0, lastId: members[members.length - 1]?._id };
    if (members.length === 0) return page;
    const ids = members.map((m) => m._id);
    const identityFilter: Record<string, unknown> = { memberId: { $in: ids } };
    if (a.channel) identityFilter.channel = a.channel;
    const [identities, topicsOff] = await Promise.all([
      this.models.ChannelIdentity.find(identityFilter, { _id: 1, channel: 1, chatId: 1, memberId: 1, unreachable: 1 }).lean<ChannelIdentityDoc[]>(),
      a.topics.length > 0 ? this.materials.topicsOffOf(ids) : Promise.resolve(new Map<string, string[]>()),
    ]);
    const byMember = new Map<string, ChannelIdentityDoc[]>();
    for (const i of identities) byMember.set(i.memberId!, [...(byMember.get(i.memberId!) ?? []), i]);
    for (const m of members) {
      const own = byMember.get(m._id) ?? [];
      // Not on the audience's channel at all, or off every topic asked for: not in the audience.
      if (own.length === 0) continue;
      const off = topicsOff.get(m._id);
      if (off && a.topics.every((t) => off.includes(t))) continue;
      if (m.status !== 'active' || !m.consent) page.withdrawn++;
      else if (m.broadcastsOptOut) page.optedOut++;
      else {
        const reachable = own.filter((i) => !i.unreachable).sort((x, y) => rank(x.channel) - rank(y.channel) || x._id.localeCompare(y._id))[0];
        if (!reachable) page.unreachable++;
        else page.recipients.push({ memberId: m._id, channel: reachable.channel as ChannelName, chatId: reachable.chatId, locale: m.locale });
      }
    }
    return page;
  }

  /** Streams the whole audience page by page. */
  async *pages(a: Audience, after?: string, size = 500): AsyncGenerator<AudiencePage> {
    const f = await this.memberFilter(a);
    let cursor = after;
    for (;;) {
      const p = await this.page(a, cursor, size, f);
      if (!p.lastId) return;
      yield p;
      cursor = p.lastId;
    }
  }

  /** Counts the audience without sending (the preview shown before confirming). */
  async size(a: Audience, pageSize = 1000): Promise<AudienceSize> {
    const s: AudienceSize = { targeted: 0, optedOut: 0, withdrawn: 0, unreachable: 0 };
    for await (const p of this.pages(a, undefined, pageSize)) {
      s.targeted += p.recipients.length;
      s.optedOut += p.optedOut;
      s.withdrawn += p.withdrawn;
      s.unreachable += p.unreachable;
    }
    return s;
  }
}

function rank(channel: string): number {
  const i = CHANNEL_PREFERENCE.indexOf(channel as ChannelName);
  return i < 0 ? CHANNEL_PREFERENCE.length : i;
}
