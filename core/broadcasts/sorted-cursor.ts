/**
 * A query cursor read in key order, handing out everything up to a given key: two of them over
 * collections sorted by the same member id make a merge join, so a broadcast reads each
 * collection once from start to end instead of once per page.
 */

/** The part of a driver or mongoose cursor this needs. */
export interface RawCursor<T> {
  next(): Promise<T | null>;
  close(): Promise<unknown>;
}

/** Orders strings as MongoDB does: by their UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export class SortedCursor<T> {
  /** The next item, once read: `null` at the end, `undefined` before reading. */
  private head: T | null | undefined;

  constructor(private readonly cursor: RawCursor<T>, private readonly keyOf: (item: T) => string) {}

  /** Every remaining item whose key is at most `key`. */
  async through(key: string): Promise<T[]> {
    const out: T[] = [];
    for (;;) {
      if (this.head === undefined) this.head = await this.cursor.next();
      if (this.head === null || compareKeys(this.keyOf(this.head), key) > 0) return out;
      out.push(this.head);
      this.head = undefined;
    }
  }

  /** Up to `n` more items. */
  async take(n: number): Promise<T[]> {
    const out: T[] = [];
    while (out.length < n) {
      const item = this.head !== undefined ? this.head : await this.cursor.next();
      this.head = undefined;
      if (item === null) {
        this.head = null;
        break;
      }
      out.push(item);
    }
    return out;
  }

  close(): Promise<unknown> {
    return this.cursor.close().catch(() => undefined);
  }
}
