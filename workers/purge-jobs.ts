/** Removing a person's jobs from a BullMQ queue (erasure), and rewriting kept jobs' data (seal-key rotation). */
import type { Queue } from 'bullmq';

/** States a job can be removed in (an active job is locked by its worker). */
const REMOVABLE = ['waiting', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
const PAGE = 500;

/** Removes the jobs of a queue whose data matches, page by page; returns how many. */
export async function purgeJobs<T>(queue: Queue<T>, matches: (data: T) => boolean): Promise<number> {
  let removed = 0;
  for (const state of REMOVABLE) {
    for (let start = 0; ; start += PAGE) {
      const jobs = await queue.getJobs([state], start, start + PAGE - 1);
      if (jobs.length === 0) break;
      let removedHere = 0;
      for (const j of jobs) if (j && matches(j.data) && (await j.remove().then(() => true, () => false))) removedHere++;
      removed += removedHere;
      // Removing shifts the list: read the same page again.
      if (removedHere > 0) start -= PAGE;
      else if (jobs.length < PAGE) break;
    }
  }
  return removed;
}

/** States whose jobs keep their data for a while (an active one is its worker's). */
const KEPT = ['waiting', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** Rewrites the data of every kept job for which `rewrite` returns new data; returns how many. */
export async function rewriteJobs<T>(queue: Queue<T>, rewrite: (data: T) => T | undefined): Promise<number> {
  let changed = 0;
  for (const state of KEPT) {
    for (let start = 0; ; start += PAGE) {
      const jobs = await queue.getJobs([state], start, start + PAGE - 1);
      for (const j of jobs) {
        const data = j && rewrite(j.data);
        // A job that finished or went meanwhile cannot be updated: nothing to do for it.
        if (data && (await j.updateData(data).then(() => true, () => false))) changed++;
      }
      if (jobs.length < PAGE) break;
    }
  }
  return changed;
}
