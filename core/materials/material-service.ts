/**
 * The materials library: create materials (per-language title, body, optional photo), list the
 * published ones newest first (optionally by topic) page by page, and per-topic subscriptions.
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { RawCursor } from '../broadcasts/sorted-cursor.js';
import type { Outbound } from '../engine/types.js';
import { TOPICS, type MaterialContent, type MaterialDoc, type MaterialModels, type Topic } from './models.js';

/** A material that cannot be stored as given; the message says what to fix. */
export class InvalidMaterialError extends Error {
  override name = 'InvalidMaterialError';
}

/** What creating a material needs. */
export interface NewMaterial {
  topic: string;
  content: Record<string, MaterialContent>;
  publishAt?: Date;
  author: string;
}

/** One page of a listing and whether more follow. */
export interface MaterialPage {
  items: MaterialDoc[];
  hasMore: boolean;
}

/** Is `t` one of the known topics? */
export function isTopic(t: string): t is Topic {
  return (TOPICS as readonly string[]).includes(t);
}

/** The content of a material in `locale`, else Vietnamese, else any language it has. */
export function contentIn(m: Pick<MaterialDoc, 'content'>, locale: string): MaterialContent {
  return m.content[locale] ?? m.content.vi ?? Object.values(m.content)[0]!;
}

/** A material as one message: title, blank line, body; the photo when there is one. */
export function materialMessage(m: Pick<MaterialDoc, 'content'>, locale: string): Outbound {
  const c = contentIn(m, locale);
  return { text: `${c.title}\n\n${c.body}`, locale, ...(c.photoUrl ? { photoUrl: c.photoUrl } : {}) };
}

export class MaterialService {
  constructor(private readonly models: MaterialModels, private readonly audit: AuditLog) {}

  /** Validates and stores a material; returns it. */
  async create(input: NewMaterial, now: Date): Promise<MaterialDoc> {
    if (!isTopic(input.topic)) throw new InvalidMaterialError(`topic "${input.topic}" is not known (expected one of ${TOPICS.join(', ')})`);
    const langs = Object.keys(input.content);
    if (langs.length === 0) throw new InvalidMaterialError('a material needs content in at least one language');
    for (const [lng, c] of Object.entries(input.content)) {
      if (!/^[a-z]{2,3}$/.test(lng)) throw new InvalidMaterialError(`"${lng}" is not a language code like vi or en`);
      if (!c || typeof c.title !== 'string' || !c.title.trim()) throw new InvalidMaterialError(`the ${lng} title is empty`);
      if (typeof c.body !== 'string' || !c.body.trim()) throw new InvalidMaterialError(`the ${lng} body is empty`);
      if (c.title.length > 200) throw new InvalidMaterialError(`the ${lng} title is longer than 200 characters`);
      if (c.photoUrl !== undefined && !/^https?:\/\/\S+$/.test(c.photoUrl)) throw new InvalidMaterialError(`the ${lng} photo must be an http(s) URL`);
    }
    if (!input.author.trim()) throw new InvalidMaterialError('the author is empty');
    const doc: MaterialDoc = {
      _id: 'mat-' + randomBytes(5).toString('hex'),
      topic: input.topic,
      content: Object.fromEntries(
        Object.entries(input.content).map(([l, c]) => [l, { title: c.title.trim(), body: c.body.trim(), ...(c.photoUrl ? { photoUrl: c.photoUrl } : {}) }]),
      ),
      publishAt: input.publishAt ?? now,
      author: input.author.trim(),
      createdAt: now,
    };
    await this.models.Material.create(doc);
    await this.audit.record({ actor: doc.author, action: 'material.created', target: doc._id, details: { topic: doc.topic }, at: now });
    return doc;
  }

  async get(id: string): Promise<MaterialDoc | null> {
    return this.models.Material.findById(id).lean<MaterialDoc>();
  }

  /** Published materials, newest first, optionally of one topic; `page` counts from 0. */
  async newest(opts: { now: Date; topic?: string; page?: number; pageSize?: number }): Promise<MaterialPage> {
    const size = opts.pageSize ?? 5;
    const filter: Record<string, unknown> = { publishAt: { $lte: opts.now } };
    if (opts.topic) filter.topic = opts.topic;
    const items = await this.models.Material.find(filter)
      .sort({ publishAt: -1, _id: 1 })
      .skip((opts.page ?? 0) * size)
      .limit(size + 1)
      .lean<MaterialDoc[]>();
    return { items: items.slice(0, size), hasMore: items.length > size };
  }

  /** Topics the member has turned off. */
  async topicsOff(memberId: string): Promise<string[]> {
    return (await this.models.TopicPrefs.findById(memberId).lean())?.off ?? [];
  }

  /** Every member's topics switched off, in member id order after `after` (for a broadcast's merge join). */
  topicsOffCursor(after?: string): RawCursor<{ _id: string; off: string[] }> {
    return this.models.TopicPrefs.find(after ? { _id: { $gt: after } } : {}, { _id: 1, off: 1 })
      .sort({ _id: 1 })
      .lean<{ _id: string; off: string[] }>()
      .cursor({ batchSize: 250 }) as unknown as RawCursor<{ _id: string; off: string[] }>;
  }

  /** Subscribes (on) or unsubscribes a member from one topic. */
  async setSubscribed(memberId: string, topic: Topic, on: boolean, now: Date): Promise<void> {
    const off = new Set(await this.topicsOff(memberId));
    if (on) off.delete(topic);
    else off.add(topic);
    await this.models.TopicPrefs.replaceOne({ _id: memberId }, { off: [...off].sort(), updatedAt: now }, { upsert: true });
  }
}
