/**
 * A conversation's contents are stored sealed: its scratch data (drafts, the concern being
 * looked at), the choices on offer and the replies kept for redelivery can all quote a concern
 * code or what the person wrote, and the document's id names the person's chat app account.
 * Only where the person is (flow, step, the way back) and event ids stay readable.
 */
import type { ConversationDoc } from '../db.js';
import type { PrivacyKeys } from '../privacy/privacy-keys.js';
import type { Outbound } from './types.js';

type Stored = Omit<ConversationDoc, '_id'>;

interface SealedPart {
  data: ConversationDoc['data'];
  choices: ConversationDoc['choices'];
  /** Replies of recent events, by event id. */
  replies: Record<string, Outbound[]>;
}

/** The document to store: data, choices and replies moved into `sealed`. */
export function sealConversation<T extends Stored>(keys: PrivacyKeys, doc: T): T {
  const replies: Record<string, Outbound[]> = {};
  for (const r of doc.recentEvents) if (r.replies.length) replies[r.id] = r.replies;
  const part: SealedPart = { data: doc.data, choices: doc.choices, replies };
  return { ...doc, data: {}, choices: [], recentEvents: doc.recentEvents.map((r) => ({ id: r.id, replies: [] })), sealed: keys.seal(JSON.stringify(part)) };
}

/** The conversation as flows see it (a document stored before sealing is returned as it is). */
export function openConversation<T extends Stored>(keys: PrivacyKeys, doc: T): T {
  if (!doc.sealed) return doc;
  const part = JSON.parse(keys.open(doc.sealed)) as SealedPart;
  const { sealed: _sealed, ...rest } = doc;
  return { ...rest, data: part.data ?? {}, choices: part.choices ?? [], recentEvents: doc.recentEvents.map((r) => ({ id: r.id, replies: part.replies[r.id] ?? [] })) } as T;
}
