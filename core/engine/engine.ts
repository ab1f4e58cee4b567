/**
 * The conversation engine: one inbound event → persisted state transition → outbound messages.
 * Events of one person are handled one at a time and in order (MemberInbox); each platform
 * event id takes effect once (the conversation keeps recent event ids with their replies, so a
 * redelivered event re-sends the same replies and changes nothing). Messages to other people are
 * committed with the state and cleared once queued, so a crash between cannot lose them.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { ConversationDoc } from '../db.js';
import type { InboundOutcome, Metrics } from '../metrics.js';
import { identityIdOf } from '../members/member-service.js';
import { sealEnvelope } from '../privacy/sealed-envelope.js';
import type { Flow, ConversationState } from './flow.js';
import { GlobalWords } from './global-words.js';
import { snapshotAfterTurn, usableSnapshot, type IdentitySnapshot, type TurnIdentity } from './identity-snapshot.js';
import { isInfrastructureError, ServiceUnavailableError } from './infrastructure-errors.js';
import type { InboundLimits } from './inbound-limits.js';
import type { MemberInbox } from './member-inbox.js';
import type { Services } from './services.js';
import { ONBOARDING, Turn } from './turn.js';
import type { Clock, Envelope, Inbound, Outbound, Outbox } from './types.js';

/** Event ids remembered per conversation (replays are refused for these)… */
const RECENT_EVENTS = 30;
/** …of which the newest keep their replies to re-send (older ones were long delivered). */
const RECENT_REPLIES = 5;

export interface EngineOptions {
  services: Services;
  outbox: Outbox;
  inbox: MemberInbox;
  /** Per-person token bucket and the once-per-window "slow down" answer. */
  limits: InboundLimits;
  flows: Flow[];
  clock: Clock;
  log: Logger;
  stepTtlMs: number;
  maxChars: number;
  /** Counts events by outcome and times turns (core/metrics.ts); none when left out. */
  metrics?: Metrics;
}

export class Engine {
  private readonly flows: Map<string, Flow>;
  private readonly globalWords: GlobalWords;

  constructor(private readonly o: EngineOptions) {
    this.flows = new Map(o.flows.map((f) => [f.name, f]));
    this.globalWords = new GlobalWords(o.services.i18n);
  }

  /**
   * Handles one event and returns when it has taken effect. When MongoDB or Redis is down the
   * person is told to try again shortly (if the delivery queue is reachable), the event stays
   * queued for the next attempt, and ServiceUnavailableError is thrown so webhooks answer 503.
   */
  handle(inbound: Inbound): Promise<void> {
    const handled = this.handleEvent(inbound);
    const done = () => void this.inFlight.delete(handled);
    this.inFlight.add(handled);
    handled.then(done, done);
    return handled;
  }

  /** Resolves once every event being handled now has taken effect or failed (graceful shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private readonly inFlight = new Set<Promise<void>>();

  /**
   * The logger of one event: every line about it carries its `eventId` (the platform's event id,
   * which names no person), down to the delivery worker's lines for its replies (Envelope.trace).
   */
  private logOf(e: Inbound): Logger {
    return this.o.log.child({ eventId: e.eventId });
  }

  private count(e: Inbound, outcome: InboundOutcome): void {
    this.o.metrics?.inboundEvents.inc({ channel: e.channel, outcome });
  }

  private async handleEvent(inbound: Inbound): Promise<void> {
    const started = performance.now();
    const log = this.logOf(inbound);
    log.debug({ channel: inbound.channel }, 'event received');
    try {
      // Keyed, so Redis key names carry no platform id.
      const who = this.o.services.keys.marker('inbox', identityIdOf(inbound));
      // Over the person's rate: dropped before it costs a database call, and acknowledged to the
      // platform (not retried). In a group nobody is told (the answer would go to the group).
      if (inbound.chatType === 'group') {
        if (!(await this.o.limits.take(who))) return this.count(inbound, 'rate_limited');
        await this.answerGroup(inbound);
        return this.count(inbound, 'group');
      }
      // The token is taken in the same Redis round trip as the event joins the person's inbox.
      // Handled, replayed and failed turns are counted where they run (process), maybe for another waiter.
      const outcome = await this.o.inbox.submit(who, inbound, (e) => this.process(revive(e)), this.o.limits.bucket(who));
      if (outcome === 'limited') {
        this.count(inbound, 'rate_limited');
        log.debug('over the person\'s rate; dropped');
        return await this.refuse(inbound, who, 'common:rate_limited');
      }
      if (outcome === 'full') {
        this.count(inbound, 'inbox_full');
        log.debug('the person\'s inbox is full; dropped');
        return await this.refuse(inbound, who, 'common:inbox_full');
      }
      this.o.metrics?.turnSeconds.observe({ channel: inbound.channel }, (performance.now() - started) / 1000);
    } catch (err) {
      if (!isInfrastructureError(err)) {
        this.count(inbound, 'error');
        throw err;
      }
      this.count(inbound, 'unavailable');
      this.o.metrics?.storeError('engine', err);
      log.warn({ err: { name: (err as Error).name }, channel: inbound.channel }, 'store unavailable; event kept for retry');
      await this.o.outbox.send([this.tryAgainEnvelope(inbound)]).catch(() => undefined);
      throw new ServiceUnavailableError('MongoDB or Redis is unreachable; the event will be retried');
    }
  }

