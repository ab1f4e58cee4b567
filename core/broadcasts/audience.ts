/**
 * Reads a broadcast's audience from MongoDB one page at a time, in member `_id` order (so a
 * fan-out can resume after the last id it handled and never holds the audience in memory), and
 * sorts each member into "send here" or a counted reason to skip.
 */
import type { ChannelIdentityDoc, MemberDoc, Models } from '../db.js';
import { CHANNELS_BY_PREFERENCE, type ChannelName } from '../engine/types.js';
import type { MaterialService } from '../materials/material-service.js';
import type { Audience } from './models.js';
import { SortedCursor, type RawCursor } from './sorted-cursor.js';


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

/**
 * What is being sent, as far as the audience cares: a material's topic. A member who turned
 * that topic off is skipped and counted as opted out, whatever the audience's own filters.
 */
export interface SendingOptions {
  materialTopic?: string;
}

/** How big an audience is: who would get it, and who would be skipped and why. */
export interface AudienceSize {
  targeted: number;
  optedOut: number;
  withdrawn: number;
  unreachable: number;
}

/**
 * Documents per cursor batch: about one page, so a batch is used up while it is young and the
 * garbage collector frees it cheaply (batches of 1,000 outlived several pages and inflated the
 * old generation during big fan-outs).
 */
const STREAM_BATCH = 250;

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

  /**
   * Opens the audience after member `after` (exclusive) as a stream of pages. Members, their
   * chat identities and their topic preferences are each read by one cursor in member id order
   * and merged page by page, so a broadcast reads every collection once (FerretDB would scan a
   * whole collection for each page's `$in`), and never holds more than a page.
   */
  async open(a: Audience, after?: string, sending: SendingOptions = {}): Promise<AudienceStream> {
    const base = await this.memberFilter(a);
    const members = this.models.Member.find(after ? { ...base, _id: { $gt: after } } : base, { _id: 1, status: 1, consent: 1, broadcastsOptOut: 1, locale: 1 })
      .sort({ _id: 1 })
      .lean<MemberRow>()
      .cursor({ batchSize: STREAM_BATCH }) as unknown as RawCursor<MemberRow>;
    const identityFilter: Record<string, unknown> = { memberId: after ? { $gt: after } : { $exists: true } };
    if (a.channel) identityFilter.channel = a.channel;
    const identities = this.models.ChannelIdentity.find(identityFilter, { _id: 1, channel: 1, chatId: 1, memberId: 1, unreachable: 1 })
      .sort({ memberId: 1, _id: 1 })
      .lean<ChannelIdentityDoc>()
      .cursor({ batchSize: STREAM_BATCH }) as unknown as RawCursor<ChannelIdentityDoc>;
    return new AudienceStream(
      a,
      sending,
      new SortedCursor(members, (m) => m._id),
      new SortedCursor(identities, (i) => i.memberId ?? ''),
      a.topics.length > 0 || sending.materialTopic ? new SortedCursor(this.materials.topicsOffCursor(after), (p) => p._id) : undefined,
    );
  }

  /** Streams the whole audience page by page. */
  async *pages(a: Audience, after?: string, size = 500, sending: SendingOptions = {}): AsyncGenerator<AudiencePage> {
    const stream = await this.open(a, after, sending);
    try {
      for (;;) {
        const p = await stream.next(size);
        if (!p.lastId) return;
        yield p;
      }
    } finally {
      await stream.close();
    }
  }

  /** Counts the audience without sending (the preview shown before confirming). */
  async size(a: Audience, sending: SendingOptions = {}, pageSize = 1000): Promise<AudienceSize> {
    const s: AudienceSize = { targeted: 0, optedOut: 0, withdrawn: 0, unreachable: 0 };
    for await (const p of this.pages(a, undefined, pageSize, sending)) {
      s.targeted += p.recipients.length;
      s.optedOut += p.optedOut;
      s.withdrawn += p.withdrawn;
      s.unreachable += p.unreachable;
    }
    return s;
  }
}

/** An open audience: each `next` reads the following page of members and merges in their identities and topics. */
export class AudienceStream {
  constructor(
    private readonly a: Audience,
    private readonly sending: SendingOptions,
    private readonly members: SortedCursor<MemberRow>,
    private readonly identities: SortedCursor<ChannelIdentityDoc>,
    private readonly topicsOff?: SortedCursor<{ _id: string; off: string[] }>,
  ) {}

  /** The next page of at most `size` members (no `lastId` once the audience is exhausted). */
  async next(size: number): Promise<AudiencePage> {
    const a = this.a;
    const materialTopic = this.sending.materialTopic;
    const members = await this.members.take(size);
    const lastId = members[members.length - 1]?._id;
    const page: AudiencePage = { recipients: [], optedOut: 0, withdrawn: 0, unreachable: 0, lastId };
    if (!lastId) return page;
    const byMember = new Map<string, ChannelIdentityDoc[]>();
    for (const i of await this.identities.through(lastId)) byMember.set(i.memberId!, [...(byMember.get(i.memberId!) ?? []), i]);
    const topicsOff = new Map((this.topicsOff ? await this.topicsOff.through(lastId) : []).map((p) => [p._id, p.off]));
    for (const m of members) {
      const own = byMember.get(m._id) ?? [];
      // Not on the audience's channel at all, or off every topic asked for: not in the audience.
      if (own.length === 0) continue;
      const off = topicsOff.get(m._id);
      if (off && a.topics.length > 0 && a.topics.every((t) => off.includes(t))) continue;
      if (m.status !== 'active' || !m.consent) page.withdrawn++;
      // Stopped broadcasts altogether, or turned off the topic of the material being sent.
      else if (m.broadcastsOptOut || (materialTopic && off?.includes(materialTopic))) page.optedOut++;
      else {
        const reachable = own.filter((i) => !i.unreachable).sort((x, y) => rank(x.channel) - rank(y.channel) || x._id.localeCompare(y._id))[0];
        if (!reachable) page.unreachable++;
        else page.recipients.push({ memberId: m._id, channel: reachable.channel as ChannelName, chatId: reachable.chatId, locale: m.locale });
      }
    }
    return page;
  }

  async close(): Promise<void> {
    await Promise.all([this.members.close(), this.identities.close(), this.topicsOff?.close()]);
  }
}

function rank(channel: string): number {
  const i = CHANNELS_BY_PREFERENCE.indexOf(channel as ChannelName);
  return i < 0 ? CHANNELS_BY_PREFERENCE.length : i;
}
