/**
 * The secretariat composes a broadcast in chat: a free message or a material, the audience (an
 * org unit and its subtree, then roles, language, channel, topic) with its size shown before
 * confirming, a time or a recurrence, and a final confirmation.
 */
import { BroadcastInputError, broadcastErrorText, recurrenceErrorText } from '../core/broadcasts/broadcast-errors.js';
import { InvalidRecurrenceError, nextRun, parseCron } from '../core/broadcasts/cron-rule.js';
import { isPastTime, type Actor } from '../core/broadcasts/broadcast-service.js';
import type { Audience } from '../core/broadcasts/models.js';
import { DEFAULT_QUIET_HOURS, quietUntil } from '../core/broadcasts/quiet-hours.js';
import { looksLikeCron, parseRecurrenceWords } from '../core/broadcasts/recurrence-words.js';
import type { FlowContext, Step } from '../core/engine/flow.js';
import { STAFF_ROLES } from '../core/members/access-scope.js';
import type { ChannelName, Choice } from '../core/engine/types.js';
import { contentIn } from '../core/materials/material-service.js';
import { TOPICS } from '../core/materials/models.js';
import { formatVnTime, parseTypedTime, vnAtClock } from '../core/vn-time.js';
import { createdText, cut, describeAudience, describeRecurrence } from './broadcast-wording.js';

/** Materials shown per page in the picker. */
const MATERIAL_PAGE = 8;

/** The broadcast being composed, kept in the conversation's data under DRAFT. */
interface Draft {
  text?: string;
  materialId?: string;
  audience: Partial<Audience>;
  /** "Gửi ngay": sent at the moment it is confirmed. */
  now?: boolean;
  at?: string;
  cron?: string;
}

const DRAFT = 'bcDraft';
const emptyDraft = (): Draft => ({ audience: {} });

/** A time for the draft, in place of the one it had (a time, "now" or a recurrence). */
function setTime(d: Draft, time: Pick<Draft, 'now' | 'at'>): void {
  delete d.now;
  delete d.at;
  delete d.cron;
  Object.assign(d, time);
}

/** The draft as the broadcast service takes it; "now" is the moment of confirming. */
function requestOf(d: Draft) {
  return {
    content: d.materialId ? { materialId: d.materialId } : { text: d.text ?? '' },
    audience: d.audience,
    schedule: d.cron ? { kind: 'recurring' as const, cron: d.cron } : d.at && !d.now ? { kind: 'once' as const, at: new Date(d.at) } : { kind: 'once' as const },
  };
}

/** The acting member as the broadcast service sees them (the service checks the role again). */
export const actorOf = (ctx: FlowContext): Actor => ({ id: ctx.member!._id, roles: ctx.member!.roles, grants: ctx.member!.grants });

/** Tells the person a unit (or everyone) is outside their scope, when the broadcast service refuses it. */
async function withinScope(ctx: FlowContext, audience: Partial<Audience>): Promise<boolean> {
  try {
    await ctx.services.broadcasts.checkScope(actorOf(ctx), audience, 'choose a broadcast audience', ctx.now);
    return true;
  } catch (err) {
    if (!(err instanceof BroadcastInputError)) throw err;
    ctx.reply(broadcastErrorText(ctx.t, err));
    return false;
  }
}

/**
 * Whether `audience` still reaches someone. If it would reach nobody the person is told why at
 * this step, and the audience chosen so far is kept (the caller does not save the change).
 */
async function reachesSomeone(ctx: FlowContext, d: Draft, audience: Partial<Audience>): Promise<boolean> {
  const size = await ctx.services.broadcasts.preview(audience, { materialId: d.materialId });
  if (size.targeted > 0) return true;
  ctx.reply(ctx.t('secretariat:narrowed_to_none', { ...size }));
  return false;
}

/** Explains a refusal and goes back to the step that can fix it. */
async function explain(ctx: FlowContext, err: BroadcastInputError): Promise<void> {
  ctx.reply(broadcastErrorText(ctx.t, err));
  const fix: Partial<Record<BroadcastInputError['code'], string>> = { past_time: 'when', invalid_rule: 'recurrence', empty_audience: 'refine', out_of_scope: 'audience', out_of_scope_everyone: 'audience', too_long: 'compose', unknown_material: 'compose', no_content: 'compose' };
  return ctx.jump('secretariat', fix[err.code] ?? 'main');
}

