/**
 * The active cadre assignments, held in memory for routing: every route and every SLA breach
 * needs them, and reading them is a collection scan on FerretDB (measured with the `_id` index
 * fixed: 3.6 ms at 21 assignments, 47 ms at 500, against 0.1–0.2 ms for the version `GET`; on
 * MongoDB it saves a query returning every assignment per route). Assignments change only through
 * `ConcernService.upsertAssignment` (the admin import included), which calls `changed()`: that
 * bumps a version in Redis, so every process — bots, workers, the admin CLI — reloads on its next
 * use. A reload also happens after `maxAgeMs`, in case someone edits the collection by hand.
 * Member status is not cached here: the router reads each candidate by id (see routing.ts).
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { CadreAssignmentDoc, ConcernModels } from './models.js';

export class CadreDirectory {
  private cache?: { version: string; loadedAt: number; active: CadreAssignmentDoc[] };
  private loading?: { version: string; done: Promise<CadreAssignmentDoc[]> };
  private readonly versionKey: string;

  constructor(private readonly cm: ConcernModels, private readonly redis: Redis, redisKeys: RedisKeys, private readonly maxAgeMs = 300_000) {
    this.versionKey = redisKeys.cadreDirectoryVersion();
  }

  /** Every active assignment (one Redis read when nothing changed). */
  async active(): Promise<CadreAssignmentDoc[]> {
    // The version is read before the collection, so a change that lands during a load bumps it past the cached one.
    const version = (await this.redis.get(this.versionKey)) ?? '0';
    const c = this.cache;
    if (c && c.version === version && Date.now() - c.loadedAt < this.maxAgeMs) return c.active;
    if (this.loading?.version !== version) {
      const loading = {
        version,
        done: this.cm.CadreAssignment.find({ active: true })
          .lean<CadreAssignmentDoc[]>()
          .then((active) => {
            if (this.loading === loading) this.cache = { version, loadedAt: Date.now(), active };
            return active;
          })
          .finally(() => {
            if (this.loading === loading) this.loading = undefined;
          }),
      };
      this.loading = loading;
    }
    return this.loading!.done;
  }

  /** Call after writing an assignment: every process reloads on its next use. */
  async changed(): Promise<void> {
    this.cache = undefined;
    await this.redis.incr(this.versionKey);
  }
}
