/**
 * Broadcast progress for the metrics, read only when /metrics is scraped: how many broadcasts are
 * in each status (one `$group`), and for those still under way (scheduled, sending, paused) the
 * sums of their counts: targeted (queued), sent, failed, unreachable, cancelled. Finished ones
 * (done, cancelled) are counted but their messages are not read again and again: their figures
 * stay in the broadcast itself (admin broadcast-show, the web console).
 */
import type { BroadcastSnapshot } from '../metrics.js';
import { ZERO_COUNTS, type BroadcastModels, type BroadcastStatus } from './models.js';

const UNDER_WAY: BroadcastStatus[] = ['scheduled', 'sending', 'paused'];

/** One row per status that has broadcasts. */
export async function broadcastProgress(bm: BroadcastModels): Promise<BroadcastSnapshot[]> {
  const [byStatus, live] = await Promise.all([
    bm.Broadcast.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]),
    bm.Broadcast.find({ status: { $in: UNDER_WAY } }, { status: 1, counts: 1 }).lean(),
  ]);
  const rows = new Map<string, BroadcastSnapshot>(byStatus.map((r) => [String(r._id), { status: String(r._id), broadcasts: r.n, targeted: 0, sent: 0, failed: 0, unreachable: 0, cancelled: 0 }]));
  for (const b of live) {
    const row = rows.get(b.status);
    if (!row) continue;
    const c = { ...ZERO_COUNTS, ...b.counts };
    row.targeted += c.targeted;
    row.sent += c.sent;
    row.failed += c.failed;
    row.unreachable += c.unreachable;
    row.cancelled += c.cancelled;
  }
  return [...rows.values()];
}
