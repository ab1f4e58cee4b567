/** pino logger; tokens, phone numbers and message text are redacted wherever they appear. */
import { pino, type DestinationStream, type Logger } from 'pino';
import { scrubError } from './log-scrub.js';

const REDACT = [
  'token', '*.token', 'botToken', '*.botToken', 'secret', '*.secret',
  'text', '*.text', '*.*.text', 'phone', '*.phone', 'caption', '*.caption', 'displayName', '*.displayName',
  'headers.authorization', 'headers["x-telegram-bot-api-secret-token"]', 'headers["x-bot-api-secret-token"]',
];

/**
 * Creates the process logger at the given level (silent in tests unless LOG_LEVEL says otherwise).
 * Errors logged under `err` or `error` (or passed as the first argument) go through the scrubber
 * (core/log-scrub.ts): name, message, stack, code and cause only, without tokens or phone numbers.
 * `destination` defaults to stdout (tests pass their own).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, serializers: { err: scrubError, error: scrubError }, base: undefined }, destination);
}

export type { Logger };
