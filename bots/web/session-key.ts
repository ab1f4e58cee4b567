/**
 * The key of the session cookie: WEB_SESSION_SECRET (32 random bytes, `openssl rand -hex 32`).
 * Required when a platform token is set (a real deployment): without it the web console answers
 * "not configured" and start-up says why. For local use without tokens it is derived from the
 * local MARKER_KEY (.data/privacy-keys.json), so sessions survive restarts on a laptop.
 */
import type { Config } from '../../core/config.js';
import { parseKey, type PrivacyKeys } from '../../core/privacy/privacy-keys.js';

export type SessionKey = { key: Buffer; source: 'config' | 'derived' } | { key?: undefined; problem: string };

/** The session key from the configuration, derived for local use, or the reason there is none. */
export function resolveSessionKey(config: Config, keys: PrivacyKeys): SessionKey {
  if (config.WEB_SESSION_SECRET) return { key: parseKey(config.WEB_SESSION_SECRET)!, source: 'config' };
  if (config.TELEGRAM_BOT_TOKEN || config.ZALO_BOT_TOKEN) {
    return { problem: 'WEB_SESSION_SECRET is not set: it is required when a platform token is set, so the web console is off; generate one with: openssl rand -hex 32 (see .env.example)' };
  }
  return { key: Buffer.from(keys.marker('web-session-key', 'v1'), 'hex'), source: 'derived' };
}