export const composeSteps: Record<string, Step> = {
  compose: {
    enter(ctx) {
      ctx.ask(ctx.t('secretariat:compose_question'), [
        { id: 'write', label: ctx.t('secretariat:choice_write') },
        { id: 'material', label: ctx.t('secretariat:choice_material') },
      ]);
    },
    input(ctx, input) {
      // A new message or material; the audience chosen before is kept.
      const { audience } = ctx.draft(DRAFT, emptyDraft);
      ctx.dropDraft(DRAFT);
      ctx.draft(DRAFT, (): Draft => ({ audience }));
      ctx.state.data.bcMaterialPage = 0;
      return ctx.go('secretariat', input.choice!.id === 'write' ? 'write' : 'pick_material');
    },
  },
  write: {
    acceptsText: true,
    enter(ctx) {
      ctx.ask(ctx.t('secretariat:write_question'), []);
    },
    input(ctx, input) {
      const d = ctx.draft(DRAFT, emptyDraft);
      d.text = input.text ?? '';
      delete d.materialId;
      return ctx.go('secretariat', 'audience');
    },
  },
  pick_material: {
    async enter(ctx) {
      // Newest first, a page at a time, so older materials can be sent too.
      const page = Number(ctx.state.data.bcMaterialPage ?? 0);
      const { items, hasMore } = await ctx.services.materials.newest({ now: ctx.now, page, pageSize: MATERIAL_PAGE });
      if (items.length === 0 && page === 0) {
        ctx.reply(ctx.t('secretariat:no_materials'));
        return ctx.jump('secretariat', 'compose');
      }
      const choices: Choice[] = items.map((m) => ({ id: m._id, label: contentIn(m, ctx.locale).title }));
      if (hasMore) choices.push({ id: 'more', label: ctx.t('secretariat:choice_more') });
      if (page > 0) choices.push({ id: 'previous', label: ctx.t('secretariat:choice_previous') });
      choices.push({ id: 'back', label: ctx.t('secretariat:choice_back') });
      ctx.ask(ctx.t(page > 0 ? 'secretariat:material_question_page' : 'secretariat:material_question', { page: page + 1 }), choices);
    },
    input(ctx, input) {
      const id = input.choice!.id;
      const page = Number(ctx.state.data.bcMaterialPage ?? 0);
      if (id === 'more' || id === 'previous') {
        ctx.state.data.bcMaterialPage = id === 'more' ? page + 1 : Math.max(0, page - 1);
        return ctx.repeat();
      }
      if (id === 'back') return ctx.back();
      const d = ctx.draft(DRAFT, emptyDraft);
      d.materialId = id;
      delete d.text;
      return ctx.go('secretariat', 'audience');
    },
  },
  audience: {
    acceptsText: true,
    async enter(ctx) {
      // The city level may send to everyone; a ward or zone is offered its own units first.
      const scope = await ctx.services.access.resolve(ctx.member!, STAFF_ROLES, ctx.now);
      if (scope.whole) {
        return ctx.ask(ctx.t('secretariat:audience_question'), [
          { id: 'everyone', label: ctx.t('secretariat:choice_everyone') },
          { id: 'back', label: ctx.t('secretariat:choice_back') },
        ]);
      }
      const own: Choice[] = [];
      for (const id of scope.units) {
        const unit = await ctx.services.org.get(id, ctx.now);
        if (unit) own.push({ id: `unit:${id}`, label: unit.name });
      }
      ctx.ask(ctx.t('secretariat:audience_question_scoped', { scope: own.map((c) => c.label).join(', ') }), [...own, { id: 'back', label: ctx.t('secretariat:choice_back') }]);
    },
    async input(ctx, input) {
      const d = ctx.draft(DRAFT, emptyDraft);
      if (input.choice?.id === 'back') return ctx.back();
      if (input.choice?.id === 'everyone') {
        if (!(await withinScope(ctx, {})) || !(await reachesSomeone(ctx, d, {}))) return ctx.repeat();
        d.audience = {};
        return ctx.go('secretariat', 'refine');
      }
      if (input.choice?.id.startsWith('unit:')) {
        const audience = { orgUnitId: input.choice.id.slice(5) };
        if (!(await withinScope(ctx, audience)) || !(await reachesSomeone(ctx, d, audience))) return ctx.repeat();
        d.audience = audience;
        return ctx.go('secretariat', 'refine');
      }
      // Only units in effect now: a dissolved one (valid_to passed) is not offered.
      const hits = await ctx.services.org.searchUnits(input.text ?? '', ctx.now);
      if (hits.length === 0) {
        ctx.reply(ctx.t('secretariat:unit_not_found', { text: input.text }));
        return ctx.repeat();
      }
      // Units outside the person's scope are not offered; when all are outside, they are told why.
      const scope = await ctx.services.access.resolve(ctx.member!, STAFF_ROLES, ctx.now);
      const inside = hits.filter((u) => scope.has(u._id));
      if (inside.length === 0) {
        await withinScope(ctx, { orgUnitId: hits[0]!._id });
        return ctx.repeat();
      }
      ctx.state.data.bcUnits = inside.map((u) => ({ id: u._id, label: u.name }));
      return ctx.go('secretariat', 'audience_pick');
    },
  },
  audience_pick: {
    enter(ctx) {
      ctx.ask(ctx.t('secretariat:unit_question'), [...((ctx.state.data.bcUnits as Choice[] | undefined) ?? []), { id: 'back', label: ctx.t('secretariat:choice_back') }]);
    },
    async input(ctx, input) {
      if (input.choice!.id === 'back') return ctx.back();
      const d = ctx.draft(DRAFT, emptyDraft);
      const audience = { orgUnitId: input.choice!.id };
      if (!(await withinScope(ctx, audience)) || !(await reachesSomeone(ctx, d, audience))) return ctx.repeat();
      d.audience = audience;
      return ctx.go('secretariat', 'refine');
    },
  },
  refine: {
    async enter(ctx) {
      const d = ctx.draft(DRAFT, emptyDraft);
      const a = d.audience;
      const size = await ctx.services.broadcasts.preview(a, { materialId: d.materialId });
      ctx.ask(ctx.t('secretariat:refine', { audience: await describeAudience(ctx, a), size: ctx.t('broadcasts:size', { ...size }) }), [
        { id: 'ok', label: ctx.t('secretariat:choice_audience_ok') },
        { id: 'roles', label: ctx.t('secretariat:choice_roles') },
        { id: 'locale', label: ctx.t('secretariat:choice_locale') },
        { id: 'channel', label: ctx.t('secretariat:choice_channel') },
        { id: 'topic', label: ctx.t('secretariat:choice_topic') },
        { id: 'again', label: ctx.t('secretariat:choice_audience_again') },
      ]);
    },
    async input(ctx, input) {
      const id = input.choice!.id;
      if (id === 'ok') {
        // People may have left since the size was shown: refused here, with the filters kept.
        const d = ctx.draft(DRAFT, emptyDraft);
        if (!(await reachesSomeone(ctx, d, d.audience))) return ctx.repeat();
        return ctx.go('secretariat', 'when');
      }
      if (id === 'again') return ctx.jump('secretariat', 'audience');
      return ctx.go('secretariat', `refine_${id}`);
    },
  },
  refine_roles: {
    enter(ctx) {
      ctx.ask(ctx.t('secretariat:roles_question'), [
        { id: 'any', label: ctx.t('secretariat:choice_any') },
        ...['worker', 'cadre', 'secretariat'].map((r) => ({ id: r, label: ctx.t(`secretariat:role.${r}`) })),
      ]);
    },
    async input(ctx, input) {
      const d = ctx.draft(DRAFT, emptyDraft);
      const id = input.choice!.id;
      const audience = { ...d.audience, roles: id === 'any' ? [] : [id as 'worker'] };
      if (!(await reachesSomeone(ctx, d, audience))) return ctx.repeat();
      d.audience = audience;
      return ctx.back();
    },
  },
  refine_locale: {
    enter(ctx) {
      ctx.ask(ctx.t('secretariat:locale_question'), [
        { id: 'any', label: ctx.t('secretariat:choice_any') },
        ...ctx.services.i18n.languages.map((l) => ({ id: l, label: ctx.services.i18n.for(l)('common:language_name') })),
      ]);
    },
    async input(ctx, input) {
      const d = ctx.draft(DRAFT, emptyDraft);
      const id = input.choice!.id;
      const audience = { ...d.audience, locale: id === 'any' ? undefined : id };
      if (!(await reachesSomeone(ctx, d, audience))) return ctx.repeat();
      d.audience = audience;
      return ctx.back();
    },
  },
  refine_channel: {
    enter(ctx) {
      ctx.ask(ctx.t('secretariat:channel_question'), [
        { id: 'any', label: ctx.t('secretariat:choice_any') },
        { id: 'zalo', label: ctx.t('broadcasts:channel.zalo') },
        { id: 'telegram', label: ctx.t('broadcasts:channel.telegram') },
      ]);
    },
    async input(ctx, input) {
      const d = ctx.draft(DRAFT, emptyDraft);
      const id = input.choice!.id;
      const audience = { ...d.audience, channel: id === 'any' ? undefined : (id as ChannelName) };
      if (!(await reachesSomeone(ctx, d, audience))) return ctx.repeat();
      d.audience = audience;
      return ctx.back();
    },
  },
  refine_topic: {
    enter(ctx) {
      ctx.ask(ctx.t('secretariat:topic_question'), [{ id: 'any', label: ctx.t('secretariat:choice_any') }, ...TOPICS.map((t) => ({ id: t, label: ctx.t(`materials:topic.${t}`) }))]);
    },
    async input(ctx, input) {
      const d = ctx.draft(DRAFT, emptyDraft);
      const id = input.choice!.id;
      const audience = { ...d.audience, topics: id === 'any' ? [] : [id] };
      if (!(await reachesSomeone(ctx, d, audience))) return ctx.repeat();
      d.audience = audience;
      return ctx.back();
    },
  },
  when: {
    acceptsText: true,
    enter(ctx) {
      const choices: Choice[] = [{ id: 'now', label: ctx.t('secretariat:choice_now') }];
      const tonight = vnAtClock(ctx.now, 19 * 60);
      if (tonight.getTime() > ctx.now.getTime()) choices.push({ id: `at:${tonight.toISOString()}`, label: ctx.t('secretariat:choice_tonight') });
      choices.push(
        { id: `at:${vnAtClock(ctx.now, 8 * 60, 1).toISOString()}`, label: ctx.t('secretariat:choice_tomorrow') },
        { id: 'recurring', label: ctx.t('secretariat:choice_recurring') },
      );
      ctx.ask(ctx.t('secretariat:when_question'), choices);
    },
    input(ctx, input) {
      const d = ctx.draft(DRAFT, emptyDraft);
      const id = input.choice?.id;
      if (id === 'recurring') return ctx.go('secretariat', 'recurrence');
      if (id === 'now') {
        setTime(d, { now: true });
        return ctx.go('secretariat', 'confirm');
      }
      const typed = id?.startsWith('at:') ? { at: new Date(id.slice(3)) } : parseTypedTime(input.text ?? '', ctx.now);
      if (!typed) {
        ctx.reply(ctx.t('secretariat:time_not_understood'));
        return ctx.repeat();
      }
      if (isPastTime(typed.at, ctx.now)) {
        // Said at once, at this step; a day-month that passed this year may mean next year: the person chooses.
        if ('nextYear' in typed && typed.nextYear) {
          ctx.state.data.bcPassed = { at: typed.at.toISOString(), next: typed.nextYear.toISOString() };
          return ctx.go('secretariat', 'when_next_year');
        }
        ctx.reply(ctx.t('broadcasts:error.past_time', { at: formatVnTime(typed.at), now: formatVnTime(ctx.now) }));
        return ctx.repeat();
      }
      setTime(d, { now: false, at: typed.at.toISOString() });
      return ctx.go('secretariat', 'confirm');
    },
  },
  when_next_year: {
    enter(ctx) {
      const p = ctx.state.data.bcPassed as { at: string; next: string };
      ctx.ask(ctx.t('secretariat:time_passed', { at: formatVnTime(new Date(p.at)), next: formatVnTime(new Date(p.next)) }), [
        { id: 'next_year', label: ctx.t('secretariat:choice_next_year', { at: formatVnTime(new Date(p.next)) }) },
        { id: 'other', label: ctx.t('secretariat:choice_other_time') },
      ]);
    },
    input(ctx, input) {
      const p = ctx.state.data.bcPassed as { at: string; next: string };
      ctx.state.data.bcPassed = undefined;
      if (input.choice!.id === 'other') return ctx.back();
      setTime(ctx.draft(DRAFT, emptyDraft), { now: false, at: p.next });
      return ctx.jump('secretariat', 'confirm');
    },
  },
  recurrence: {
    acceptsText: true,
    enter(ctx) {
      ctx.ask(ctx.t('secretariat:recurrence_question'), [
        { id: '0 8 * * 1', label: ctx.t('secretariat:choice_weekly') },
        { id: '0 8 1 * *', label: ctx.t('secretariat:choice_monthly') },
      ]);
    },
    input(ctx, input) {
      // A choice, a recurrence in words ("mỗi thứ Hai 8:00"), or a rule typed as such.
      const text = input.text ?? '';
      const rule = input.choice?.id ?? parseRecurrenceWords(text) ?? (looksLikeCron(text) ? text : undefined);
      if (!rule) {
        ctx.reply(ctx.t('secretariat:recurrence_not_understood'));
        return ctx.repeat();
      }
      try {
        parseCron(rule, ctx.now);
      } catch (err) {
        if (!(err instanceof InvalidRecurrenceError)) throw err;
        ctx.reply(ctx.t('broadcasts:error.invalid_rule', { reason: recurrenceErrorText(ctx.t, err) }));
        return ctx.repeat();
      }
      const d = ctx.draft(DRAFT, emptyDraft);
      d.cron = rule;
      delete d.at;
      return ctx.go('secretariat', 'confirm');
    },
  },
  confirm: {
    async enter(ctx) {
      const d = ctx.draft(DRAFT, emptyDraft);
      try {
        // A draft kept from before a grant changed is checked against the scope again.
        await ctx.services.broadcasts.checkScope(actorOf(ctx), d.audience, 'confirm a broadcast', ctx.now);
        await ctx.services.broadcasts.validate(requestOf(d), ctx.now);
      } catch (err) {
        if (err instanceof BroadcastInputError) return explain(ctx, err);
        throw err;
      }
      const size = await ctx.services.broadcasts.preview(d.audience, { materialId: d.materialId });
      const material = d.materialId ? await ctx.services.materials.get(d.materialId) : null;
      const what = material ? ctx.t('secretariat:summary_material', { title: contentIn(material, ctx.locale).title }) : ctx.t('secretariat:summary_text', { text: cut(d.text ?? '', 300) });
      const first = d.cron ? nextRun(d.cron, ctx.now) : undefined;
      const when = d.cron
        ? ctx.t('secretariat:summary_recurring', { rule: describeRecurrence(ctx, d.cron), next: first ? formatVnTime(first) : '' })
        : d.at && !d.now
          ? ctx.t('secretariat:summary_at', { at: formatVnTime(new Date(d.at)) })
          : quietUntil(DEFAULT_QUIET_HOURS, ctx.now)
            ? ctx.t('secretariat:summary_now_quiet', { at: formatVnTime(quietUntil(DEFAULT_QUIET_HOURS, ctx.now)!) })
            : ctx.t('secretariat:summary_now');
      ctx.ask(ctx.t('secretariat:confirm_question', { what, audience: await describeAudience(ctx, d.audience), size: ctx.t('broadcasts:size', { ...size }), when }), [
        { id: 'confirm', label: ctx.t('secretariat:choice_confirm') },
        { id: 'change_time', label: ctx.t('secretariat:choice_change_time') },
        { id: 'discard', label: ctx.t('secretariat:choice_discard') },
      ]);
    },
    async input(ctx, input) {
      const id = input.choice!.id;
      if (id === 'change_time') return ctx.jump('secretariat', 'when');
      if (id === 'discard') {
        ctx.dropDraft(DRAFT);
        ctx.reply(ctx.t('secretariat:discarded'));
        return ctx.jump('secretariat', 'main');
      }
      const d = ctx.draft(DRAFT, emptyDraft);
      try {
        const { broadcast, size } = await ctx.services.broadcasts.create(requestOf(d), actorOf(ctx), { now: ctx.now, idempotencyKey: ctx.inbound.eventId });
        ctx.dropDraft(DRAFT);
        ctx.reply(createdText(ctx, broadcast, size.targeted, 'created'));
        return ctx.jump('secretariat', 'main');
      } catch (err) {
        if (err instanceof BroadcastInputError) return explain(ctx, err);
        throw err;
      }
    },
  },
};
