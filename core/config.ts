/**
 * Configuration, parsed once from the environment with zod. A missing or invalid value stops
 * start-up with one line naming the variable and what it expects (see .env.example).
 */
import { z } from 'zod';

const optionalUrl = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), {
      message: `expected a URL starting with ${protocols.join(' or ')}, e.g. ${example}`,
    });

/** Hosts that never leave the machine; the only ones an `http://` API root may name. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A platform API root. Every call carries the bot token in its URL, so it must be https://;
 * http:// only for a loopback host (a local Bot API server, the tests' fake servers).
 */
const apiRoot = (example: string) =>
  optionalUrl(['http://', 'https://'], example).refine(
    (v) => {
      if (v === undefined || v.startsWith('https://')) return true;
      try {
        return LOOPBACK_HOSTS.has(new URL(v).hostname);
      } catch {
        return false;
      }
    },
    { message: `expected an https:// URL, e.g. ${example} (http:// only for 127.0.0.1, localhost or ::1: the bot token travels in every request's URL)` },
  );

const intIn = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ message: `expected a whole number from ${min} to ${max}` })
    .int(`expected a whole number from ${min} to ${max}`)
    .min(min, `expected a whole number from ${min} to ${max}`)
    .max(max, `expected a whole number from ${min} to ${max}`)
    .default(fallback);

/** A positive number, fractions allowed (e.g. 0.5 events per second). */
const numberIn = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ message: `expected a number from ${min} to ${max}` })
    .min(min, `expected a number from ${min} to ${max}`)
    .max(max, `expected a number from ${min} to ${max}`)
    .default(fallback);

const optionalText = (pattern: RegExp, message: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || pattern.test(v), { message });

/** A 32-byte secret: 64 hex characters, or base64. */
const KEY_PATTERN = /^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/;
const KEY_MESSAGE = 'expected 32 random bytes as 64 hex characters (openssl rand -hex 32)';