  /**
   * A dropped event: the person is told why once per window (INBOUND_NOTICE_SECONDS), in the
   * language of their conversation, and every other dropped event of the window goes unanswered.
   */
  private async refuse(e: Inbound, who: string, key: 'common:rate_limited' | 'common:inbox_full'): Promise<void> {
    if (!(await this.o.limits.firstRefusalInWindow(who))) return;
    const { i18n } = this.o.services;
    const locale = await this.o.services.conversations.localeOf(identityIdOf(e)).catch(() => undefined);
    const t = i18n.for(locale ?? i18n.pick(e.languageHint));
    await this.o.outbox.send([{ channel: e.channel, chatId: e.chatId, key: `${identityIdOf(e)}:${e.eventId}:refused`, messages: [{ text: t(key) }], priority: 'reply', seal: true, trace: e.eventId }]);
  }

  /** The "please try again shortly" message in the person's likely language. */
  tryAgainMessage(inbound: Inbound): Outbound {
    const t = this.o.services.i18n.for(this.o.services.i18n.pick(inbound.languageHint));
    return { text: t('common:try_again_later') };
  }

  /**
   * A message in a group chat gets "please message me privately" and nothing else: no identity,
   * conversation or member is created, so the person's first private message is a first contact
   * and nothing meant for them can ever be addressed to the group. A replayed event is dropped
   * by the delivery queue (same key).
   */
  private async answerGroup(e: Inbound): Promise<void> {
    const t = this.o.services.i18n.for(this.o.services.i18n.pick(e.languageHint));
    await this.o.outbox.send([{ channel: e.channel, chatId: e.chatId, key: `${e.channel}:group:${e.chatId}:${e.eventId}`, messages: [{ text: t('common:group_chat') }], priority: 'reply', trace: e.eventId }]);
  }

  private tryAgainEnvelope(inbound: Inbound): Envelope {
    return { channel: inbound.channel, chatId: inbound.chatId, key: `${identityIdOf(inbound)}:${inbound.eventId}:unavailable`, messages: [this.tryAgainMessage(inbound)], priority: 'reply', trace: inbound.eventId };
  }

