/**
 * Composition root: connects MongoDB and Redis, builds the domain services, the engine, the
 * delivery queues and their workers. `npm start`, tests and benchmarks all build the app here.
 */
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { AuditLog } from '../core/audit/audit-log.js';
import { AuditReader } from '../core/audit/audit-reader.js';
import type { Config } from '../core/config.js';
import { bindModels, connectMongo, type Models } from '../core/db.js';
import type { ChannelSender } from '../core/delivery.js';
import { Engine } from '../core/engine/engine.js';
import { InboundLimits } from '../core/engine/inbound-limits.js';
import { MemberInbox } from '../core/engine/member-inbox.js';
import type { Services } from '../core/engine/services.js';
import { systemClock, type Clock } from '../core/engine/types.js';
import { Translations } from '../core/i18n.js';
import { createLogger, type Logger } from '../core/logger.js';
import { Metrics } from '../core/metrics.js';
import { broadcastProgress } from '../core/broadcasts/broadcast-progress.js';
import { readQueues, watchedQueues } from '../workers/queue-metrics.js';
import { AccessScope } from '../core/members/access-scope.js';
import { DashboardReader } from '../core/reports/dashboard-reader.js';
import { AccountLinks } from '../core/members/account-links.js';
import { migrateGlobalRoles } from '../core/members/role-grants.js';
import { MemberService } from '../core/members/member-service.js';
import { OrgDirectory } from '../core/org/org-directory.js';
import { MemberErasure } from '../core/privacy/member-erasure.js';
import { retentionPolicyFrom, RetentionSweep } from '../core/privacy/retention.js';
import { resolvePrivacyKeys, type PrivacyKeys } from '../core/privacy/privacy-keys.js';
import { connectRedis } from '../core/redis.js';
import { RedisKeys } from '../core/redis-keys.js';
import { allFlows } from '../flows/index.js';
import { AudienceReader } from '../core/broadcasts/audience.js';
import { BroadcastService } from '../core/broadcasts/broadcast-service.js';
import { bindBroadcastModels } from '../core/broadcasts/models.js';
import { MaterialService } from '../core/materials/material-service.js';
import { bindMaterialModels } from '../core/materials/models.js';
import { MeetingService } from '../core/meetings/meeting-service.js';
import { MeetingStore } from '../core/meetings/meeting-store.js';
import { bindMeetingModels } from '../core/meetings/models.js';
import { startMeetingJobs } from '../workers/meeting-jobs.js';
import { startImportJobs } from '../workers/import-jobs.js';
import { startBroadcastWorker } from '../workers/broadcast-worker.js';
import { runnerOptionsFor } from './broadcast-runner-options.js';
import { ConcernService } from '../core/concerns/concern-service.js';
import { bindConcernModels } from '../core/concerns/models.js';
import { DEFAULT_POLICY, type ConcernPolicy } from '../core/concerns/policy.js';
import { startConcernSlaWorker } from '../workers/concern-sla.js';
import { ContactBook } from '../core/concerns/contact-book.js';
import { CaseService } from '../core/cases/case-service.js';
import { CaseStore } from '../core/cases/case-store.js';
import { bindCaseModels } from '../core/cases/models.js';
import { FeedbackService } from '../core/feedback/feedback-service.js';
import { bindFeedbackModels } from '../core/feedback/models.js';
import { BullJobs } from '../workers/bull-jobs.js';
import { startSurveyReminders } from '../workers/survey-reminders.js';
import { bindSurveyModels } from '../core/surveys/models.js';
import { SurveyService } from '../core/surveys/survey-service.js';
import { ChatFairness } from '../workers/chat-fairness.js';
import { QueueOutbox } from '../workers/delivery-queue.js';
import { startDeliveryWorkers } from '../workers/delivery-worker.js';
import { ConversationStore } from '../core/engine/conversation-store.js';
import { DeliveryLog } from '../core/delivery-log.js';
import { startRetention } from '../workers/retention.js';
import { SteeringReportReader } from '../core/reports/steering-report.js';
import { startSteeringReports } from '../workers/steering-reports.js';
import { WebSignIn } from '../core/web-access/web-sign-in.js';
import { ConsoleChannel } from '../bots/console/console-channel.js';
import { bullConnection } from './bull-connection.js';
import { roleParts, type ProcessRole } from './process-role.js';

export interface AppOptions {
  config: Config;
  mongoUri: string;
  redisUrl: string;
  clock?: Clock;
  log?: Logger;
  /** Concerns policy (routing, SLA, business hours); default DEFAULT_POLICY. */
  concernPolicy?: ConcernPolicy;
  /** Start the workers of this process's role (default true); false starts none (the CLI, tests). */
  workers?: boolean;
  /** Which workers: those of this role (app/process-role.ts; default the configuration's ROLE). */
  role?: ProcessRole;
  /** The privacy keys (default: from the configuration, or generated into .data/ for local use). */
  keys?: PrivacyKeys;
  /** The process's metrics (default: a new registry with Node's process metrics). */
  metrics?: Metrics;
}

