/**
 * Exact SLA timers on the Jobs port: for each deadline of the current level, one reminder job
 * before it and one breach job at it, with ids unique per concern, deadline, level and
 * generation (`slaSeq`). Responding cancels them; a timer of an older generation does nothing.
 */
import type { Jobs } from '../jobs.js';
import type { ConcernDoc } from './models.js';

/** The queue the SLA worker (workers/concern-sla.ts) consumes. */
export const SLA_QUEUE = 'concern-sla';

export type SlaKind = 'first_response' | 'resolution';
export type SlaStage = 'reminder' | 'breach';

/** What a timer job carries. */
export interface SlaTimer {
  code: string;
  kind: SlaKind;
  stage: SlaStage;
  level: number;
  seq: number;
  /** The deadline, ISO (for lateness figures). */
  due: string;
}

/** The job id of one timer. */
export function slaJobId(t: Pick<SlaTimer, 'code' | 'kind' | 'stage' | 'level' | 'seq'>): string {
  return `sla:${t.code}:${t.kind}:${t.stage}:L${t.level}:s${t.seq}`;
}

export class SlaTimers {
  constructor(private readonly jobs: Jobs, private readonly reminderAt: () => number) {}

  /** Schedules the timers of the concern's current deadlines (first response only if not yet met). */
  async arm(c: ConcernDoc, from: Date): Promise<void> {
    const deadlines: [SlaKind, Date | undefined][] = [
      ['first_response', c.respondedAt ? undefined : c.firstResponseDue],
      ['resolution', c.resolutionDue],
    ];
    const scheduled: Promise<void>[] = [];
    for (const [kind, due] of deadlines) {
      if (!due) continue;
      const remindAt = new Date(from.getTime() + (due.getTime() - from.getTime()) * this.reminderAt());
      for (const [stage, at] of [['reminder', remindAt], ['breach', due]] as const) {
        const t: SlaTimer = { code: c._id, kind, stage, level: c.level, seq: c.slaSeq, due: due.toISOString() };
        scheduled.push(this.jobs.schedule(SLA_QUEUE, stage, { ...t }, { id: slaJobId(t), at, attempts: 5 }));
      }
    }
    // Independent jobs with their own ids: scheduled together, one round trip's wait instead of four.
    await Promise.all(scheduled);
  }

  /** Cancels the pending timers of the given deadlines at the concern's current generation. */
  async cancel(c: Pick<ConcernDoc, '_id' | 'level' | 'slaSeq'>, kinds: SlaKind[] = ['first_response', 'resolution']): Promise<void> {
    await Promise.all(
      kinds.flatMap((kind) => (['reminder', 'breach'] as const).map((stage) => this.jobs.cancel(SLA_QUEUE, slaJobId({ code: c._id, kind, stage, level: c.level, seq: c.slaSeq })))),
    );
  }
}
