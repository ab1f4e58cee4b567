/**
 * At most two hot-path writes in flight per process and database — the concerns area's and the
 * delivery worker's outcome records; the rest wait here, first come first served. FerretDB on SQLite has one writer at a time, and a write that
 * finds the database busy sleeps in SQLite's busy handler (in steps of up to 100 ms) instead of
 * queueing: with a burst of SLA escalations all writing at once the lock sat idle between
 * sleepers and the writes that had waited longest kept losing. Measured on the development
 * machine (escalation-like writes arriving at 40/s next to delivery-record updates): ungated,
 * 26/s with a p99 of 10 s; through this gate, 40/s with a p99 of 0.1 s. MongoDB takes concurrent
 * writes, but two in flight still carry hundreds of concern writes a second per process.
 * Never call `run` from inside another `run` of the same gate: with both slots held by outer
 * calls, the inner ones would wait forever.
 */
import type { Models } from './db.js';

export class WriteGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max = 2) {}

  /** Runs `write` when a slot is free. */
  async run<T>(write: () => Promise<T>): Promise<T> {
    if (this.running < this.max) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await write();
    } finally {
      // The slot passes straight to the next waiter, so nobody can jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

const gates = new WeakMap<Models, WriteGate>();

/** The gate of one database (one per bound set of models). */
export function writeGateOf(models: Models): WriteGate {
  let gate = gates.get(models);
  if (!gate) {
    gate = new WriteGate();
    gates.set(models, gate);
  }
  return gate;
}
