/**
 * The one scrubber for free text that leaves the process: error messages and stacks in logs
 * (through the logger's error serializer), delivery failure reasons, URLs printed by tools.
 * It removes what must never be written down: bot tokens (Telegram `123:ABC…`, the
 * `/bot<token>/` segment of Telegram and Zalo API URLs), secrets and passwords (in URLs and
 * `key=value` pairs), phone numbers, e-mail addresses, and the values database errors quote
 * (a duplicate key or a rejected value may be a person's id or message text).
 */

const REDACTED = '[redacted]';

/** Replacements applied in order; each keeps enough around the secret to read the line. */
const RULES: readonly (readonly [RegExp, string])[] = [
  // scheme://user:password@host → the password goes.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*):[^\s/]+@/gi, `$1:${REDACTED}@`],
  // The token segment of a Bot API URL (a path segment, not the `//bot-api…` host): /bot<token>/method,
  // /file/bot<token>/path (Telegram), /bot<token>/method (Zalo).
  [/(?<!\/)(\/bot)[^/\s?#"'`]{8,}/g, `$1${REDACTED}`],
  // A Telegram-style token anywhere (Zalo tokens have the same shape).
  [/\b\d{5,}:[A-Za-z0-9_-]{20,}/g, REDACTED],
  // key=value or key: value for tokens, secrets and passwords (query strings, JSON, headers).
  [/\b([\w-]*(?:token|secret|password|passwd|api[_-]?key)["']?\s*[=:]\s*["']?)(?!\[redacted\])[^\s"'&,;}]+/gi, `$1${REDACTED}`],
  // Bearer credentials.
  [/\b(Bearer\s+)[\w.~+/-]+=*/gi, `$1${REDACTED}`],
  // E-mail addresses.
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b/g, '[email]'],
  // Vietnamese phone numbers: 0912345678, 0912 345 678, +84912345678, 84 912 345 678, 02838123456.
  [/(?<![\w+])(?:\+?84[\s.-]?|0)[1-9](?:[\s.-]?\d){8,9}(?!\w)/g, '[phone]'],
  // Values quoted by MongoDB and mongoose errors.
  [/(dup key: )\{[^}]*\}/g, `$1{ ${REDACTED} }`],
  [/(for value )(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\S+)/g, `$1${REDACTED}`],
  [/(Path `[^`]*` )\(`[^`]*`/g, `$1(\`${REDACTED}\``],
  [/`[^`]*`( is not a valid enum value)/g, `\`${REDACTED}\`$1`],
];

/** `s` without tokens, secrets, passwords, phone numbers, e-mail addresses or quoted database values. */
export function scrubText(s: string): string {
  let out = s;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** What a logged error becomes: its kind, scrubbed message and stack, its code, and a scrubbed cause. */
export interface ScrubbedError {
  type: string;
  message: string;
  stack?: string;
  code?: string | number;
  cause?: ScrubbedError;
}

/**
 * The logger's serializer for errors (`err`, `error`). Only the name, message, stack, code and
 * cause are kept, all scrubbed: other properties are dropped because they may carry a whole
 * request (grammY's GrammyError keeps the payload, message text included). A string is scrubbed.
 */
export function scrubError(err: unknown, depth = 0): unknown {
  if (typeof err === 'string') return scrubText(err);
  if (typeof err !== 'object' || err === null) return err;
  const e = err as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown; cause?: unknown; constructor?: { name?: unknown } };
  const type = typeof e.name === 'string' ? e.name : typeof e.constructor?.name === 'string' ? e.constructor.name : 'Error';
  const out: ScrubbedError = { type, message: typeof e.message === 'string' ? scrubText(e.message) : '' };
  if (typeof e.stack === 'string') out.stack = scrubText(e.stack);
  if (typeof e.code === 'string') out.code = scrubText(e.code);
  else if (typeof e.code === 'number') out.code = e.code;
  if (e.cause !== undefined && depth < 3) {
    const cause = scrubError(e.cause, depth + 1);
    if (typeof cause === 'object' && cause !== null) out.cause = cause as ScrubbedError;
  }
  return out;
}

/** A connection URL fit to print: the password (if any) becomes `***`, everything else is kept. */
export function maskUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*):[^\s/]*@/i, '$1:***@');
}
