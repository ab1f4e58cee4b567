/** Errors of the broadcasts area: bad input (with a reason code locales can name) and refusals. */

/** Why a broadcast request was refused; locales have `broadcasts:error.<code>`. */
export type BroadcastErrorCode =
  | 'past_time'
  | 'invalid_rule'
  | 'empty_audience'
  | 'too_long'
  | 'no_content'
  | 'unknown_material'
  | 'unknown_unit'
  | 'unknown_topic'
  | 'unknown_role'
  | 'bad_quiet_hours'
  | 'not_found'
  | 'bad_state';

/** A broadcast request that cannot be carried out; `message` is an English sentence for the CLI. */
export class BroadcastInputError extends Error {
  override name = 'BroadcastInputError';
  constructor(readonly code: BroadcastErrorCode, message: string, readonly vars: Record<string, unknown> = {}) {
    super(message);
  }
}

/** The actor lacks the secretariat role for this action (the refusal is audited). */
export class NotAuthorizedError extends Error {
  override name = 'NotAuthorizedError';
}
