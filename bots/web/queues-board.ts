/**
 * The queues board for operators (`/web/queues`): bull-board (@bull-board/fastify) over the app's
 * BullMQ queues — every delivery lane of the channels this deployment runs and the queues of
 * timed work (workers/queue-metrics.ts names the same ones for the metrics).
 * - Behind the console's sign-in: a member whose admin role reaches the whole tree (the city
 *   level; AccessScope.allows with no unit, audited as access.denied when it refuses). Anyone else
 *   signed in gets the 404 page; no session, the sign-in page.
 * - Its API changes things with JSON fetch calls that carry no CSRF token: the session cookie is
 *   SameSite=Lax, and here every request other than GET/HEAD must come with an Origin of this
 *   site (PUBLIC_URL's, or the Host it was sent to), else 403.
 * - Message jobs show no chat id and no message text (a formatter of the job data), and jobs are
 *   not added or their data rewritten by hand (those two API calls answer 404): the app makes them.
 * Its pages load bull-board's own scripts and styles: security-headers.ts relaxes the CSP for this
 * path prefix only.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app/app.js';
import type { ChannelName } from '../../core/engine/types.js';
import { TIMED_QUEUES } from '../../workers/queue-metrics.js';
import { notFound, requireStaff } from './concern-views.js';
import { messagePage } from './layout.js';
import { webContext, type WebDeps } from './web-context.js';

/** Where the board lives. */
export const QUEUES_PATH = '/web/queues';

/** A message job's data as the board shows it: where and how, never to whom or what. */
export function deliveryJobView(data: unknown): unknown {
  if (!data || typeof data !== 'object') return data;
  const d = data as Record<string, unknown>;
  const { chatId, messages, sealed, ...rest } = d;
  return {
    ...rest,
    ...(chatId !== undefined ? { chatId: '…' } : {}),
    ...(Array.isArray(messages) ? { messages: messages.length } : {}),
    ...(sealed !== undefined ? { sealed: true } : {}),
  };
}

/** Whether a request that changes something comes from this site (Origin header). */
export function sameOrigin(request: Pick<FastifyRequest, 'headers'>, publicUrl: string | undefined): boolean {
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || !origin || origin === 'null') return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (publicUrl) {
    try {
      if (new URL(publicUrl).origin === o.origin) return true;
    } catch {
      // A PUBLIC_URL that is no URL was refused at start-up; fall through to the Host.
    }
  }
  return (o.protocol === 'http:' || o.protocol === 'https:') && !!request.headers.host && o.host === request.headers.host;
}

/** The app's queues as bull-board adapters (opened on first use, closed with the app). */
function boardQueues(app: App): BullMQAdapter[] {
  const channels: ChannelName[] = ['console', ...(app.config.TELEGRAM_BOT_TOKEN ? (['telegram'] as const) : []), ...(app.config.ZALO_BOT_TOKEN ? (['zalo'] as const) : [])];
  const lanes = channels.flatMap((c) => app.outbox.queuesOf(c)).map((q) => {
    const a = new BullMQAdapter(q, { readOnlyMode: false, allowRetries: true });
    a.setFormatter('data', deliveryJobView);
    return a;
  });
  return [...lanes, ...TIMED_QUEUES.map((name) => new BullMQAdapter(app.jobs.queue(name), { readOnlyMode: false, allowRetries: true }))];
}

/** Mounts the board under /web/queues on the console's `web` context. */
export function registerQueuesBoard(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  const languages = app.services.i18n.languages;
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  const t = app.services.i18n.for(app.config.DEFAULT_LOCALE);
  const board = createBullBoard({
    queues: [],
    serverAdapter,
    options: { uiConfig: { boardTitle: t('web-materials:queues.title'), hideDocsLink: true, miscLinks: [{ text: t('web:errors.back_home'), url: '/web' }] } },
  });
  let opened = false;

  void web.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply: FastifyReply) => {
        const ctx = await webContext(deps, request, reply);
        if (!requireStaff(app, ctx, reply)) return reply;
        if (!(await app.services.access.allows(ctx.staff!.member, 'admin', undefined, ctx.now, 'web.queues'))) return notFound(app, ctx, reply);
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          if (!sameOrigin(request, app.config.PUBLIC_URL)) {
            return reply.code(403).type('text/html; charset=utf-8').send(messagePage(ctx, { title: ctx.t('web:errors.csrf_title'), message: ctx.t('web:errors.csrf'), languages }));
          }
          if (/\/api\/queues\/[^/]+\/(?:add|[^/]+\/update-data)$/.test(request.url.split('?')[0]!)) return notFound(app, ctx, reply);
        }
        if (!opened) {
          opened = true;
          board.replaceQueues(boardQueues(app));
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: '/queues' },
  );
}
