/** Short human reference codes for concerns, e.g. `PA-7K3Q` (PA: the Vietnamese initials of "concern"). */
import { createHash } from 'node:crypto';

/** No 0/O, 1/I/L: codes are read aloud and typed on phones. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * The code for an intake, derived from its idempotency key so a retried intake finds the same
 * concern; `attempt` > 0 gives other codes when one is taken by another concern.
 */
export function referenceCode(intakeKey: string, attempt = 0): string {
  const digest = createHash('sha256').update(`${intakeKey}|${attempt}`).digest();
  const len = attempt < 5 ? 4 : 6;
  let s = '';
  for (let i = 0; i < len; i++) s += ALPHABET[digest[i]! % ALPHABET.length];
  return `PA-${s}`;
}

/** Normalises what a person typed ("pa 7k3q", "#PA-7K3Q") into a code, or undefined. */
export function parseReferenceCode(text: string): string | undefined {
  const m = /\bpa[\s-]?([2-9a-z]{4}|[2-9a-z]{6})\b/i.exec(text.trim());
  return m ? `PA-${m[1]!.toUpperCase()}` : undefined;
}
