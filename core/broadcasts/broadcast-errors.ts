/** Errors of the broadcasts area: bad input (with a reason code locales can name) and refusals. */
import type { Translate } from '../i18n.js';
import type { InvalidRecurrenceError } from './cron-rule.js';

/** Why a broadcast request was refused; locales have `broadcasts:error.<code>`. */
export type BroadcastErrorCode =
  | 'past_time'
  | 'invalid_rule'
  | 'empty_audience'
  | 'too_long'
  | 'no_content'
  | 'unknown_material'
  | 'unknown_unit'
  | 'unit_ended'
  | 'unknown_topic'
  | 'unknown_role'
  | 'bad_quiet_hours'
  | 'not_found'
  | 'bad_state'
  | 'out_of_scope'
  | 'out_of_scope_everyone';

/**
 * A broadcast request that cannot be carried out: a code and its parameters, which
 * `broadcastErrorText` puts into the reader's language; `message` is for logs.
 */
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

/** Why a recurrence rule was refused, in the reader's language. */
export function recurrenceErrorText(t: Translate, err: Pick<InvalidRecurrenceError, 'code' | 'params'>): string {
  const { field, ...rest } = err.params;
  return t(`broadcasts:rule_error.${err.code}`, { ...rest, ...(field ? { field: t(`broadcasts:rule_field.${field}`) } : {}) });
}

/** A refusal in the reader's language, with its parameters (rule reason, status, channel) translated too. */
export function broadcastErrorText(t: Translate, err: BroadcastInputError): string {
  const vars: Record<string, unknown> = { ...err.vars };
  const rule = err.vars.ruleError as Pick<InvalidRecurrenceError, 'code' | 'params'> | undefined;
  if (rule) vars.reason = recurrenceErrorText(t, rule);
  if (typeof vars.status === 'string') vars.status = t(`broadcasts:status.${vars.status}`);
  if (typeof vars.channel === 'string') vars.channel = t(`broadcasts:channel.${vars.channel}`);
  return t(`broadcasts:error.${err.code}`, vars);
}
