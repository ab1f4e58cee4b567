/**
 * Every Redis key the app builds, in one place: one method per key family, under the configured
 * prefix (REDIS_PREFIX). BullMQ builds its own queue keys under `bull`; the delivery lanes' own
 * keys (pacing slots, tallies, fairness hashes) live beside them. The Lua scripts that use these
 * keys are registered in core/redis-scripts.ts.
 *
 * Names are stable: renaming one orphans what Redis holds under the old name. No name carries a
 * platform id: a family per person or chat is named by a keyed marker (PrivacyKeys.marker), so
 * a Redis reader learns nobody's account.
 */
export class RedisKeys {
  /** BullMQ's prefix: queue `q` lives under `<prefix>:bull:q:…`. */
  readonly bull: string;

  constructor(readonly prefix: string) {
    this.bull = `${prefix}:bull`;
  }

  // The engine: a person's inbox (`who` is a keyed marker of the chat identity).

  /** List of a person's events waiting to be handled. */
  inbox(who: string): string {
    return `${this.prefix}:inbox:${who}`;
  }

  /** The lock of whoever drains a person's inbox. */
  inboxLock(who: string): string {
    return `${this.inbox(who)}:lock`;
  }

  /** Marker that an event of the person was handled (a waiter in another process returns). */
  inboxDone(who: string, eventId: string): string {
    return `${this.inbox(who)}:done:${eventId}`;
  }

  /** A person's inbound token bucket (hash {tokens, at}). */
  inboundBucket(who: string): string {
    return `${this.prefix}:bucket:${who}`;
  }

  /** Set while a person has been told to slow down, so they are told once per window. */
  limitNotice(who: string): string {
    return `${this.prefix}:limit-notice:${who}`;
  }

  // Members: linking a second app.

  /** A one-time link code; holds the member id. */
  linkCode(code: string): string {
    return `${this.prefix}:link:${code}`;
  }

  /** Link codes tried by one chat identity (`marker`: PrivacyKeys.marker('link-attempts', identity)). */
  linkAttempts(marker: string): string {
    return `${this.prefix}:link-attempts:${marker}`;
  }

  // The web console's sign-in.

  /** A one-time sign-in link; holds the member id (`tokenHash`: SHA-256 of the token, so a Redis reader cannot sign in). */
  webLoginToken(tokenHash: string): string {
    return `${this.prefix}:web-login:${tokenHash}`;
  }

  /** Sign-in attempts from one address (`marker`: PrivacyKeys.marker('web-signin-ip', address)). */
  webSignInAttempts(marker: string): string {
    return `${this.prefix}:web-signin:${marker}`;
  }

  // Concerns.

  /** The lock of one concern's writer. */
  concernLock(code: string): string {
    return `${this.prefix}:concern-lock:${code}`;
  }

  /** Concerns raised by one identity on one day (`marker`: PrivacyKeys.marker('concern-daily', …)). */
  concernDailyCap(marker: string): string {
    return `${this.prefix}:concern-daily:${marker}`;
  }

  /** Version of the cadre assignments; bumped on every change so each process reloads. */
  cadreDirectoryVersion(): string {
    return `${this.prefix}:concerns:cadres-version`;
  }

  /** Held by the one replica that long-polls a platform (bots/polling-leader.ts). */
  pollingLeader(channel: string): string {
    return `${this.prefix}:polling-leader:${channel}`;
  }

  // Collective cases.

  /** The lock of the collective cases of one enterprise and category (forming, joining, resolving). */
  caseGroupLock(orgUnitId: string, category: string): string {
    return `${this.prefix}:case-lock:${orgUnitId}:${category}`;
  }

  // Branch meetings.

  /** Wrong check-in codes typed by one member (`marker`: PrivacyKeys.marker('meeting-checkin', member)). */
  meetingCheckinAttempts(marker: string): string {
    return `${this.prefix}:meeting-checkin:${marker}`;
  }

  /** The lock of one meeting's writer (fixing, cancelling, issuing its code). */
  meetingLock(meetingId: string): string {
    return `${this.prefix}:meeting-lock:${meetingId}`;
  }

  // Broadcasts.

  /** The lock of the process running one broadcast. */
  broadcastRunnerLock(broadcastId: string): string {
    return `${this.prefix}:bc:lock:${broadcastId}`;
  }

  /** A pause or cancel asked for a broadcast ('pause' | 'cancel'), read by its runner. */
  broadcastControl(broadcastId: string): string {
    return `${this.prefix}:bc:control:${broadcastId}`;
  }

  // Delivery lanes (beside BullMQ's queues).

  /** The pacer of a channel (a hash: its recent calls and the next turn), shared by all its lanes and processes. */
  pacerSlot(channel: string): string {
    return `${this.bull}:pace:${channel}`;
  }

  /** Ids of the delivery jobs of a group (a broadcast) whose outcome is counted. */
  tallyJobs(group: string): string {
    return `${this.bull}:tally:${group}:jobs`;
  }

  /** Outcome counts of a group (hash sent / failed / unreachable / cancelled). */
  tallyCounts(group: string): string {
    return `${this.bull}:tally:${group}:counts`;
  }

  /** Replies of one chat still waiting on its lane (`chat`: the chat's lane marker). */
  fairness(chat: string): string {
    return `${this.bull}:fair:${chat}`;
  }
}
