/**
 * What the people pages share (imports, cadres, roles): who may open them (signed-in staff; the
 * sign-in page or the 404 page otherwise). Their unit choices come from ./unit-options.ts.
 */
import type { FastifyReply } from 'fastify';
import type { App } from '../../app/app.js';
import { requireStaff } from './concern-views.js';
import type { WebContext } from './web-context.js';

export const HTML = 'text/html; charset=utf-8';

/** Whether the person is signed-in staff (the web console's only people); otherwise a page is already sent. */
export function peopleAllowed(app: App, ctx: WebContext, reply: FastifyReply): boolean {
  return requireStaff(app, ctx, reply);
}

