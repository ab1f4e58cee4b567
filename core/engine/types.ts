/** The channel-agnostic contract between platform adapters (bots/) and the engine (core/). */

export type ChannelName = 'console' | 'telegram' | 'zalo';

/** Every channel, the one to reach a person on first: Zalo (most workers), Telegram, the console. */
export const CHANNELS_BY_PREFERENCE: readonly ChannelName[] = ['zalo', 'telegram', 'console'];

/** What kind of non-text content arrived (text-only events have none). */
export type MediaKind = 'photo' | 'sticker' | 'voice' | 'document' | 'video' | 'location' | 'other';

/** One event from a person on a platform, already parsed and verified by its adapter. */
export interface Inbound {
  channel: ChannelName;
  /** The person's id on the platform. */
  userId: string;
  /** Where replies go (equal to userId in private chats). */
  chatId: string;
  /** The platform's id for this event; an id takes effect once. */
  eventId: string;
  text?: string;
  /** Id of a choice the person tapped (Telegram buttons); typed answers come as text. */
  choiceId?: string;
  /**
   * The nonce of the question whose button was tapped (Outbound.choiceNonce, carried in the
   * button). A tap whose nonce is not the current question's is refused; buttons without one
   * (sent before nonces existed) and typed answers are matched as they are.
   */
  choiceNonce?: string;
  media?: MediaKind;
  /**
   * Where the photo that arrived can be fetched or re-sent: Telegram, the file_id of its largest
   * size (usable by this bot only); Zalo, its https URL. Content, like text: never logged.
   */
  photoRef?: string;
  chatType?: 'private' | 'group';
  /** Display name on the platform; stored only after consent. */
  displayName?: string;
  /** Platform language code (e.g. "vi", "en-US"), a hint before the person chooses. */
  languageHint?: string;
  /** Deep-link payload (`/start <payload>`), e.g. an enterprise code from a poster. */
  startPayload?: string;
  at: Date;
}

/** One choice offered to a person; adapters render it as a button or a numbered line. */
export interface Choice {
  id: string;
  label: string;
}

/** One message to a person, already localised. */
export interface Outbound {
  text: string;
  choices?: Choice[];
  /** Names the question these choices answer; adapters that render buttons put it in each button. */
  choiceNonce?: string;
  photoUrl?: string;
  /** The language of `text`, so adapters can add words of their own (e.g. Zalo's list hint). */
  locale?: string;
}

/** A message addressed to a chat on a channel, as handed to the delivery queues. */
export interface Envelope {
  channel: ChannelName;
  chatId: string;
  /** Unique per message; the delivery queue drops a second envelope with the same key. */
  key: string;
  messages: Outbound[];
  /** Replies go ahead of bulk traffic. */
  priority: 'reply' | 'bulk';
  memberId?: string;
  /** Counts this delivery's outcome in the named group (a broadcast id), exactly once. */
  tally?: string;
  /**
   * Leaves no trace once delivered or failed: no delivery record, and the job is removed when
   * it finishes (the reply to "delete my data" must not keep the chat it went to).
   */
  ephemeral?: boolean;
  /** Seal the chat, member and messages before storing (a message to a concern's reporter). */
  seal?: boolean;
  /** The sealed chat, member and messages (core/privacy/sealed-envelope.ts); `chatId` is then "sealed". */
  sealed?: string;
  /** Of a sealed envelope: a keyed stand-in for its chat, so its messages keep their ordered lane. */
  lane?: string;
  /**
   * The id of the inbound event this message answers (its platform event id), so the delivery
   * worker's log lines carry the same `eventId` as the turn's. Only on the answer to the person who
   * wrote: a message to someone else (a cadre's notice) never carries it, or it would tie the
   * writer's event to that message.
   */
  trace?: string;
}

/** Port through which the engine sends; workers/ implements it with BullMQ queues. */
export interface Outbox {
  send(envelopes: Envelope[]): Promise<void>;
  /** Removes every message that matches and is not being sent right now, pending or finished (erasure). */
  purge(matches: (env: Envelope) => boolean): Promise<number>;
}

/** Clock port so tests can move time (step expiry) without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
