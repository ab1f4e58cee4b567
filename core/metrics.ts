/**
 * The process's Prometheus metrics, defined in one place (README, "Metrics and alerts"). Each app
 * has its own registry, served at /metrics by the HTTP layer (bots/metrics-http.ts); core/ and
 * workers/ only move counters here, in process, so the hot path pays no extra round trip.
 * Labels are low-cardinality only: a channel, an outcome, a queue, a status — never a chat,
 * member, phone number or text. Gauges of shared state (queue depths, broadcasts) are read from
 * Redis or MongoDB when scraped, through sources the composition root registers.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { infrastructureStore } from './engine/infrastructure-errors.js';

/** What became of one inbound event in this process (core/engine/engine.ts). */
export type InboundOutcome = 'handled' | 'replayed' | 'rate_limited' | 'inbox_full' | 'group' | 'unavailable' | 'error';
/** The final outcome of one delivery job (workers/delivery-worker.ts). */
export type DeliveryOutcome = 'sent' | 'failed' | 'unreachable';
/** Where an infrastructure error was met. */
export type StoreErrorComponent = 'engine' | 'delivery' | 'jobs' | 'broadcasts' | 'metrics';

/** One queue's state, read from Redis at scrape time. */
export interface QueueSnapshot {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Seconds since the oldest waiting job was added; undefined when none waits. */
  oldestWaitingSeconds?: number;
}

/** Broadcasts of one status and the sum of their counts, read from MongoDB at scrape time. */
export interface BroadcastSnapshot {
  status: string;
  broadcasts: number;
  targeted: number;
  sent: number;
  failed: number;
  unreachable: number;
  cancelled: number;
}

const BROADCAST_OUTCOMES = ['targeted', 'sent', 'failed', 'unreachable', 'cancelled'] as const;

export interface MetricsOptions {
  /** The process role, exported as `donghanh_process_info{role}`. */
  role?: string;
  /** Node's own process metrics (heap, event loop lag, CPU); default true. */
  processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();

