/**
 * People and organisation on the web console: `GET /web/people` (what the three pages are for) and
 * the pages themselves — CSV imports (people-imports.ts), cadres by unit with their load
 * (people-cadres.ts), granting and revoking roles (people-roles.ts). Every one of them is for
 * signed-in staff and stays inside their scope.
 */
import type { FastifyInstance } from 'fastify';
import { html } from './html.js';
import { page } from './layout.js';
import { registerCadreRoutes } from './people-cadres.js';
import { registerImportFileScript } from './people-import-file.js';
import { registerImportRoutes } from './people-imports.js';
import { registerRoleRoutes } from './people-roles.js';
import { HTML, peopleAllowed } from './people-views.js';
import { webContext, type WebDeps } from './web-context.js';

export function registerPeopleRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { app } = deps;
  web.get('/people', async (request, reply) => {
    const ctx = await webContext(deps, request, reply);
    if (!peopleAllowed(app, ctx, reply)) return reply;
    const t = ctx.t;
    const link = (href: string, key: string) => html`<li><a href="${href}">${t(`web-people:hub.${key}`)}</a></li>`;
    const body = html`<p>${t('web-people:hub.intro')}</p><ul class="links">${link('/web/people/import', 'import')}${link('/web/people/cadres', 'cadres')}${link('/web/people/roles', 'roles')}</ul>`;
    return reply.type(HTML).send(page(ctx, { title: t('web-people:hub.title'), current: 'people', languages: app.services.i18n.languages, body }));
  });
  registerImportFileScript(web);
  registerImportRoutes(web, deps);
  registerCadreRoutes(web, deps);
  registerRoleRoutes(web, deps);
}
