/**
 * The shutdown sequence (pure: steps and exit codes) and closing real BullMQ workers on the real
 * Redis: a job that finishes in time is let finish; one that does not is left for the queue.
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { bullConnection } from './bull-connection.js';
import { closeWorkers, shutdownGracefully } from './graceful-shutdown.js';

function recorder() {
  const said: string[] = [];
  const exits: number[] = [];
  let exited!: () => void;
  const done = new Promise<void>((r) => (exited = r));
  return { said, exits, done, say: (l: string) => said.push(l), exit: (c: number) => (exits.push(c), exited()) };
}

describe('shutdownGracefully', () => {
  it('runs the steps in order, each told the time left, then exits 0', async () => {
    const r = recorder();
    const ran: string[] = [];
    let t = 1000;
    const step = (name: string) => ({ name, run: async (left: number) => void (ran.push(`${name}:${left}`), (t += 100)) });
    await shutdownGracefully([step('a'), step('b'), step('c')], { deadlineMs: 1000, say: r.say, exit: r.exit, now: () => t });
    expect(ran).toEqual(['a:1000', 'b:900', 'c:800']);
    expect(r.exits).toEqual([0]);
  });

  it('a failing step does not stop the others', async () => {
    const r = recorder();
    const ran: string[] = [];
    await shutdownGracefully(
      [
        { name: 'fails', run: async () => Promise.reject(new TypeError('boom')) },
        { name: 'after', run: async () => void ran.push('after') },
      ],
      { deadlineMs: 1000, say: r.say, exit: r.exit },
    );
    expect(ran).toEqual(['after']);
    expect(r.said).toContain('[stop] fails: TypeError; going on');
    expect(r.exits).toEqual([0]);
  });

  it('a step that never ends: exit 1 at the deadline, naming the step', async () => {
    const r = recorder();
    void shutdownGracefully([{ name: 'finish the turns in flight', run: () => new Promise<void>(() => undefined) }], { deadlineMs: 30, say: r.say, exit: r.exit });
    await r.done;
    expect(r.exits).toEqual([1]);
    expect(r.said.join('\n')).toContain('during "finish the turns in flight"');
  });
});

describe('closeWorkers on the real Redis', () => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const connection = bullConnection(inject('redisUrl'));
  const queues: Queue[] = [];
  afterAll(async () => {
    for (const q of queues) await q.obliterate({ force: true }).catch(() => undefined);
    await Promise.all(queues.map((q) => q.close()));
  });

  async function withActiveJob(name: string) {
    const q = new Queue(name, { connection, prefix });
    queues.push(q);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const finished: string[] = [];
    const w = new Worker(name, async (job) => {
      started();
      await released;
      finished.push(job.id!);
    }, { connection, prefix, lockDuration: 60_000 });
    await q.add('j', {}, { jobId: 'job-1' });
    await running;
    return { q, w, release, finished };
  }

  it('waits for the current job when it ends in time', async () => {
    const { q, w, release, finished } = await withActiveJob('finish-in-time');
    const closing = closeWorkers([w], 60_000);
    release();
    expect(await closing).toBe('finished');
    expect(finished).toEqual(['job-1']);
    expect(await (await q.getJob('job-1'))!.getState()).toBe('completed');
  });

  it('leaves a job still running at the deadline to the queue: it is not completed, and not lost', async () => {
    const { q, w, release, finished } = await withActiveJob('left-to-queue');
    expect(await closeWorkers([w], 20)).toBe('forced');
    expect(finished).toEqual([]);
    // Still in the queue (active until its lock lapses, then taken up again by another worker).
    expect(await (await q.getJob('job-1'))!.getState()).toBe('active');
    release();
  });
});