export interface App {
  config: Config;
  conn: Connection;
  models: Models;
  redis: Redis;
  services: Services;
  engine: Engine;
  outbox: QueueOutbox;
  jobs: BullJobs;
  clock: Clock;
  console: ConsoleChannel;
  workers: Worker[];
  log: Logger;
  /** This process's metrics, served at /metrics (core/metrics.ts, bots/metrics-http.ts). */
  metrics: Metrics;
  /** Starts the delivery workers of a platform channel in this process. */
  startDelivery(sender: ChannelSender, ratePerSecond: number): void;
  close(): Promise<void>;
}

/** Builds and starts the app; throws DatabaseUnavailableError / RedisUnavailableError with one clear line. */
export async function createApp(o: AppOptions): Promise<App> {
  const log = o.log ?? createLogger(o.config.LOG_LEVEL);
  const keys = o.keys ?? resolvePrivacyKeys(o.config, { onGenerated: (file) => process.stderr.write(`[start] generated the local privacy keys into ${file} (local use only; production sets REPORTER_SEAL_KEY and MARKER_KEY, see docs/privacy.md)\n`) });
  const redis = await connectRedis(o.redisUrl);
  let conn: Connection;
  try {
    conn = await connectMongo(o.mongoUri, o.config.MONGODB_DB);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const models = bindModels(conn);
  await Promise.all(Object.values(models).map((m) => m.init()));
  const audit = new AuditLog(models);
  const connection = bullConnection(o.redisUrl);
  const redisKeys = new RedisKeys(o.config.REDIS_PREFIX);
  const prefix = redisKeys.bull;
  const clock = o.clock ?? systemClock;
  const jobs = new BullJobs(connection, prefix, clock);
  const role = o.role ?? o.config.ROLE;
  const metrics = o.metrics ?? new Metrics({ role });
  jobs.metrics = metrics;
  const i18n = new Translations(o.config.DEFAULT_LOCALE);
  const org = new OrgDirectory(models);
  const access = new AccessScope(org, audit);
  // Global secretariat/admin roles of before become grants at the root unit (idempotent).
  const migrated = await migrateGlobalRoles(models, audit, clock.now());
  if (migrated > 0) log.info({ migrated }, 'roles: global secretariat/admin roles granted at the root unit');
  const materialModels = bindMaterialModels(conn);
  const broadcastModels = bindBroadcastModels(conn);
  await Promise.all([...Object.values(materialModels), ...Object.values(broadcastModels)].map((m) => m.init()));
  const materials = new MaterialService(materialModels, audit);
  const members = new MemberService(models, audit);
  const meetingStore = new MeetingStore(bindMeetingModels(conn));
  await meetingStore.init();
  const meetings = new MeetingService({ store: meetingStore, org, access, audit, jobs, audience: new AudienceReader(models, materials), i18n, redis, redisPrefix: o.config.REDIS_PREFIX, keys, clock });
  const services: Services = {
    contacts: ContactBook.of(models),
    conversations: new ConversationStore(models, keys),
    members,
    links: new AccountLinks(redis, redisKeys, keys, models, audit),
    org,
    access,
    audit,
    auditReader: new AuditReader(models),
    // The web console's one-time links name PUBLIC_URL, or this machine's PORT for local use.
    webSignIn: new WebSignIn({ redis, redisKeys, keys, members, access, audit, baseUrl: o.config.PUBLIC_URL ?? `http://localhost:${o.config.PORT}` }),
    i18n,
    jobs,
    concerns: new ConcernService({ models, concernModels: bindConcernModels(conn), org, audit, i18n, jobs, redis, redisPrefix: o.config.REDIS_PREFIX, policy: o.concernPolicy ?? DEFAULT_POLICY, clock, keys, metrics }),
    surveys: new SurveyService(models, bindSurveyModels(conn), audit, jobs, keys),
    materials,
    meetings,
    broadcasts: new BroadcastService({ models, bm: broadcastModels, materials, audience: new AudienceReader(models, materials), access, audit, jobs, redis, redisPrefix: o.config.REDIS_PREFIX, i18n }),
    keys,
  } as Omit<Services, 'erasure' | 'dashboard' | 'cases' | 'feedback'> as Services;
  const caseStore = new CaseStore(bindCaseModels(conn));
  await caseStore.init();
  // Collective cases: concerns of one category about one enterprise grouped under one lead cadre.
  services.cases = new CaseService({ store: caseStore, concerns: services.concerns, models, org, audit, i18n, redis, redisPrefix: o.config.REDIS_PREFIX });
  // "You said, we did": feedback on closed surveys and consented outcome notes, sent as materials by broadcast.
  const feedbackModels = bindFeedbackModels(conn);
  await feedbackModels.Feedback.init();
  services.feedback = new FeedbackService({ models: feedbackModels, surveys: services.surveys, concerns: services.concerns, materials, broadcasts: services.broadcasts, audit, i18n });
  // The web console's dashboard: each collection read once per page, figures from core/reports/dashboard.ts.
  services.dashboard = new DashboardReader({ models, cm: services.concerns.cm, bm: broadcastModels, org, review: services.concerns.review, policy: () => services.concerns.policy, materials });
  const shards = { console: 1, telegram: o.config.DELIVERY_SHARDS, zalo: o.config.DELIVERY_SHARDS };
  const outbox = new QueueOutbox(connection, redisKeys, shards, keys);
  // A chat's backlog waits behind other chats' replies (workers/chat-fairness.ts).
  outbox.fairness = new ChatFairness(redis, redisKeys, o.config.DELIVERY_FAIRNESS_LEVELS);
  const retention = retentionPolicyFrom(o.config);
  outbox.keepFinished = { completedSeconds: retention.jobsCompletedHours * 3600, failedSeconds: retention.jobsFailedDays * 24 * 3600 };
  // Inspections roll up the meetings held and their attendance per branch.
  services.surveys.meetingFigures = (from, to) => meetings.figuresByUnit(from, to);
  services.erasure = new MemberErasure({ models, members: services.members, concerns: services.concerns, cases: services.cases, feedback: services.feedback, surveys: services.surveys, meetings, materialModels, broadcastModels, audit, jobs, outbox, redis, redisPrefix: o.config.REDIS_PREFIX, keys });
  const engine = new Engine({
    services,
    outbox,
    inbox: new MemberInbox(redis, { redisKeys, maxLength: o.config.INBOX_MAX_EVENTS }),
    limits: new InboundLimits(redis, { redisKeys, burst: o.config.INBOUND_BURST, refillPerSecond: o.config.INBOUND_REFILL_PER_SECOND, noticeSeconds: o.config.INBOUND_NOTICE_SECONDS }),
    flows: allFlows,
    clock,
    log,
    stepTtlMs: o.config.CONVERSATION_STEP_TTL_MINUTES * 60_000,
    maxChars: o.config.MAX_MESSAGE_CHARS,
    metrics,
  });
  const consoleChannel = new ConsoleChannel();
  const deliveries = new DeliveryLog(models);
  const markUnreachable = async (channel: string, chatId: string) => {
    const identity = await services.members.markUnreachable(channel, chatId);
    if (identity) await services.conversations.forgetIdentity(identity);
  };
  const workers: Worker[] = [];
  const parts = roleParts(role);
  // Gauges read when /metrics is scraped, in every role: the queues are shared, so a backlog shows
  // even while no worker runs. The delivery lanes of the console (all) and of the configured platforms.
  const lanes = { ...(parts.console ? { console: 1 } : {}), ...(o.config.TELEGRAM_BOT_TOKEN ? { telegram: shards.telegram } : {}), ...(o.config.ZALO_BOT_TOKEN ? { zalo: shards.zalo } : {}) };
  const queueNames = watchedQueues(lanes);
  metrics.watchQueues(() => readQueues(redis, prefix, queueNames));
  metrics.watchBroadcasts(() => broadcastProgress(broadcastModels));
  if (o.workers !== false) {
    if (parts.console) workers.push(...startDeliveryWorkers(consoleChannel, { connection, redisKeys, deliveries, markUnreachable, log, ratePerSecond: o.config.CONSOLE_DELIVERY_RATE_PER_SECOND, shards: 1, keys, metrics }));
    if (parts.jobWorkers) {
      workers.push(startConcernSlaWorker({ jobs, concerns: services.concerns, contacts: services.contacts, outbox, clock, log }));
      workers.push(startSurveyReminders(jobs, { services, outbox, clock }, log));
      workers.push(startMeetingJobs(jobs, { meetings, outbox, clock }, log));
      workers.push(startImportJobs(jobs, { models, services, outbox, clock }, log));
      workers.push(startBroadcastWorker({ connection, prefix, service: services.broadcasts, log, metrics, runner: runnerOptionsFor({ models, bm: broadcastModels, materials, outbox, jobs, redis, config: o.config, clock, i18n, log }) }));
    }
    if (parts.scheduled) {
      workers.push(await startRetention({ sweep: new RetentionSweep({ models, broadcastModels, policy: retention, keys }), policy: retention, jobs, outbox, clock, log }));
      // The steering committee's monthly report to each unit's secretariat (1st of the month, 07:00).
      const reader = new SteeringReportReader({ ...services, models });
      workers.push(await startSteeringReports(jobs, { reader, members: services.members, contacts: services.contacts, i18n, outbox, clock, baseUrl: o.config.PUBLIC_URL ?? `http://localhost:${o.config.PORT}`, log }));
    }
  }
  return {
    config: o.config,
    conn,
    models,
    redis,
    services,
    engine,
    outbox,
    jobs,
    clock,
    console: consoleChannel,
    workers,
    log,
    metrics,
    startDelivery(sender, ratePerSecond) {
      workers.push(...startDeliveryWorkers(sender, { connection, redisKeys, deliveries, markUnreachable, log, ratePerSecond, shards: shards[sender.channel], keys, metrics }));
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await outbox.close();
      await jobs.close();
      redis.disconnect();
      await conn.close();
    },
  };
}
