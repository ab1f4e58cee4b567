/**
 * Materials, broadcasts and member commands of the admin CLI: the secretariat's chat actions
 * (create, list, pause, resume, cancel, results) plus adding materials, importing staff and
 * cadres from CSV, and granting roles. The operator acts as "admin-cli"; actions are audited.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditLog } from '../../core/audit/audit-log.js';
import { BroadcastInputError, broadcastErrorText } from '../../core/broadcasts/broadcast-errors.js';
import type { Actor, NewBroadcast } from '../../core/broadcasts/broadcast-service.js';
import type { Audience, BroadcastDoc } from '../../core/broadcasts/models.js';
import { ROLES, type Role } from '../../core/db.js';
import type { Translations } from '../../core/i18n.js';
import type { ChannelName } from '../../core/engine/types.js';
import { deliverNotices } from '../../core/concerns/notices.js';
import { InvalidMaterialError } from '../../core/materials/material-service.js';
import type { MaterialContent } from '../../core/materials/models.js';
import { importMembers, parseMemberCsv } from '../../core/members/member-import.js';
import { changeRole } from '../../core/members/role-change.js';
import { isScopedRole, rootUnitIds, type GrantChange } from '../../core/members/role-grants.js';
import { ORGANISATIONS } from '../../core/concerns/models.js';
import { formatVnTime, parseVnDateTime } from '../../core/vn-time.js';
import { UsageError, type Command } from './command.js';
import { progressBar } from './progress.js';

const OPERATOR: Actor = { id: 'admin-cli', roles: 'operator' };

function options<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], spec: T) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function oneId(args: string[], what: string): string {
  const [id, ...extra] = args;
  if (!id || extra.length > 0) throw new UsageError(`${what} takes exactly one broadcast id`);
  return id;
}

/** The language of the CLI's own output, in which refusals are explained (from locales/). */
const CLI_LOCALE = 'en';

