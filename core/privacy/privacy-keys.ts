/**
 * The two secrets that keep anonymity underneath the chat, held outside the database:
 * - the seal key (`REPORTER_SEAL_KEY`) encrypts the sealed link from a concern to its reporter;
 * - the marker key (`MARKER_KEY`) keys the HMACs of markers that must carry no identity yet
 *   survive erasure (intake keys, "already answered", per-identity daily caps).
 * A database or backup reader without them learns neither link, and cannot recompute a marker
 * from an id. Production sets both; local use generates them once into `.data/` (see
 * docs/privacy.md for rotation).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Parses a 32-byte key written as 64 hex characters or as base64; undefined when malformed. */
export function parseKey(text: string): Buffer | undefined {
  const t = text.trim();
  const b = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : undefined;
  return b?.length === KEY_BYTES ? b : undefined;
}

/** A new key, in the form the environment takes. */
export const newKeyText = () => randomBytes(KEY_BYTES).toString('hex');

export class PrivacyKeys {
  constructor(
    private readonly sealKey: Buffer,
    private readonly markerKey: Buffer,
    /** Older seal keys still accepted when opening (rotation). */
    private readonly previousSealKeys: Buffer[] = [],
  ) {}

  /** A keyed HMAC (hex) of a purpose and its parts: stable, identity-free without the key. */
  marker(purpose: string, ...parts: string[]): string {
    const h = createHmac('sha256', this.markerKey).update(purpose);
    for (const p of parts) h.update('\u0000').update(p);
    return h.digest('hex');
  }

  /** Encrypts a short text (AES-256-GCM, random IV); base64 of iv|tag|ciphertext. */
  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  /** Decrypts what `seal` wrote, with the current key or a previous one; throws when none fits. */
  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const body = raw.subarray(IV_BYTES + TAG_BYTES);
    for (const key of [this.sealKey, ...this.previousSealKeys]) {
      try {
        const d = createDecipheriv('aes-256-gcm', key, iv);
        d.setAuthTag(tag);
        return Buffer.concat([d.update(body), d.final()]).toString('utf8');
      } catch {
        // try the next key
      }
    }
    throw new Error('a sealed value could not be opened with REPORTER_SEAL_KEY (or REPORTER_SEAL_KEY_PREVIOUS): was the key changed without keeping the old one?');
  }

  /** True when `sealed` was written with an older key (re-seal it during rotation). */
  sealedWithPrevious(sealed: string): boolean {
    if (this.previousSealKeys.length === 0) return false;
    const raw = Buffer.from(sealed, 'base64');
    try {
      const d = createDecipheriv('aes-256-gcm', this.sealKey, raw.subarray(0, IV_BYTES));
      d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      d.update(raw.subarray(IV_BYTES + TAG_BYTES));
      d.final();
      return false;
    } catch {
      return true;
    }
  }
}

/** Where local use keeps generated keys. */
export const LOCAL_KEYS_FILE = join('.data', 'privacy-keys.json');

/**
 * The keys from the environment; with none set and no platform token (local use), keys generated
 * once into `.data/privacy-keys.json`. With a platform token both must be set.
 */
export function resolvePrivacyKeys(config: Config, opts: { keysFile?: string; onGenerated?: (file: string) => void } = {}): PrivacyKeys {
  const previous = (config.REPORTER_SEAL_KEY_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => parseKey(s)!);
  if (config.REPORTER_SEAL_KEY && config.MARKER_KEY) return new PrivacyKeys(parseKey(config.REPORTER_SEAL_KEY)!, parseKey(config.MARKER_KEY)!, previous);
  if (config.TELEGRAM_BOT_TOKEN || config.ZALO_BOT_TOKEN) {
    const missing = config.REPORTER_SEAL_KEY ? 'MARKER_KEY' : 'REPORTER_SEAL_KEY';
    throw new ConfigError(`Invalid configuration: ${missing} — required when a platform token is set; generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('hex'))" (see docs/privacy.md)`);
  }
  const file = opts.keysFile ?? LOCAL_KEYS_FILE;
  let stored: { REPORTER_SEAL_KEY: string; MARKER_KEY: string };
  try {
    stored = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    stored = { REPORTER_SEAL_KEY: newKeyText(), MARKER_KEY: newKeyText() };
    mkdirSync(join(file, '..'), { recursive: true });
    try {
      writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      opts.onGenerated?.(file);
    } catch {
      // Another process wrote it first: use theirs.
      stored = JSON.parse(readFileSync(file, 'utf8'));
    }
  }
  const seal = config.REPORTER_SEAL_KEY ?? stored.REPORTER_SEAL_KEY;
  const marker = config.MARKER_KEY ?? stored.MARKER_KEY;
  return new PrivacyKeys(parseKey(seal)!, parseKey(marker)!, previous);
}
