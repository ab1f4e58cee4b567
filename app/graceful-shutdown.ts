/**
 * SIGTERM, in order, within a deadline (SHUTDOWN_DEADLINE_SECONDS, default 25 s, below the 30 s
 * most orchestrators wait before SIGKILL):
 * 1. stop taking updates: pollers stop, and the HTTP server answers 503 to new requests, so the
 *    platforms send them again (to another replica, or to this one after its restart);
 * 2. finish the turns in flight;
 * 3. let the workers finish their current jobs; those still running near the deadline are left
 *    to BullMQ, which hands a job whose lock lapses to another worker (the job is not lost);
 * 4. close MongoDB and Redis, then exit 0. Past the deadline the process exits 1 anyway.
 */
import type { Worker } from 'bullmq';

export interface ShutdownStep {
  name: string;
  run(remainingMs: number): Promise<void>;
}

export interface ShutdownOptions {
  deadlineMs: number;
  say(line: string): void;
  exit(code: number): void;
  now?: () => number;
}

/** Runs the steps one after the other; exits 0 when all are done, 1 at the deadline. */
export async function shutdownGracefully(steps: ShutdownStep[], o: ShutdownOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const until = now() + o.deadlineMs;
  let current = steps[0]?.name ?? 'exit';
  const hard = setTimeout(() => {
    o.say(`[stop] deadline of ${o.deadlineMs / 1000}s reached during "${current}": exiting now`);
    o.exit(1);
  }, o.deadlineMs);
  hard.unref();
  for (const step of steps) {
    current = step.name;
    try {
      await step.run(Math.max(0, until - now()));
    } catch (err) {
      o.say(`[stop] ${step.name}: ${(err as Error).name}; going on`);
    }
  }
  clearTimeout(hard);
  o.say('[stop] stopped cleanly');
  o.exit(0);
}

/**
 * Closes the workers, letting their current jobs finish; after `withinMs` the rest are closed
 * without waiting (their jobs go back to the queue once their locks lapse). Pausing first waits
 * for the current jobs without closing: a close that has begun cannot be forced any more.
 */
export async function closeWorkers(workers: Worker[], withinMs: number): Promise<'finished' | 'forced'> {
  const finished = Promise.all(workers.map((w) => w.pause()));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'forced'>((resolve) => (timer = setTimeout(() => resolve('forced'), withinMs)));
  const outcome = await Promise.race([finished.then(() => 'finished' as const), late]);
  clearTimeout(timer);
  await Promise.all(workers.map((w) => w.close(outcome === 'forced').catch(() => undefined)));
  return outcome;
}
