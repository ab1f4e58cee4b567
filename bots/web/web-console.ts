/**
 * The web console, mounted under /web on the one HTTP server: its own form parser, security
 * headers on every response, the stylesheet, sign-in and sign-out, the home page, the audit
 * log, the concerns (list, export, a concern's page), the collective cases, the dashboard, the broadcasts, the surveys and inspections, the branch meetings, the materials and (for city-level admins) the queues board; any other /web path is a 404 page in
 * the person's language. Without a session key (WEB_SESSION_SECRET missing where it is
 * required) every /web path answers 503 saying so.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { registerAuditRoutes } from './audit-page.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerBroadcastRoutes } from './broadcasts-page.js';
import { registerCaseRoutes } from './cases-page.js';
import { registerConcernDetailRoutes } from './concern-detail-page.js';
import { registerConcernListRoutes } from './concerns-page.js';
import { registerDashboardRoutes } from './dashboard-page.js';
import { registerFeedbackRoutes } from './feedback-page.js';
import { registerHomeRoutes } from './home-page.js';
import { registerMaterialRoutes } from './materials-page.js';
import { registerMeetingRoutes } from './meetings-page.js';
import { registerQueuesBoard } from './queues-board.js';
import { registerPeopleRoutes } from './people-page.js';
import { messagePage } from './layout.js';
import { securityHeaders } from './security-headers.js';
import { SessionCookies } from './session-cookie.js';
import { registerSteeringReportRoutes } from './steering-report-page.js';
import { registerSurveyRoutes } from './surveys-page.js';
import { resolveSessionKey } from './session-key.js';
import { webContext, type WebDeps } from './web-context.js';

const CSS = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'assets', 'console.css'), 'utf8');

/** Registers the web console on `server`; returns why it is off, if it is. */
export function registerWebConsole(server: FastifyInstance, app: App): { problem?: string } {
  const resolved = resolveSessionKey(app.config, app.services.keys);
  const secure = (app.config.PUBLIC_URL ?? '').startsWith('https://');
  void server.register(
    async (web) => {
      web.addHook('onRequest', async (request, reply) => {
        reply.headers(securityHeaders(request.url));
      });
      web.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => {
        const form: Record<string, string> = {};
        for (const [k, v] of new URLSearchParams(body as string)) if (!(k in form)) form[k] = v;
        done(null, form);
      });
      web.get('/assets/console.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(CSS));
      if (!resolved.key) {
        const t = app.services.i18n.for(app.config.DEFAULT_LOCALE);
        const unavailable = async (_request: unknown, reply: FastifyReply) => reply.code(503).type('text/plain; charset=utf-8').send(`${t('web:errors.unavailable_title')}\n${t('web:errors.unavailable')}\n`);
        web.all('/', unavailable);
        web.all('/*', unavailable);
        return;
      }
      const deps: WebDeps = { app, cookies: new SessionCookies(resolved.key, { secure }) };
      registerAuthRoutes(web, deps);
      registerHomeRoutes(web, deps);
      registerAuditRoutes(web, deps);
      registerConcernListRoutes(web, deps);
      registerConcernDetailRoutes(web, deps);
      registerCaseRoutes(web, deps);
      registerDashboardRoutes(web, deps);
      registerBroadcastRoutes(web, deps);
      registerFeedbackRoutes(web, deps);
      registerSteeringReportRoutes(web, deps);
      registerSurveyRoutes(web, deps);
      registerMaterialRoutes(web, deps);
      registerMeetingRoutes(web, deps);
      registerQueuesBoard(web, deps);
      registerPeopleRoutes(web, deps);
      web.setNotFoundHandler(async (request, reply) => {
        const ctx = await webContext(deps, request, reply);
        return reply.code(404).type('text/html; charset=utf-8').send(messagePage(ctx, { title: ctx.t('web:errors.not_found_title'), message: ctx.t('web:errors.not_found'), languages: app.services.i18n.languages }));
      });
    },
    { prefix: '/web' },
  );
  return resolved.key ? {} : { problem: resolved.problem };
}
