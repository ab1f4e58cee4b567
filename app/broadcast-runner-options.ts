/** Wiring of the broadcast runner: its stores and lanes from the parts the app (or the broadcast-only process) has. */
import { AudienceReader } from '../core/broadcasts/audience.js';
import type { RunnerOptions } from '../core/broadcasts/broadcast-runner.js';
import type { Config } from '../core/config.js';
import { DeliveryLog } from '../core/delivery-log.js';
import { QueueLanes } from '../workers/broadcast-lanes.js';
import type { QueueOutbox } from '../workers/delivery-queue.js';

/** The runner's dependencies, from the parts the composition root (or a worker process) has. */
export function runnerOptionsFor(p: Omit<RunnerOptions, 'lanes' | 'audience' | 'rates' | 'redisPrefix'> & { outbox: QueueOutbox; config: Config }): RunnerOptions {
  const { outbox, config, ...rest } = p;
  return {
    ...rest,
    audience: new AudienceReader(p.models, p.materials),
    lanes: new QueueLanes(outbox, p.redis, new DeliveryLog(p.models)),
    redisPrefix: config.REDIS_PREFIX,
    rates: { console: config.CONSOLE_DELIVERY_RATE_PER_SECOND, telegram: config.TELEGRAM_RATE_PER_SECOND, zalo: config.ZALO_RATE_PER_SECOND },
  };
}