  /** Inbound events by channel and outcome. */
  readonly inboundEvents = new Counter({
    name: 'donghanh_inbound_events_total',
    help: 'Inbound events by channel and outcome (handled, replayed, rate_limited, inbox_full, group, unavailable, error).',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  /** From an event's arrival in this process to its turn committed and replies queued. */
  readonly turnSeconds = new Histogram({
    name: 'donghanh_turn_duration_seconds',
    help: 'Seconds from an inbound event reaching the engine to its turn committed and its replies queued.',
    labelNames: ['channel'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'donghanh_deliveries_total',
    help: 'Delivery jobs finished, by channel, outcome (sent, failed, unreachable) and priority (reply, bulk).',
    labelNames: ['channel', 'outcome', 'priority'] as const,
    registers: [this.registry],
  });

  readonly deliveryRateLimited = new Counter({
    name: 'donghanh_delivery_rate_limited_total',
    help: 'Platform answers 429 (Too Many Requests) to a send, by channel; the whole channel then waits retry_after.',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly deliveryRetries = new Counter({
    name: 'donghanh_delivery_retries_total',
    help: 'Delivery attempts that failed and will be retried with backoff (5xx, timeouts), by channel.',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly slaReminders = new Counter({
    name: 'donghanh_sla_reminders_total',
    help: 'SLA reminders sent to the cadre of a concern before a deadline, by deadline kind (first_response, resolution).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly slaBreaches = new Counter({
    name: 'donghanh_sla_breaches_total',
    help: 'SLA deadlines missed, by deadline kind (first_response, resolution).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly escalations = new Counter({
    name: 'donghanh_concern_escalations_total',
    help: 'Concerns escalated up the organisation, by reason (sla: a missed deadline, cadre: the cadre asked) and outcome (escalated, flagged: nobody above, the secretariat is told).',
    labelNames: ['reason', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly storeErrors = new Counter({
    name: 'donghanh_store_errors_total',
    help: 'MongoDB and Redis outages met (connection refused, closed, timed out), by store and component.',
    labelNames: ['store', 'component'] as const,
    registers: [this.registry],
  });

  private queueSource: (() => Promise<QueueSnapshot[]>) | undefined;
  private broadcastSource: (() => Promise<BroadcastSnapshot[]>) | undefined;
  private readonly once = new Map<string, Promise<unknown>>();

  constructor(o: MetricsOptions = {}) {
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const info = new Gauge({ name: 'donghanh_process_info', help: 'Always 1; the label names the process role (all, web, worker, scheduler).', labelNames: ['role'] as const, registers: [this.registry] });
    info.set({ role: o.role ?? 'all' }, 1);
    const queues = () => this.queues();
    const broadcasts = () => this.broadcasts();
    new Gauge({
      name: 'donghanh_queue_jobs',
      help: 'Jobs in each BullMQ queue by state (waiting, active, delayed, failed), read from Redis when scraped.',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const q of await queues()) for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) this.set({ queue: q.queue, state }, q[state]);
      },
    });
    new Gauge({
      name: 'donghanh_queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting in each queue (0 when none waits), read from Redis when scraped.',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const q of await queues()) this.set({ queue: q.queue }, q.oldestWaitingSeconds ?? 0);
      },
    });
    new Gauge({
      name: 'donghanh_broadcasts',
      help: 'Broadcasts by status (scheduled, sending, paused, done, cancelled, …), read from MongoDB when scraped.',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const b of await broadcasts()) this.set({ status: b.status }, b.broadcasts);
      },
    });
    new Gauge({
      name: 'donghanh_broadcast_messages',
      help: 'Messages of the broadcasts under way (scheduled, sending, paused) by status: targeted (queued), sent, failed, unreachable, cancelled; read from MongoDB when scraped (0 for finished ones).',
      labelNames: ['status', 'outcome'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const b of await broadcasts()) for (const outcome of BROADCAST_OUTCOMES) this.set({ status: b.status, outcome }, b[outcome]);
      },
    });
  }

  /** Reads queue depths from `source` on every scrape (workers/queue-metrics.ts). */
  watchQueues(source: () => Promise<QueueSnapshot[]>): void {
    this.queueSource = source;
  }

  /** Reads broadcast progress from `source` on every scrape. */
  watchBroadcasts(source: () => Promise<BroadcastSnapshot[]>): void {
    this.broadcastSource = source;
  }

  /** Counts `err` when it is a MongoDB or Redis outage (core/engine/infrastructure-errors.ts); other errors are not counted. */
  storeError(component: StoreErrorComponent, err: unknown): void {
    const store = infrastructureStore(err);
    if (store) this.storeErrors.inc({ store, component });
  }

  /** The text exposition of every metric (Prometheus format 0.0.4). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of `render()`: `text/plain; version=0.0.4; charset=utf-8`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private queues(): Promise<QueueSnapshot[]> {
    return this.scrapeOnce('queues', this.queueSource);
  }

  private broadcasts(): Promise<BroadcastSnapshot[]> {
    return this.scrapeOnce('broadcasts', this.broadcastSource);
  }

  /**
   * One read of a source per scrape: the gauges that share it are collected together (prom-client
   * collects every metric at once), so they share the read in flight. A failing read leaves the
   * gauges empty for this scrape and is counted as a store error.
   */
  private scrapeOnce<T>(name: string, source: (() => Promise<T[]>) | undefined): Promise<T[]> {
    if (!source) return Promise.resolve([]);
    let p = this.once.get(name) as Promise<T[]> | undefined;
    if (!p) {
      p = source().catch((err: unknown) => {
        this.storeError('metrics', err);
        return [];
      });
      this.once.set(name, p);
      void p.finally(() => this.once.delete(name));
    }
    return p;
  }
}