/** Runs a broadcast action, turning a refusal into its reason on stderr and exit code 1. */
async function refusing(a: { services: { i18n: Translations } }, action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof BroadcastInputError) {
      console.error(broadcastErrorText(a.services.i18n.for(CLI_LOCALE), err));
      return 1;
    }
    if (err instanceof InvalidMaterialError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

function describe(b: BroadcastDoc): string {
  const when = b.schedule.kind === 'once' ? formatVnTime(new Date(b.schedule.at)) : `cron "${b.schedule.cron}"`;
  const what = b.content.materialId ? `material ${b.content.materialId}` : JSON.stringify((b.content.text ?? '').slice(0, 40));
  return `${b._id}  ${b.status.padEnd(9)} ${when.padEnd(18)} ${what}`;
}

function counts(b: BroadcastDoc, pending: number): string {
  const c = b.counts;
  return `targeted ${c.targeted}, sent ${c.sent}, failed ${c.failed}, unreachable ${c.unreachable}, opted out ${c.optedOut}, withdrew consent ${c.withdrawn}, cancelled ${c.cancelled}, pending ${pending}`;
}

/** The schedule of `--at` (Vietnam time) or `--cron`; now when neither is given. */
function scheduleOf(v: { at?: string; cron?: string }, now: Date): NewBroadcast['schedule'] {
  if (v.cron) return { kind: 'recurring', cron: v.cron };
  if (!v.at) return { kind: 'once' };
  const at = parseVnDateTime(v.at, now);
  if (!at) throw new UsageError(`cannot read the time "${v.at}": use "YYYY-MM-DD HH:MM" (Vietnam time)`);
  return { kind: 'once', at };
}

export const broadcastCommands: Record<string, Command> = {
  'broadcast-create': {
    usage: 'broadcast-create (--text <t> | --material <id>) [--unit <id>] [--topics a,b] [--roles r,s] [--locale vi] [--channel zalo] [--at "YYYY-MM-DD HH:MM" | --cron "0 8 * * 1"] [--no-quiet-hours] [--draft] [--preview]',
    summary: 'create (or only preview) a broadcast; times are Vietnam time',
    async run({ args, app }) {
      const { values: v, positionals } = options(args, {
        text: { type: 'string' }, material: { type: 'string' }, unit: { type: 'string' }, topics: { type: 'string' }, roles: { type: 'string' },
        locale: { type: 'string' }, channel: { type: 'string' }, at: { type: 'string' }, cron: { type: 'string' },
        'no-quiet-hours': { type: 'boolean' }, draft: { type: 'boolean' }, preview: { type: 'boolean' },
      });
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      if (!v.text === !v.material) throw new UsageError('give either --text or --material');
      if (v.at && v.cron) throw new UsageError('give --at or --cron, not both');
      if (v.channel && !['telegram', 'zalo', 'console'].includes(v.channel)) throw new UsageError(`--channel must be telegram, zalo or console`);
      const list = (s?: string) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);
      const audience: Partial<Audience> = { topics: list(v.topics), roles: list(v.roles) as Role[] };
      if (v.unit) audience.orgUnitId = v.unit;
      if (v.locale) audience.locale = v.locale;
      if (v.channel) audience.channel = v.channel as ChannelName;
      const a = await app();
      const now = a.clock.now();
      const schedule = scheduleOf(v, now);
      return refusing(a, async () => {
        if (v.preview) {
          const s = await a.services.broadcasts.preview(audience, v.material ? { materialId: v.material } : {});
          console.log(`audience: ${s.targeted} would receive it; skipped ${s.optedOut} opted out, ${s.withdrawn} withdrew consent, ${s.unreachable} unreachable`);
          return 0;
        }
        const { broadcast, size } = await a.services.broadcasts.create(
          {
            content: v.material ? { materialId: v.material } : { text: v.text! },
            audience,
            schedule,
            ...(v['no-quiet-hours'] ? { quietHours: null } : {}),
            draft: !!v.draft,
          },
          OPERATOR,
          { now },
        );
        console.log(`created ${describe(broadcast)}`);
        console.log(`audience: ${size.targeted} will receive it; skipped ${size.optedOut} opted out, ${size.withdrawn} withdrew consent, ${size.unreachable} unreachable`);
        return 0;
      });
    },
  },
  'broadcast-schedule': {
    usage: 'broadcast-schedule <id> [--at "YYYY-MM-DD HH:MM" | --cron "0 8 * * 1"]',
    summary: 'schedule a draft (now when no time is given); times are Vietnam time',
    async run({ args, app }) {
      const { values: v, positionals } = options(args, { at: { type: 'string' }, cron: { type: 'string' } });
      if (positionals.length !== 1) throw new UsageError('give the id of one draft broadcast');
      if (v.at && v.cron) throw new UsageError('give --at or --cron, not both');
      const a = await app();
      const now = a.clock.now();
      const schedule = scheduleOf(v, now);
      return refusing(a, async () => {
        const { broadcast, size } = await a.services.broadcasts.scheduleDraft(positionals[0]!, schedule, OPERATOR, now);
        console.log(`scheduled ${describe(broadcast)}`);
        console.log(`audience: ${size.targeted} will receive it; skipped ${size.optedOut} opted out, ${size.withdrawn} withdrew consent, ${size.unreachable} unreachable`);
        return 0;
      });
    },
  },
  'broadcast-list': {
    usage: 'broadcast-list [--limit n]',
    summary: 'the latest broadcasts with their status',
    async run({ args, app }) {
      const { values } = options(args, { limit: { type: 'string' } });
      const limit = Number(values.limit ?? 20);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
      const list = await (await app()).services.broadcasts.list(limit);
      if (list.length === 0) console.log('no broadcasts yet');
      for (const b of list) console.log(describe(b));
      return 0;
    },
  },
  'broadcast-pause': {
    usage: 'broadcast-pause <id>',
    summary: 'pause a scheduled or sending broadcast',
    async run({ args, app }) {
      const id = oneId(args, 'broadcast-pause');
      const a = await app();
      return refusing(a, async () => (console.log(`paused ${describe(await a.services.broadcasts.pause(id, OPERATOR, a.clock.now()))}`), 0));
    },
  },
  'broadcast-resume': {
    usage: 'broadcast-resume <id>',
    summary: 'resume a paused broadcast',
    async run({ args, app }) {
      const id = oneId(args, 'broadcast-resume');
      const a = await app();
      return refusing(a, async () => (console.log(`resumed ${describe(await a.services.broadcasts.resume(id, OPERATOR, a.clock.now()))}`), 0));
    },
  },
  'broadcast-cancel': {
    usage: 'broadcast-cancel <id>',
    summary: 'cancel a broadcast; queued messages are withdrawn',
    async run({ args, app }) {
      const id = oneId(args, 'broadcast-cancel');
      const a = await app();
      return refusing(a, async () => (console.log(`cancelled ${describe(await a.services.broadcasts.cancel(id, OPERATOR, a.clock.now()))}`), 0));
    },
  },
  'broadcast-results': {
    usage: 'broadcast-results <id>',
    summary: 'status and counts of a broadcast',
    async run({ args, app }) {
      const id = oneId(args, 'broadcast-results');
      const a = await app();
      return refusing(a, async () => {
        const r = await a.services.broadcasts.results(id);
        console.log(describe(r.broadcast));
        console.log(counts(r.broadcast, r.pending));
        if (r.nextRun) console.log(`next run ${formatVnTime(r.nextRun)}`);
        for (const o of await a.services.broadcasts.occurrences(id)) console.log(`  occurrence ${describe(o)} — ${counts(o, Math.max(0, o.counts.targeted - o.counts.sent - o.counts.failed - o.counts.unreachable - o.counts.cancelled))}`);
        return 0;
      });
    },
  },
  'material-add': {
    usage: 'material-add <file.json>',
    summary: 'add materials: [{topic, author, publish_at?, content: {vi: {title, body, photo_url?}, en: …}}]',
    async run({ args, app }) {
      const [file, ...extra] = args;
      if (!file || extra.length > 0) throw new UsageError('material-add takes exactly one JSON file');
      let data: unknown;
      try {
        data = JSON.parse(await readFile(file, 'utf8'));
      } catch (err) {
        throw new UsageError(`cannot read ${file} as JSON (${(err as Error).message})`);
      }
      const entries = (Array.isArray(data) ? data : [data]) as { topic?: string; author?: string; publish_at?: string; content?: Record<string, { title?: string; body?: string; photo_url?: string }> }[];
      const a = await app();
      let failed = 0;
      for (const [i, e] of entries.entries()) {
        const at = e.publish_at ? parseVnDateTime(e.publish_at, a.clock.now()) : undefined;
        if (e.publish_at && !at) {
          console.error(`entry ${i + 1}: cannot read publish_at "${e.publish_at}"`);
          failed++;
          continue;
        }
        const content: Record<string, MaterialContent> = Object.fromEntries(
          Object.entries(e.content ?? {}).map(([l, c]) => [l, { title: c.title ?? '', body: c.body ?? '', ...(c.photo_url ? { photoUrl: c.photo_url } : {}) }]),
        );
        try {
          const m = await a.services.materials.create({ topic: e.topic ?? '', author: e.author ?? 'admin-cli', content, ...(at ? { publishAt: at } : {}) }, a.clock.now());
          console.log(`added ${m._id} (${m.topic}) ${contentTitle(m.content)}`);
        } catch (err) {
          if (!(err instanceof InvalidMaterialError)) throw err;
          console.error(`entry ${i + 1}: ${err.message}`);
          failed++;
        }
      }
      return failed > 0 ? 1 : 0;
    },
  },
  'import-members': {
    usage: 'import-members <file.csv>',
    summary: 'import staff and cadres: name,roles,org_unit,channel,platform_user_id[,locale]',
    async run({ args, models, app }) {
      const [file, ...extra] = args;
      if (!file || extra.length > 0) throw new UsageError('import-members takes exactly one CSV file');
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check the path`);
      }
      const parsed = parseMemberCsv(content);
      const result = { created: 0, updated: 0, rejected: parsed.rejected, cadreRoleRemoved: [] as string[] };
      if (parsed.rows.length > 0) {
        const m = await models();
        const at = new Date();
        const keys = (await app()).services.keys;
        const r = await importMembers(m, parsed.rows, { now: at, onProgress: progressBar('rows'), erasedMarker: (id) => keys.marker('erased-identity', id) });
        Object.assign(result, r, { rejected: [...parsed.rejected, ...r.rejected].sort((x, y) => x.line - y.line) });
        await new AuditLog(m).record({ actor: 'admin-cli', action: 'members.import', target: resolve(file), details: { created: result.created, updated: result.updated, rejected: result.rejected.length }, at });
      }
      console.log(`created ${result.created}, updated ${result.updated}, rejected ${result.rejected.length}`);
      if (result.cadreRoleRemoved.length > 0) {
        // Rows without the cadre role take it away: as with grant-role --revoke, their assignments end and their concerns move on.
        const a = await app();
        let ended = 0;
        let rerouted = 0;
        for (const memberId of result.cadreRoleRemoved) {
          const r = await a.services.concerns.endCadre(memberId, new Date());
          await deliverNotices(a.services.contacts, a.outbox, r.notices);
          ended += r.ended;
          rerouted += r.rerouted;
        }
        console.log(`cadre role removed from ${result.cadreRoleRemoved.length}: assignments ended ${ended}, concerns re-routed ${rerouted}`);
      }
      for (const r of result.rejected) console.error(`line ${r.line}: ${r.reason}`);
      if (result.rejected.length > 0) console.error('Fix the rejected rows and import the file again; the other rows are already imported.');
      return result.rejected.length > 0 ? 1 : 0;
    },
  },
  'grant-role': {
    usage: 'grant-role <member id | channel:user id> <role> [--unit <unit id>] [--org <organisation>] [--revoke]',
    summary: 'give (or take away) a role at an org unit and its subtree; secretariat and admin need --unit (default: the root); revoking cadre ends their assignments and re-routes their open concerns',
    async run({ args, models, app }) {
      const { values, positionals } = options(args, { revoke: { type: 'boolean' }, unit: { type: 'string' }, org: { type: 'string' } });
      const [who, role, ...extra] = positionals;
      if (!who || !role || extra.length > 0) throw new UsageError('grant-role needs a member and a role');
      if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`role "${role}" is not known (expected ${ROLES.join(', ')})`);
      if (values.org !== undefined && !(ORGANISATIONS as readonly string[]).includes(values.org)) throw new UsageError(`organisation "${values.org}" is not known (expected ${ORGANISATIONS.join(', ')})`);
      const m = await models();
      const at = new Date();
      let unitId = values.unit;
      if (unitId !== undefined && !(await m.OrgUnit.findById(unitId).lean())) {
        console.error(`no org unit "${unitId}": give a unit code from the org tree (import-org lists them)`);
        return 1;
      }
      if (unitId === undefined && !values.revoke && isScopedRole(role as Role)) {
        // A role held at no unit would be the whole tree: say so rather than grant it silently.
        const roots = await rootUnitIds(m, at);
        if (roots.length !== 1) {
          console.error(`${role} is held at a unit: give --unit <unit id> (the org tree has ${roots.length} root units in effect)`);
          return 1;
        }
        unitId = roots[0]!;
        console.log(`note: no --unit given; granting ${role} at the root unit ${unitId} (the whole tree)`);
      }
      const identity = who.includes(':') ? await m.ChannelIdentity.findById(who).lean() : null;
      const member = await m.Member.findById(identity?.memberId ?? who).lean();
      if (!member || member.status !== 'active') {
        console.error(`no active member "${who}": give a member id or <channel>:<platform user id> of someone who has joined`);
        return 1;
      }
      // The whole app only when the cadre role goes (its assignments end, its concerns move on).
      const revokeCadreRole = async (id: string, when: Date) => (await app()).services.concerns.revokeCadreRole(id, when);
      const { roles, grants, cadreEnded } = await changeRole({ models: m, audit: new AuditLog(m), revokeCadreRole }, member, { role: role as Role, unitId, organisation: values.org as GrantChange['organisation'], revoke: values.revoke }, 'admin-cli', at);
      const where = grants.filter((g) => g.role === role).map((g) => g.unitId + (g.organisation ? `/${g.organisation}` : '')).join(', ');
      if (cadreEnded) {
        // A cadre removed (misconduct, leaving) stops receiving concerns at once; the cadres who get them are told why.
        const a = await app();
        await deliverNotices(a.services.contacts, a.outbox, cadreEnded.notices);
        console.log(`${member._id}: roles ${roles.join(', ') || '(none)'}; assignments ended ${cadreEnded.ended}, concerns re-routed ${cadreEnded.rerouted}`);
        return 0;
      }
      console.log(`${member._id}: roles ${roles.join(', ') || '(none)'}${roles.includes(role as Role) && where ? `; ${role} at ${where}` : ''}`);
      return 0;
    },
  },
};

function contentTitle(content: Record<string, MaterialContent>): string {
  return JSON.stringify((content.vi ?? Object.values(content)[0])?.title ?? '');
}
