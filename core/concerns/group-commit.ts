/**
 * Group commit: many callers each ask for one small write, and the writes go to the database
 * together — one at a time per writer, each carrying everything that arrived while the previous
 * one ran. Alone, a caller's write starts at once (no added delay); under load (many SLA timers
 * at once) dozens of inserts become one, which matters on FerretDB/SQLite, where every write
 * takes the database's single write lock. Each caller's promise settles when its own write does.
 */
export class GroupCommit<T> {
  private queue: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private running = false;

  /** `write` stores a batch; it throws to fail the whole batch (callers retry; writes must be idempotent). */
  constructor(private readonly write: (items: T[]) => Promise<void>, private readonly maxBatch = 500) {}

  /** Resolves once `item` is written. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running) return;
      this.running = true;
      // Items added in the same tick (one caller's several notices) join the first write.
      queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.write(batch.map((b) => b.item));
          for (const b of batch) b.resolve();
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