export const configSchema = z.object({
  MONGODB_URI: optionalUrl(['mongodb://', 'mongodb+srv://'], 'mongodb://127.0.0.1:27017/donghanh'),
  MONGODB_DB: z.string().trim().regex(/^[A-Za-z0-9_-]{1,60}$/, 'expected a database name of letters, digits, _ or -').default('donghanh'),
  REDIS_URL: optionalUrl(['redis://', 'rediss://', 'redis-sentinel://', 'rediss-sentinel://'], 'redis://127.0.0.1:6379'),
  // Braces make a Redis Cluster hash tag ({dh}): every key and queue then lives in one slot.
  REDIS_PREFIX: z
    .string()
    .trim()
    .regex(/^(?:[A-Za-z0-9_:-]|\{[A-Za-z0-9_:-]+\}){1,40}$/, 'expected letters, digits, _, : or -, optionally one {hash tag}')
    .refine((v) => v.length <= 40 && (v.match(/\{/g) ?? []).length <= 1, 'expected at most 40 characters and one {hash tag}')
    .default('dh'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'expected one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  DEFAULT_LOCALE: z.enum(['vi', 'en'], { message: 'expected vi or en' }).default('vi'),
  CONVERSATION_STEP_TTL_MINUTES: intIn(1, 60 * 24 * 30, 60 * 24),
  MAX_MESSAGE_CHARS: intIn(100, 100_000, 4000),
  CONSOLE_DELIVERY_RATE_PER_SECOND: intIn(1, 10_000, 100),
  DELIVERY_SHARDS: intIn(1, 64, 4),
  DELIVERY_FAIRNESS_LEVELS: intIn(1, 9, 9),
  INBOUND_BURST: intIn(1, 10_000, 10),
  INBOUND_REFILL_PER_SECOND: numberIn(0.001, 10_000, 1),
  INBOUND_NOTICE_SECONDS: intIn(1, 24 * 3600, 60),
  INBOX_MAX_EVENTS: intIn(1, 10_000, 20),
  SEED_SAMPLE_ORG: z.enum(['true', 'false'], { message: 'expected true or false' }).default('true').transform((v) => v === 'true'),
  /** Demo staff beside the sample org tree, for trying every role in the simulator (core/members/demo-staff.ts). */
  SEED_DEMO: z.enum(['true', 'false'], { message: 'expected true or false' }).default('true').transform((v) => v === 'true'),
  /** What this process runs (app/process-role.ts): everything, or one role of a production deployment. */
  ROLE: z.enum(['all', 'web', 'worker', 'scheduler'], { message: 'expected all, web, worker or scheduler' }).default('all'),
  /** On SIGTERM, the process exits within this many seconds, finished or not (app/graceful-shutdown.ts). */
  SHUTDOWN_DEADLINE_SECONDS: intIn(1, 600, 25),
  TELEGRAM_BOT_TOKEN: optionalText(/^\d+:[A-Za-z0-9_-]{20,}$/, 'expected a token from BotFather like 123456:ABC-DEF…'),
  TELEGRAM_WEBHOOK_SECRET: optionalText(/^[A-Za-z0-9_-]{1,256}$/, 'expected 1–256 characters A-Z, a-z, 0-9, _ or -'),
  TELEGRAM_API_ROOT: apiRoot('https://api.telegram.org'),
  TELEGRAM_RATE_PER_SECOND: intIn(1, 10_000, 30),
  ZALO_BOT_TOKEN: optionalText(/^\S{10,}$/, 'expected the bot token from Zalo Bot Manager'),
  ZALO_WEBHOOK_SECRET: optionalText(/^\S{8,256}$/, 'expected 8–256 characters without spaces'),
  ZALO_API_BASE: apiRoot('https://bot-api.zaloplatforms.com'),
  ZALO_RATE_PER_SECOND: intIn(1, 10_000, 20),
  PUBLIC_URL: optionalUrl(['https://', 'http://'], 'https://donghanh.example.org'),
  PORT: intIn(0, 65535, 3000),
  /** A second HTTP listener for /metrics only (bots/metrics-http.ts); unset: /metrics on PORT behind METRICS_TOKEN, or off. */
  METRICS_PORT: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || (/^\d{1,5}$/.test(v) && Number(v) <= 65535), { message: 'expected a whole number from 0 to 65535' })
    .transform((v) => (v === undefined ? undefined : Number(v))),
  /** Bearer token a scraper must send for /metrics (on PORT, or on METRICS_PORT when both are set). */
  METRICS_TOKEN: optionalText(/^[\x21-\x7e]{16,256}$/, 'expected 16–256 characters without spaces, e.g. openssl rand -hex 32'),
  /** Debian's chromium for the steering report's PDF (core/reports/pdf.ts); unset: /usr/lib/chromium/chromium or /usr/bin/chromium. */
  CHROMIUM_PATH: optionalText(/^\/\S+$/, 'expected the absolute path of the chromium binary, e.g. /usr/lib/chromium/chromium'),
  /**
   * The reverse proxies whose X-Forwarded-For is believed, so the sign-in limit counts each
   * person's address rather than the proxy's: addresses and CIDRs (`10.0.0.0/8,127.0.0.1`, or
   * fastify's `loopback`, `linklocal`, `uniquelocal`). Unset: none (every request is its own address).
   */
  TRUST_PROXY: optionalText(/^(?:loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(?:\/\d{1,3})?)(?:\s*,\s*(?:loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(?:\/\d{1,3})?))*$/, 'expected the proxies\' addresses or CIDRs, e.g. 10.0.0.0/8,127.0.0.1 (or loopback)'),
  /** Encrypts the web console's session cookie; required when a platform token is set (bots/web/session-key.ts). */
  WEB_SESSION_SECRET: optionalText(KEY_PATTERN, KEY_MESSAGE),
  REPORTER_SEAL_KEY: optionalText(KEY_PATTERN, KEY_MESSAGE),
  REPORTER_SEAL_KEY_PREVIOUS: optionalText(new RegExp(`^(${KEY_PATTERN.source.slice(1, -1)})(,(${KEY_PATTERN.source.slice(1, -1)}))*$`), `expected keys like REPORTER_SEAL_KEY, separated by commas`),
  MARKER_KEY: optionalText(KEY_PATTERN, KEY_MESSAGE),
  // Retention (docs/privacy.md, "Retention"): enforced by the daily cleanup job (core/privacy/retention.ts).
  RETENTION_DELIVERIES_DAYS: intIn(1, 3650, 90),
  RETENTION_CONVERSATION_HISTORY_DAYS: intIn(1, 3650, 30),
  RETENTION_BROADCAST_RECORDS_DAYS: intIn(1, 3650, 90),
  RETENTION_AUDIT_LOG_DAYS: intIn(30, 36_500, 730),
  RETENTION_JOBS_COMPLETED_HOURS: intIn(1, 24 * 365, 24),
  RETENTION_JOBS_FAILED_DAYS: intIn(1, 365, 7),
});

export type Config = z.infer<typeof configSchema>;

/** A configuration value is missing or invalid; `message` is the single line to print. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment (or the given object) into a Config, or throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'configuration');
  throw new ConfigError(`Invalid configuration: ${variable} — ${issue.message} (see .env.example)`);
}
