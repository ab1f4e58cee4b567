/**
 * The materials library: create materials (per-language title, body, optional https photo), list the
 * published ones newest first (optionally by topic) page by page, and per-topic subscriptions;
 * for the web console, list every material, edit one and withdraw or bring it back (audited).
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { RawCursor } from '../broadcasts/sorted-cursor.js';
import type { Outbound } from '../engine/types.js';
import { TOPICS, type MaterialContent, type MaterialDoc, type MaterialModels, type Topic } from './models.js';

/** A material that cannot be stored as given; the message says what to fix. */
export class InvalidMaterialError extends Error {
  override name = 'InvalidMaterialError';
  constructor(
    message: string,
    /** Why, as a word a page can translate (web-materials:errors.<code>). */
    readonly code: MaterialProblem = 'invalid',
    /** Which field: "topic", or "<lang>.title" / "<lang>.body" / "<lang>.photoUrl"; "content" for the whole. */
    readonly field = 'content',
  ) {
    super(message);
  }
}

/** The reasons a material is refused. */
export type MaterialProblem = 'invalid' | 'unknown_topic' | 'no_content' | 'bad_language' | 'empty' | 'too_long' | 'photo_not_https' | 'no_author';

/** Longest title and body a material may have, in characters. */
export const MATERIAL_LIMITS = { title: 200, body: 4000, photoUrl: 2000 } as const;

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

/** Whether workers see the material at `now`: its time has come and it is not withdrawn. */
export function isPublished(m: Pick<MaterialDoc, 'publishAt' | 'unpublishedAt'>, now: Date): boolean {
  return !m.unpublishedAt && new Date(m.publishAt).getTime() <= now.getTime();
}

/**
 * The rules of a material's topic and content (create and update alike): a known topic; at least
 * one language; per language a title and a body, not empty and within MATERIAL_LIMITS, and a photo
 * only as an https URL (Telegram and Zalo fetch it). Returns them trimmed.
 */
export function checkMaterial(input: { topic: unknown; content: unknown }): { topic: Topic; content: Record<string, MaterialContent> } {
  if (typeof input.topic !== 'string' || !isTopic(input.topic)) throw new InvalidMaterialError(`topic "${String(input.topic)}" is not known (expected one of ${TOPICS.join(', ')})`, 'unknown_topic', 'topic');
  if (!input.content || typeof input.content !== 'object' || Array.isArray(input.content) || Object.keys(input.content).length === 0) {
    throw new InvalidMaterialError('a material needs content in at least one language', 'no_content');
  }
  const content: Record<string, MaterialContent> = {};
  for (const [lng, c] of Object.entries(input.content as Record<string, Partial<Record<keyof MaterialContent, unknown>> | undefined>)) {
    if (!/^[a-z]{2,3}$/.test(lng)) throw new InvalidMaterialError(`"${lng}" is not a language code like vi or en`, 'bad_language');
    const title = typeof c?.title === 'string' ? c.title.trim() : '';
    const body = typeof c?.body === 'string' ? c.body.trim() : '';
    const photo = typeof c?.photoUrl === 'string' ? c.photoUrl.trim() : c?.photoUrl;
    if (!title) throw new InvalidMaterialError(`the ${lng} title is empty`, 'empty', `${lng}.title`);
    if (!body) throw new InvalidMaterialError(`the ${lng} body is empty`, 'empty', `${lng}.body`);
    if ([...title].length > MATERIAL_LIMITS.title) throw new InvalidMaterialError(`the ${lng} title is longer than ${MATERIAL_LIMITS.title} characters`, 'too_long', `${lng}.title`);
    if ([...body].length > MATERIAL_LIMITS.body) throw new InvalidMaterialError(`the ${lng} body is longer than ${MATERIAL_LIMITS.body} characters`, 'too_long', `${lng}.body`);
    if (photo !== undefined && photo !== '') {
      let https = false;
      try {
        https = typeof photo === 'string' && photo.length <= MATERIAL_LIMITS.photoUrl && !/\s/.test(photo) && new URL(photo).protocol === 'https:';
      } catch {
        https = false;
      }
      if (!https) throw new InvalidMaterialError(`the ${lng} photo must be an https URL`, 'photo_not_https', `${lng}.photoUrl`);
    }
    content[lng] = { title, body, ...(photo ? { photoUrl: photo as string } : {}) };
  }
  return { topic: input.topic, content };
}

