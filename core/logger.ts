/** pino logger; tokens, phone numbers and message text are redacted wherever they appear. */
import { pino, type Logger } from 'pino';

const REDACT = [
  'token', '*.token', 'botToken', '*.botToken', 'secret', '*.secret',
  'text', '*.text', '*.*.text', 'phone', '*.phone', 'caption', '*.caption', 'displayName', '*.displayName',
  'headers.authorization', 'headers["x-telegram-bot-api-secret-token"]', 'headers["x-bot-api-secret-token"]',
];

/** Creates the process logger at the given level (silent in tests unless LOG_LEVEL says otherwise). */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined });
}

/** Removes bot tokens (Telegram `123:ABC…`, Zalo `bot<token>` in URLs) from free text such as error messages. */
export function scrubSecrets(s: string): string {
  return s.replace(/bot[^/\s]{10,}(?=\/)/g, 'bot[redacted]').replace(/\b\d{6,}:[A-Za-z0-9_-]{20,}\b/g, '[redacted]');
}

export type { Logger };
