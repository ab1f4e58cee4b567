/** The secret check every webhook route makes before it reads a body. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Length-safe constant-time comparison (timingSafeEqual throws on unequal lengths, so compare digests). */
export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}