  private async process(e: Inbound): Promise<void> {
    const { members } = this.o.services;
    const log = this.logOf(e);
    const who = identityIdOf(e);
    const replyKey = `${who}:${e.eventId}`;
    const stored = await this.o.services.conversations.get(who);
    // A turn that stopped between its commit and queueing its notices: queue them now (same
    // keys, so copies still in the queue are dropped).
    if (stored?.pendingNotices) await this.queueNotices(who, stored.pendingNotices.envelopes);
    const seen = stored?.recentEvents.find((r) => r.id === e.eventId);
    if (seen) {
      // A redelivered event: the same replies again (the queue drops copies still pending).
      await this.o.outbox.send([{ channel: e.channel, chatId: e.chatId, key: replyKey, messages: seen.replies, priority: 'reply', seal: true, trace: e.eventId }]);
      this.count(e, 'replayed');
      log.debug({ replies: seen.replies.length }, 'replayed event: its replies queued again');
      return;
    }

    const now = this.o.clock.now();
    // A member's turn trusts the conversation's snapshot of the identity (identity-snapshot.ts).
    const snapshot = usableSnapshot(stored, e, now);
    let identity: TurnIdentity;
    let member = snapshot ? await members.get(snapshot.memberId) : null;
    if (snapshot && member?.status === 'active') identity = { _id: who, chatId: snapshot.chatId, memberId: snapshot.memberId };
    else {
      identity = await members.ensureIdentity(e);
      member = identity.memberId ? await members.get(identity.memberId) : null;
    }
    if (member?.status !== 'active') member = null;
    const state: ConversationState = stored
      ? // A deep copy: a step may change drafts in place, and a failed step must roll back to `stored` untouched.
        { flow: stored.flow, step: stored.step, data: structuredClone(stored.data), history: structuredClone(stored.history), choices: structuredClone(stored.choices), choiceNonce: stored.choiceNonce, locale: stored.locale }
      : { flow: ONBOARDING.flow, step: ONBOARDING.step, data: {}, history: [], choices: [] };
    const expired = !!stored?.expiresAt && stored.expiresAt.getTime() < now.getTime();

    const turn = new Turn(e, identity, member, this.o.services, now, state, {
      flows: this.flows,
      globalWords: this.globalWords,
      maxChars: this.o.maxChars,
      expired,
      fresh: !stored,
    });
    let failed = false;
    try {
      await turn.run();
    } catch (err) {
      if (isInfrastructureError(err)) throw err;
      // A bug must not wedge the person's inbox: apologise, keep the old state, move on.
      // The logger's error serializer scrubs the message and stack (core/log-scrub.ts).
      failed = true;
      log.error({ err }, 'flow failed');
      turn.replies.length = 0;
      turn.notifications.length = 0;
      turn.reply(turn.t('common:error_generic'));
      Object.assign(state, { choiceNonce: undefined }, stored ?? { flow: ONBOARDING.flow, step: ONBOARDING.step, data: {}, history: [], choices: [] });
    }

    // Keyed: a notice (a cadre's, about this person's concern) must not carry this person's platform id.
    const notices: Envelope[] = turn.notifications.map((n, i) => {
      const env: Envelope = { ...n, key: this.o.services.keys.marker('notice', replyKey, String(i)), priority: 'reply' };
      // Sealed before the commit: a reporter's chat must not sit in the conversation next to a concern code.
      return env.seal ? sealEnvelope(this.o.services.keys, env) : env;
    });
    if (turn.forgotten) {
      await this.finishErasure(e, who, replyKey, turn.replies, notices);
      this.count(e, 'handled');
      log.debug('erasure turn finished');
      return;
    }
    const doc: Omit<ConversationDoc, '_id'> = {
      flow: state.flow,
      step: state.step,
      data: state.data,
      history: state.history,
      choices: state.choices,
      ...(state.choiceNonce ? { choiceNonce: state.choiceNonce } : {}),
      locale: state.locale,
      expiresAt: new Date(now.getTime() + this.o.stepTtlMs),
      recentEvents: [...(stored?.recentEvents ?? []), { id: e.eventId, replies: turn.replies }]
        .slice(-RECENT_EVENTS)
        .map((r, i, all) => (i < all.length - RECENT_REPLIES ? { id: r.id, replies: [] } : r)),
      ...(notices.length > 0 ? { pendingNotices: { eventId: e.eventId, envelopes: notices } } : {}),
      ...withSnapshot(snapshotAfterTurn(snapshot, turn.member, e.chatId, now)),
      updatedAt: now,
    };
    // The commit point: state, the event's replies and its notices are written in one document update.
    await this.o.services.conversations.commit(who, doc);

    const envelopes: Envelope[] = [];
    // Sealed in the queue: a reply can quote a concern code or the person's words.
    if (turn.replies.length) envelopes.push({ channel: e.channel, chatId: e.chatId, key: replyKey, messages: turn.replies, priority: 'reply', memberId: turn.member?._id, seal: true, trace: e.eventId });
    await this.o.outbox.send(envelopes);
    if (notices.length > 0) await this.queueNotices(who, notices);
    this.count(e, failed ? 'error' : 'handled');
    log.debug({ replies: turn.replies.length, notices: notices.length }, 'turn committed');
  }

  /**
   * After "delete my data": the notices (cadres told of withdrawn concerns) and the replies go out,
   * then the conversation is deleted. Nothing of this turn stays: the replies are ephemeral (no
   * delivery record, the job removed once done). A replay within the hour is caught by the inbox.
   */
  private async finishErasure(e: Inbound, who: string, replyKey: string, replies: Outbound[], notices: Envelope[]): Promise<void> {
    await this.o.outbox.send([...notices, ...(replies.length ? [{ channel: e.channel, chatId: e.chatId, key: replyKey, messages: replies, priority: 'reply' as const, ephemeral: true, trace: e.eventId }] : [])]);
    await this.o.services.conversations.delete([who]);
  }

  /**
   * Queues a turn's messages to other people, then forgets them: they may name another person's
   * chat (an anonymous reporter's, for a cadre's relayed reply), so they stay only until queued.
   */
  private async queueNotices(who: string, envelopes: Envelope[]): Promise<void> {
    await this.o.outbox.send(envelopes);
    await this.o.services.conversations.clearPendingNotices(who);
  }
}

/** The snapshot field of the committed document, left out when there is none. */
function withSnapshot(identity: IdentitySnapshot | undefined): Pick<ConversationDoc, 'identity'> {
  return identity ? { identity } : {};
}

/** Inbound events pass through Redis as JSON; bring the date back. */
function revive(e: Inbound): Inbound {
  return { ...e, at: new Date(e.at) };
}
