/** Why a "you said, we did" request was refused: a code locales name (`feedback:error.<code>`), and its values. */
import type { Translate } from '../i18n.js';

export type FeedbackErrorCode =
  | 'unknown_survey'
  | 'inspection'
  | 'not_closed'
  | 'already_published'
  | 'empty_text'
  | 'text_too_long'
  | 'empty_audience'
  | 'not_resolved'
  | 'already_proposed'
  | 'unknown_note'
  | 'bad_state'
  | 'out_of_scope';

export class FeedbackInputError extends Error {
  override name = 'FeedbackInputError';
  constructor(readonly code: FeedbackErrorCode, message: string, readonly vars: Record<string, unknown> = {}) {
    super(message);
  }
}

/** The refusal in the reader's language. */
export function feedbackErrorText(t: Translate, err: FeedbackInputError): string {
  return t(`feedback:error.${err.code}`, err.vars);
}
