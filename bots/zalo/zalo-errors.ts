/**
 * Errors of the Zalo Bot Platform client. Each says what happened and what to do next; none
 * ever carries the bot token (it sits in every request URL, so URLs are never quoted).
 */

/** What to do about an `error_code` from the Zalo Bot Platform (codes are not all published). */
export function zaloErrorHint(errorCode: number, description = ''): string {
  if (errorCode === 408) return 'the long poll ended without new messages; poll again';
  if (errorCode === 409 || isWebhookConflict(errorCode, description)) {
    return 'getUpdates does not work while a webhook is set; delete the webhook first: npm run webhooks -- delete zalo';
  }
  if (errorCode === 401) return 'your Zalo bot token is wrong — check it in Zalo Bot Manager';
  if (errorCode === 403 || /block/i.test(description)) return 'the user blocked the bot or the chat is gone; stop sending to this chat';
  if (errorCode === 429) return 'slow down, retry later (lower the Zalo send rate in the configuration if this repeats)';
  if (errorCode === 400) return 'Zalo rejected the request as malformed (e.g. empty text or more than 2000 characters); fix the request, do not retry it';
  if (errorCode === 404) return 'unknown method or chat; check the method name and the chat id';
  if (errorCode >= 500) return 'Zalo is having trouble; retry later';
  return 'see the description and the Zalo Bot Platform documentation';
}

/** True when an error says getUpdates was refused because a webhook is set. */
export function isWebhookConflict(errorCode: number, description: string): boolean {
  return errorCode === 409 || (/webhook/i.test(description) && /getUpdates|polling|conflict|not (available|allowed)/i.test(description));
}

/** The Zalo Bot Platform answered `{ok:false}` or an HTTP error status. */
export class ZaloApiError extends Error {
  override name = 'ZaloApiError';
  /** What to do about it. */
  readonly hint: string;

  constructor(
    /** The API method that failed, e.g. `sendMessage`. */
    readonly method: string,
    /** Zalo's `error_code`, or the HTTP status when the body had none. */
    readonly error_code: number,
    /** Zalo's `description` (never contains the token: Zalo does not echo URLs). */
    readonly description: string,
    /** The HTTP status of the answer. */
    readonly status: number,
    /** Seconds to wait, when Zalo said (`parameters.retry_after`, `retry_after` or `Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    const hint = zaloErrorHint(error_code, description);
    super(`Zalo ${method} failed: ${error_code} ${description} — ${hint}`);
    this.hint = hint;
  }
}

/** The request never got an answer: timeout, refused or reset connection, or aborted by us. */
export class ZaloNetworkError extends Error {
  override name = 'ZaloNetworkError';
  /** What to do about it. */
  readonly hint: string;

  constructor(
    readonly method: string,
    /** `timeout`: no answer in time; `aborted`: we cancelled (e.g. stopping polling); `connection`: refused, reset, DNS. */
    readonly reason: 'timeout' | 'aborted' | 'connection',
    /** The low-level error code (e.g. `ECONNREFUSED`), without any URL. */
    readonly causeCode?: string,
  ) {
    const hint =
      reason === 'timeout'
        ? 'Zalo did not answer in time; retry later'
        : reason === 'aborted'
          ? 'the request was cancelled on purpose; nothing to do'
          : 'could not reach the Zalo Bot Platform; check the network and the base URL, then retry';
    super(`Zalo ${method} failed: ${reason}${causeCode ? ` (${causeCode})` : ''} — ${hint}`);
    this.hint = hint;
  }
}

/** A request was refused before sending because a parameter is invalid (e.g. a too-short webhook secret). */
export class ZaloRequestError extends Error {
  override name = 'ZaloRequestError';
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(`Zalo ${method}: ${message}`);
  }
}