export class MaterialService {
  constructor(private readonly models: MaterialModels, private readonly audit: AuditLog) {}

  /** Validates and stores a material; returns it. */
  async create(input: NewMaterial, now: Date): Promise<MaterialDoc> {
    const checked = checkMaterial(input);
    if (typeof input.author !== 'string' || !input.author.trim()) throw new InvalidMaterialError('the author is empty', 'no_author', 'author');
    const doc: MaterialDoc = {
      _id: 'mat-' + randomBytes(5).toString('hex'),
      topic: checked.topic,
      content: checked.content,
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
    const filter: Record<string, unknown> = { publishAt: { $lte: opts.now }, unpublishedAt: { $exists: false } };
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

  // ── Editing from the web console (list all, update, unpublish / republish) ─────────────────

  /**
   * Every material, published or not, newest first, for the people who edit them: of one topic,
   * with content in one language, and only the published or only the withdrawn ones.
   */
  async browse(opts: { topic?: string; language?: string; state?: 'published' | 'unpublished'; page?: number; pageSize?: number }): Promise<MaterialPage> {
    const size = opts.pageSize ?? 25;
    const filter: Record<string, unknown> = {};
    // Only known values reach the query (never an object typed into a form).
    if (opts.topic && isTopic(opts.topic)) filter.topic = opts.topic;
    if (opts.language && /^[a-z]{2,3}$/.test(opts.language)) filter[`content.${opts.language}`] = { $exists: true };
    if (opts.state === 'published') filter.unpublishedAt = { $exists: false };
    if (opts.state === 'unpublished') filter.unpublishedAt = { $exists: true };
    const items = await this.models.Material.find(filter)
      .sort({ publishAt: -1, _id: 1 })
      .skip(Math.max(0, opts.page ?? 0) * size)
      .limit(size + 1)
      .lean<MaterialDoc[]>();
    return { items: items.slice(0, size), hasMore: items.length > size };
  }

  /**
   * Replaces a material's topic and content (the rules of `create`), and its publication time when
   * given; audited as material.updated with the languages before and after. Undefined when no such material.
   */
  async update(id: string, input: { topic: string; content: Record<string, MaterialContent>; publishAt?: Date }, actor: string, now: Date): Promise<MaterialDoc | undefined> {
    const before = await this.get(id);
    if (!before) return undefined;
    const checked = checkMaterial(input);
    const set: Partial<MaterialDoc> = { topic: checked.topic, content: checked.content, updatedBy: actor, updatedAt: now, ...(input.publishAt ? { publishAt: input.publishAt } : {}) };
    await this.models.Material.updateOne({ _id: id }, { $set: set });
    const changed = Object.keys({ ...before.content, ...checked.content }).filter((l) => JSON.stringify(before.content[l] ?? null) !== JSON.stringify(checked.content[l] ?? null));
    await this.audit.record({ actor, action: 'material.updated', target: id, details: { topic: checked.topic, ...(before.topic !== checked.topic ? { topicBefore: before.topic } : {}), languages: Object.keys(checked.content), changed }, at: now });
    return { ...before, ...set };
  }

  /**
   * Withdraws a material from workers (`published` false) or brings it back (true); audited as
   * material.unpublished / material.republished when it changes anything. Undefined when no such material.
   */
  async setPublished(id: string, published: boolean, actor: string, now: Date): Promise<MaterialDoc | undefined> {
    const m = await this.get(id);
    if (!m) return undefined;
    if (published === !m.unpublishedAt) return m;
    if (published) await this.models.Material.updateOne({ _id: id }, { $unset: { unpublishedAt: 1 }, $set: { updatedBy: actor, updatedAt: now } });
    else await this.models.Material.updateOne({ _id: id }, { $set: { unpublishedAt: now, updatedBy: actor, updatedAt: now } });
    await this.audit.record({ actor, action: published ? 'material.republished' : 'material.unpublished', target: id, details: { topic: m.topic }, at: now });
    return (await this.get(id)) ?? undefined;
  }
}
