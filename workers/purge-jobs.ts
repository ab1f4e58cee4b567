/** Removing a person's jobs from a BullMQ queue (erasure). */
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
