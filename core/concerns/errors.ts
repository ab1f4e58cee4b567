/** Domain errors of the concerns area; flows turn them into kind words, the CLI into one line. */

/** A cadre acted on a concern that is not assigned to them (refused and audited). */
export class NotAssigneeError extends Error {
  override name = 'NotAssigneeError';
  constructor(readonly code: string) {
    super(`concern ${code} is not assigned to this cadre: open it from your own inbox`);
  }
}

/** The member no longer holds the `cadre` role (revoked, or their data deleted): refused and audited like acting on another's concern. */
export class NotCadreError extends NotAssigneeError {
  override name = 'NotCadreError';
  constructor(code: string) {
    super(code);
    this.message = `concern ${code} refused: this member no longer holds the cadre role (grant it again with import-cadres or grant-role)`;
  }
}

/** The concern is resolved; only the worker can reopen it. */
export class ConcernClosedError extends Error {
  override name = 'ConcernClosedError';
  constructor(readonly code: string) {
    super(`concern ${code} is resolved: the worker can reopen it within the reopen window`);
  }
}

/** The worker already has the maximum number of open concerns. */
export class TooManyOpenConcernsError extends Error {
  override name = 'TooManyOpenConcernsError';
  constructor(readonly limit: number) {
    super(`the worker already has ${limit} open concerns`);
  }
}

/** The identity already raised the day's maximum of ordinary concerns (urgent ones are never refused). */
export class TooManyConcernsTodayError extends Error {
  override name = 'TooManyConcernsTodayError';
  constructor(readonly limit: number) {
    super(`this account already raised ${limit} concerns today`);
  }
}

/** No such concern, or it is not this person's. */
export class ConcernNotFoundError extends Error {
  override name = 'ConcernNotFoundError';
  constructor(readonly code: string) {
    super(`no concern ${code} for this person`);
  }
}

/** The worker asked for something the concern's state does not allow (rate twice, reopen too late…). */
export class ConcernStateError extends Error {
  override name = 'ConcernStateError';
  constructor(readonly reason: 'not_resolved' | 'already_rated' | 'reopen_expired' | 'no_question' | 'not_anonymous' | 'bad_target' | 'photo_limit') {
    super(`not possible now: ${reason}`);
  }
}
