/**
 * Loaded into the app's process by `npm run bench:inbound` only
 * (`node --import tsx --import ./tools/bench-inbound-probe.ts app/main.ts`, with
 * BENCH_COUNT_COMMANDS=1 and an IPC channel): answers `{ probe: true }` with the process's CPU
 * time so far and the MongoDB driver commands it has sent (core/db.ts counts them). It changes
 * nothing else in the app; without an IPC channel it does nothing.
 */
import { driverCommandCounts } from '../core/db.js';

/** What the probe answers. */
export interface ProbeReading {
  /** process.cpuUsage(): user and system CPU time in microseconds since the process started. */
  cpuMicros: { user: number; system: number };
  /** Driver commands by name since the connection opened. */
  mongoCommands: Record<string, number>;
  rssBytes: number;
}

if (process.send) {
  process.on('message', (m: { probe?: boolean }) => {
    if (!m?.probe) return;
    const reading: ProbeReading = { cpuMicros: process.cpuUsage(), mongoCommands: Object.fromEntries(driverCommandCounts), rssBytes: process.memoryUsage.rss() };
    process.send!({ probe: reading });
  });
  // The channel alone must not keep the app alive once it shuts down.
  process.channel?.unref();
}
