/**
 * Branch meetings in chat. Members: the meetings of their branch, choosing the slots they can
 * make (a tap toggles a slot; "1, 3" typed sets them), the fixed time, and check-in with the
 * 4-digit code (from this area, the menu entry "Điểm danh", or typed straight at the menu).
 * Organisers (cadre, secretariat, admin, within their units): creating a meeting (unit, topic,
 * place, 1–4 slots, deadline), the counts, fixing a slot, the check-in code, cancelling.
 */
import type { OrgUnitDoc, Role } from '../core/db.js';
import type { Flow, FlowContext } from '../core/engine/flow.js';
import type { Choice } from '../core/engine/types.js';
import { looksLikeCode, MAX_PLACE_CHARS, MAX_SLOTS, MAX_TOPIC_CHARS, sendableAt, winningSlot } from '../core/meetings/meeting-rules.js';
import { MeetingError, ORGANISER_ROLES, slotText, startOf, type MeetingDraft } from '../core/meetings/meeting-service.js';
import type { MeetingDoc } from '../core/meetings/models.js';
import { parseSlot } from '../core/meetings/slot-parse.js';
import { fold } from '../core/text-normalize.js';
import { formatVnTime } from '../core/vn-time.js';

const ORGANISERS = ORGANISER_ROLES as Role[];
/** Branch-like units offered first when an organiser picks the unit of a meeting. */
const isBranchKind = (kind: string) => kind.endsWith('_branch');

/** The meeting being written, kept in the conversation (times as ISO strings). */
interface CreateDraft {
  unitId?: string;
  unitName?: string;
  topic?: string;
  place?: string;
  slots: { at: string; label: string }[];
  deadline?: string;
}
const DRAFT = 'meetingDraft';
const draftOf = (ctx: FlowContext) => ctx.draft<CreateDraft>(DRAFT, () => ({ slots: [] }));
const slotsOf = (d: CreateDraft) => d.slots.map((s) => ({ at: new Date(s.at), label: s.label }));

/** Tells the person why a meeting action was refused. */
function explain(ctx: FlowContext, err: unknown): void {
  if (!(err instanceof MeetingError)) throw err;
  ctx.reply(ctx.t(`meetings:problem.${err.reason}`, { max: err.reason === 'topic_too_long' ? MAX_TOPIC_CHARS : err.reason === 'place_too_long' ? MAX_PLACE_CHARS : undefined, ...err.vars }));
}

/** Whether a text is one of a namespace's phrases (any language, diacritics or not). */
function isPhrase(ctx: FlowContext, key: 'checkin' | 'meetings', text: string | undefined): boolean {
  if (!text) return false;
  const typed = fold(text);
  return ctx.services.i18n.inAllLanguages(`meetings:phrases.${key}`).some((list) => list.split('|').some((p) => fold(p) === typed));
}

/** A typed check-in code: marks the member present, or says kindly why not. */
export async function checkInWithCode(ctx: FlowContext, text: string): Promise<void> {
  const r = await ctx.services.meetings.checkIn(ctx.member!, text, ctx.now);
  switch (r.kind) {
    case 'present':
    case 'already':
    case 'closed':
      ctx.reply(ctx.t(`meetings:checkin.${r.kind}`, { topic: r.meeting.topic }));
      break;
    case 'before':
      ctx.reply(ctx.t('meetings:checkin.before', { topic: r.meeting.topic, at: formatVnTime(r.start) }));
      break;
    case 'wrong':
      ctx.reply(ctx.t('meetings:checkin.wrong', { left: r.left }));
      break;
    case 'too_many':
      ctx.reply(ctx.t('meetings:checkin.too_many', { minutes: r.minutes }));
      break;
    case 'not_member':
      ctx.reply(ctx.t('meetings:checkin.not_member'));
      break;
  }
}

/** The menu's hook: four digits typed at the menu are a check-in code. */
export async function checkInAtMenu(ctx: FlowContext, text: string): Promise<boolean> {
  if (!ctx.member || !looksLikeCode(text)) return false;
  await checkInWithCode(ctx, text);
  await ctx.repeat();
  return true;
}

/** "now" or "at 07:00 … (after quiet hours)". */
function whenSent(ctx: FlowContext): string {
  const at = sendableAt(ctx.now);
  return at.getTime() > ctx.now.getTime() ? ctx.t('meetings:create.when_quiet', { at: formatVnTime(at) }) : ctx.t('meetings:create.when_now');
}

const slotLines = (ctx: FlowContext, slots: { at: Date; label: string }[]) => slots.map((s, i) => `${i + 1}. ${slotText(ctx.t, s)}`).join('\n');

async function selected(ctx: FlowContext): Promise<MeetingDoc | null> {
  const id = ctx.state.data.meetingId;
  return typeof id === 'string' ? ctx.services.meetings.get(id) : null;
}

async function unitName(ctx: FlowContext, unitId: string): Promise<string> {
  return (await ctx.services.org.get(unitId, ctx.now))?.name ?? unitId;
}

/** "1, 3" / "1 3" / "1;3": two or more slot numbers typed at once (1-based, as shown). */
function numberList(text: string | undefined): number[] | undefined {
  if (!text || !/^\s*\d+(\s*[,;\s]\s*\d+)+\s*$/.test(text)) return undefined;
  return text.split(/[,;\s]+/).filter(Boolean).map(Number);
}

export const meetingsFlow: Flow = {
  name: 'meetings',
  /** "điểm danh" or "sinh hoạt" typed where the screen has no use for it. */
  async unpromptedInput(ctx, input) {
    if (input.media) return false;
    if (isPhrase(ctx, 'checkin', input.text)) {
      await ctx.go('meetings', 'checkin');
      return true;
    }
    if (isPhrase(ctx, 'meetings', input.text)) {
      await ctx.go('meetings', 'home');
      return true;
    }
    return false;
  },
  cancel(ctx) {
    ctx.dropDraft(DRAFT);
  },
  steps: {
    home: {
      async enter(ctx) {
        const member = ctx.member!;
        const list = await ctx.services.meetings.forMember(member, ctx.now);
        const organiser = ctx.mayEnter('meetings', 'manage');
        if (!member.orgUnitId && !organiser) ctx.reply(ctx.t('meetings:home_no_unit'));
        const choices: Choice[] = [];
        for (const m of list.slice(0, 6)) {
          const start = startOf(m);
          const voted = !start && (await ctx.services.meetings.myVote(m._id, member._id)) !== undefined;
          const label = start
            ? ctx.t('meetings:item_fixed', { topic: m.topic, at: formatVnTime(start) })
            : ctx.t(voted ? 'meetings:item_voted' : 'meetings:item_voting', { topic: m.topic, deadline: formatVnTime(m.deadline) });
          choices.push({ id: `m:${m._id}`, label });
        }
        choices.push({ id: 'checkin', label: ctx.t('meetings:choice.checkin') });
        if (organiser) choices.push({ id: 'create', label: ctx.t('meetings:choice.create') }, { id: 'manage', label: ctx.t('meetings:choice.manage') });
        choices.push({ id: 'menu', label: ctx.t('meetings:choice.menu') });
        ctx.ask(ctx.t(list.length ? 'meetings:home_title' : 'meetings:home_empty'), choices);
      },
      async input(ctx, { choice }) {
        const id = choice!.id;
        if (id === 'menu') return ctx.home();
        if (id === 'checkin') return ctx.go('meetings', 'checkin');
        if (id === 'create') {
          ctx.dropDraft(DRAFT);
          delete ctx.state.data.meetingUnitQuery;
          return ctx.go('meetings', 'create_unit');
        }
        if (id === 'manage') return ctx.go('meetings', 'manage');
        const m = await ctx.services.meetings.get(id.slice(2));
        if (!m || m.status === 'cancelled') {
          ctx.reply(ctx.t(m ? 'meetings:problem.cancelled' : 'meetings:problem.not_found', { topic: m?.topic }));
          return ctx.repeat();
        }
        ctx.state.data.meetingId = m._id;
        const start = startOf(m);
        if (!start) return ctx.go('meetings', 'vote');
        ctx.reply(ctx.t('meetings:fixed_detail', { topic: m.topic, at: slotText(ctx.t, m.slots[m.fixedSlot!]!), place: m.place }));
        return ctx.repeat();
      },
    },

    vote: {
      acceptsText: true,
      async enter(ctx) {
        const m = await selected(ctx);
        if (!m || m.status !== 'voting' || ctx.now.getTime() >= m.deadline.getTime()) {
          if (m) explain(ctx, new MeetingError(m.status === 'cancelled' ? 'cancelled' : 'vote_closed', { topic: m.topic, deadline: formatVnTime(m.deadline) }));
          return ctx.jump('meetings', 'home');
        }
        const mine = (await ctx.services.meetings.myVote(m._id, ctx.member!._id)) ?? [];
        const choices: Choice[] = m.slots.map((s, i) => ({ id: `s${i}`, label: ctx.t(mine.includes(i) ? 'meetings:vote_slot_on' : 'meetings:vote_slot_off', { slot: slotText(ctx.t, s) }) }));
        choices.push({ id: 'none', label: ctx.t('meetings:vote_none') }, { id: 'done', label: ctx.t('meetings:vote_done') });
        ctx.ask(ctx.t('meetings:vote_title', { topic: m.topic, place: m.place, deadline: formatVnTime(m.deadline) }), choices);
      },
      async input(ctx, input) {
        const m = await selected(ctx);
        if (!m) return ctx.jump('meetings', 'home');
        const member = ctx.member!;
        const deadline = formatVnTime(m.deadline);
        const list = numberList(input.text);
        try {
          if (list) {
            if (list.some((n) => n < 1 || n > m.slots.length)) {
              ctx.reply(ctx.t('meetings:vote_bad_text', { max: m.slots.length }));
              return ctx.repeat();
            }
            await ctx.services.meetings.vote(m._id, member, list.map((n) => n - 1), ctx.now);
            ctx.reply(ctx.t('meetings:vote_saved', { slots: list.sort((a, b) => a - b).join(', '), deadline }));
            return ctx.jump('meetings', 'home');
          }
          const id = input.choice?.id;
          if (!id) {
            ctx.reply(ctx.t('meetings:vote_bad_text', { max: m.slots.length }));
            return ctx.repeat();
          }
          if (id === 'none') {
            await ctx.services.meetings.vote(m._id, member, [], ctx.now);
            ctx.reply(ctx.t('meetings:vote_saved_none', { deadline }));
            return ctx.jump('meetings', 'home');
          }
          const mine = await ctx.services.meetings.myVote(m._id, member._id);
          if (id === 'done') {
            if (mine === undefined) ctx.reply(ctx.t('meetings:vote_nothing', { deadline }));
            else if (mine.length === 0) ctx.reply(ctx.t('meetings:vote_saved_none', { deadline }));
            else ctx.reply(ctx.t('meetings:vote_saved', { slots: mine.map((i) => i + 1).join(', '), deadline }));
            return ctx.jump('meetings', 'home');
          }
          // A tap toggles one slot; it is saved at once, so leaving without "Xong" loses nothing.
          const i = Number(id.slice(1));
          const next = mine?.includes(i) ? mine.filter((x) => x !== i) : [...(mine ?? []), i];
          await ctx.services.meetings.vote(m._id, member, next, ctx.now);
          return ctx.repeat();
        } catch (err) {
          explain(ctx, err);
          return ctx.jump('meetings', 'home');
        }
      },
    },

    checkin: {
      acceptsText: true,
      enter(ctx) {
        // No choices: four digits must reach the step, not be read as a choice number.
        ctx.reply(ctx.t('meetings:checkin_ask'));
      },
      async input(ctx, { text }) {
        if (!looksLikeCode(text)) {
          ctx.reply(ctx.t('meetings:checkin_not_code'));
          return;
        }
        await checkInWithCode(ctx, text!);
        return ctx.jump('menu', 'main');
      },
    },

    // ——— Organisers ———

    create_unit: {
      roles: ORGANISERS,
      acceptsText: true,
      async enter(ctx) {
        const scope = await ctx.services.meetings.scopeOf(ctx.member!, ctx.now);
        const query = String(ctx.state.data.meetingUnitQuery ?? '');
        let units: OrgUnitDoc[];
        if (query) units = (await ctx.services.org.searchUnits(query, ctx.now, 30)).filter((u) => scope.has(u._id));
        else if (scope.whole) units = [];
        else {
          const inScope = await Promise.all((scope.unitIds ?? []).map((id) => ctx.services.org.get(id, ctx.now)));
          const found = inScope.filter((u) => u !== undefined);
          const granted = found.filter((u) => scope.units.includes(u._id));
          units = [...granted, ...found.filter((u) => !scope.units.includes(u._id) && isBranchKind(u.kind)).sort((a, b) => a.name.localeCompare(b.name, 'vi'))];
        }
        if (query && units.length === 0) ctx.reply(ctx.t('meetings:create.unit_none', { query: query.slice(0, 60) }));
        if (units.length === 0) {
          ctx.reply(ctx.t('meetings:create.unit_type'));
          return;
        }
        ctx.ask(ctx.t('meetings:create.unit'), units.slice(0, 8).map((u) => ({ id: u._id, label: u.name })));
      },
      async input(ctx, input) {
        if (!input.choice) {
          ctx.state.data.meetingUnitQuery = (input.text ?? '').slice(0, 60);
          return ctx.repeat();
        }
        if (!(await ctx.services.meetings.mayOrganise(ctx.member!, input.choice.id, ctx.now, 'meeting.create'))) {
          explain(ctx, new MeetingError('not_allowed'));
          return ctx.repeat();
        }
        delete ctx.state.data.meetingUnitQuery;
        Object.assign(draftOf(ctx), { unitId: input.choice.id, unitName: input.choice.label });
        return ctx.go('meetings', 'create_topic');
      },
    },

    create_topic: {
      roles: ORGANISERS,
      acceptsText: true,
      enter(ctx) {
        ctx.reply(ctx.t('meetings:create.topic'));
      },
      input(ctx, { text }) {
        const topic = (text ?? '').trim();
        if (!topic || topic.length > MAX_TOPIC_CHARS) {
          explain(ctx, new MeetingError(topic ? 'topic_too_long' : 'empty_topic'));
          return;
        }
        draftOf(ctx).topic = topic;
        return ctx.go('meetings', 'create_place');
      },
    },

    create_place: {
      roles: ORGANISERS,
      acceptsText: true,
      enter(ctx) {
        ctx.reply(ctx.t('meetings:create.place'));
      },
      input(ctx, { text }) {
        const place = (text ?? '').trim();
        if (!place || place.length > MAX_PLACE_CHARS) {
          explain(ctx, new MeetingError(place ? 'place_too_long' : 'empty_place'));
          return;
        }
        draftOf(ctx).place = place;
        draftOf(ctx).slots = [];
        return ctx.go('meetings', 'create_slot');
      },
    },

    create_slot: {
      roles: ORGANISERS,
      acceptsText: true,
      enter(ctx) {
        const d = draftOf(ctx);
        if (d.slots.length === 0) {
          ctx.reply(ctx.t('meetings:create.slot', { n: 1, max: MAX_SLOTS }));
          return;
        }
        ctx.ask(ctx.t('meetings:create.slot_more', { count: d.slots.length, slots: slotLines(ctx, slotsOf(d)), max: MAX_SLOTS }), [{ id: 'done', label: ctx.t('meetings:create.slots_done') }]);
      },
      async input(ctx, input) {
        const d = draftOf(ctx);
        if (input.choice?.id === 'done' && d.slots.length > 0) return ctx.go('meetings', 'create_deadline');
        const text = (input.text ?? '').trim();
        const parsed = parseSlot(text, ctx.now);
        if (!parsed.ok) {
          ctx.reply(ctx.t(`meetings:slot_problem.${parsed.problem}`, { text: text.slice(0, 60) }));
          return;
        }
        if (d.slots.some((s) => new Date(s.at).getTime() === parsed.slot.at.getTime())) {
          ctx.reply(ctx.t('meetings:slot_problem.duplicate', { at: formatVnTime(parsed.slot.at) }));
          return ctx.repeat();
        }
        d.slots.push({ at: parsed.slot.at.toISOString(), label: parsed.slot.label });
        d.slots.sort((a, b) => a.at.localeCompare(b.at));
        if (d.slots.length >= MAX_SLOTS) {
          ctx.reply(ctx.t('meetings:create.slots_full', { max: MAX_SLOTS, slots: slotLines(ctx, slotsOf(d)) }));
          return ctx.go('meetings', 'create_deadline');
        }
        return ctx.repeat();
      },
    },

    create_deadline: {
      roles: ORGANISERS,
      acceptsText: true,
      enter(ctx) {
        const first = slotsOf(draftOf(ctx))[0];
        if (!first) return ctx.jump('meetings', 'create_slot');
        ctx.reply(ctx.t('meetings:create.deadline', { first: formatVnTime(first.at) }));
      },
      input(ctx, { text }) {
        const d = draftOf(ctx);
        const first = slotsOf(d)[0]!;
        const parsed = parseSlot((text ?? '').trim(), ctx.now);
        if (!parsed.ok) {
          ctx.reply(ctx.t(`meetings:slot_problem.${parsed.problem}`, { text: (text ?? '').slice(0, 60) }));
          return;
        }
        if (parsed.slot.at.getTime() > first.at.getTime()) {
          explain(ctx, new MeetingError('deadline_after_slot', { first: formatVnTime(first.at) }));
          return;
        }
        d.deadline = parsed.slot.at.toISOString();
        return ctx.go('meetings', 'create_confirm');
      },
    },

    create_confirm: {
      roles: ORGANISERS,
      enter(ctx) {
        const d = draftOf(ctx);
        if (!d.unitId || !d.topic || !d.place || !d.deadline || d.slots.length === 0) return ctx.jump('meetings', 'home');
        ctx.ask(
          ctx.t('meetings:create.confirm', { unit: d.unitName, topic: d.topic, place: d.place, slots: slotLines(ctx, slotsOf(d)), deadline: formatVnTime(new Date(d.deadline)), when: whenSent(ctx) }),
          [
            { id: 'yes', label: ctx.t('meetings:create.confirm_yes') },
            { id: 'no', label: ctx.t('meetings:create.confirm_no') },
          ],
        );
      },
      async input(ctx, { choice }) {
        const d = draftOf(ctx);
        if (choice!.id !== 'yes') {
          ctx.dropDraft(DRAFT);
          ctx.reply(ctx.t('meetings:create.discarded'));
          return ctx.jump('meetings', 'home');
        }
        const draft: MeetingDraft = { unitId: d.unitId!, topic: d.topic!, place: d.place!, slots: slotsOf(d), deadline: new Date(d.deadline!) };
        try {
          const m = await ctx.services.meetings.create(draft, { member: ctx.member! }, ctx.now);
          ctx.dropDraft(DRAFT);
          ctx.reply(ctx.t('meetings:create.done', { id: m._id, when: whenSent(ctx), deadline: formatVnTime(m.deadline) }));
          ctx.state.data.meetingId = m._id;
          return ctx.jump('meetings', 'manage_one');
        } catch (err) {
          explain(ctx, err);
          // A slot or the deadline passed while the draft waited: write the times again.
          if (err instanceof MeetingError && ['slot_past', 'deadline_past', 'deadline_after_slot'].includes(err.reason)) return ctx.jump('meetings', 'create_slot');
          return ctx.jump('meetings', 'home');
        }
      },
    },

    manage: {
      roles: ORGANISERS,
      async enter(ctx) {
        const list = await ctx.services.meetings.managedBy(ctx.member!, ctx.now);
        if (list.length === 0) {
          ctx.reply(ctx.t('meetings:manage.empty'));
          return ctx.jump('meetings', 'home');
        }
        const choices: Choice[] = [];
        for (const m of list) {
          const start = startOf(m);
          const unit = await unitName(ctx, m.unitId);
          choices.push({ id: m._id, label: start ? ctx.t('meetings:manage.item_fixed', { topic: m.topic, unit, at: formatVnTime(start) }) : ctx.t('meetings:manage.item_voting', { topic: m.topic, unit }) });
        }
        choices.push({ id: 'back', label: ctx.t('meetings:manage.choice.back') });
        ctx.ask(ctx.t('meetings:manage.list'), choices);
      },
      input(ctx, { choice }) {
        if (choice!.id === 'back') return ctx.back();
        ctx.state.data.meetingId = choice!.id;
        return ctx.go('meetings', 'manage_one');
      },
    },

    manage_one: {
      roles: ORGANISERS,
      async enter(ctx) {
        const m = await selected(ctx);
        if (!m || !(await ctx.services.meetings.mayOrganise(ctx.member!, m.unitId, ctx.now, 'meeting.view'))) {
          if (m) explain(ctx, new MeetingError('not_allowed'));
          return ctx.jump('meetings', 'home');
        }
        const unit = await unitName(ctx, m.unitId);
        const invited = m.counts ? m.counts.invited : ctx.t('meetings:manage.invited_pending');
        const start = startOf(m);
        const choices: Choice[] = [];
        if (m.status === 'cancelled') {
          explain(ctx, new MeetingError('cancelled', { topic: m.topic }));
          return ctx.jump('meetings', 'home');
        }
        let detail: string;
        if (!start) {
          const counts = await ctx.services.meetings.tally(m);
          const voters = await ctx.services.meetings.voters(m);
          const lines = m.slots.map((s, i) => ctx.t('meetings:manage.count_line', { n: i + 1, slot: slotText(ctx.t, s), count: counts[i] }));
          detail = ctx.t('meetings:manage.detail_voting', { id: m._id, unit, topic: m.topic, place: m.place, deadline: formatVnTime(m.deadline), invited, voters, counts: lines.join('\n') });
          choices.push({ id: 'fix', label: ctx.t('meetings:manage.choice.fix') });
        } else {
          const present = await ctx.services.meetings.present(m);
          detail = ctx.t('meetings:manage.detail_fixed', { id: m._id, unit, topic: m.topic, place: m.place, at: slotText(ctx.t, m.slots[m.fixedSlot!]!), present, invited });
          choices.push({ id: 'code', label: ctx.t('meetings:manage.choice.code') });
        }
        if (!start || start.getTime() > ctx.now.getTime()) choices.push({ id: 'cancel', label: ctx.t('meetings:manage.choice.cancel') });
        choices.push({ id: 'refresh', label: ctx.t('meetings:manage.choice.refresh') }, { id: 'back', label: ctx.t('meetings:manage.choice.back') });
        ctx.ask(detail, choices);
      },
      async input(ctx, { choice }) {
        const m = await selected(ctx);
        if (!m) return ctx.jump('meetings', 'home');
        switch (choice!.id) {
          case 'fix':
            return ctx.go('meetings', 'manage_fix');
          case 'cancel':
            return ctx.go('meetings', 'manage_cancel');
          case 'code':
            try {
              const { code, until } = await ctx.services.meetings.issueCode(m._id, ctx.member!, ctx.now);
              ctx.reply(ctx.t('meetings:manage.code', { code, until: formatVnTime(until) }));
            } catch (err) {
              explain(ctx, err);
            }
            return ctx.repeat();
          case 'refresh':
            return ctx.repeat();
          default:
            return ctx.jump('meetings', 'manage');
        }
      },
    },

    manage_fix: {
      roles: ORGANISERS,
      async enter(ctx) {
        const m = await selected(ctx);
        if (!m || m.status !== 'voting') return ctx.jump('meetings', 'manage_one');
        const counts = await ctx.services.meetings.tally(m);
        const order = m.slots.map((_, i) => i);
        // Most available first; the slot the deadline would pick leads among equals.
        const best = winningSlot(m.slots, counts);
        order.sort((a, b) => counts[b]! - counts[a]! || (a === best ? -1 : b === best ? 1 : m.slots[a]!.at.getTime() - m.slots[b]!.at.getTime()));
        ctx.ask(ctx.t('meetings:manage.fix_ask'), [
          ...order.map((i) => ({ id: `s${i}`, label: ctx.t('meetings:manage.fix_line', { slot: slotText(ctx.t, m.slots[i]!), count: counts[i] }) })),
          { id: 'back', label: ctx.t('meetings:manage.choice.back') },
        ]);
      },
      async input(ctx, { choice }) {
        if (choice!.id === 'back') return ctx.back();
        try {
          const m = await ctx.services.meetings.fix(String(ctx.state.data.meetingId), Number(choice!.id.slice(1)), { member: ctx.member! }, ctx.now);
          ctx.reply(ctx.t('meetings:manage.fixed', { at: slotText(ctx.t, m.slots[m.fixedSlot!]!), topic: m.topic, when: whenSent(ctx) }));
        } catch (err) {
          explain(ctx, err);
        }
        return ctx.jump('meetings', 'manage_one');
      },
    },

    manage_cancel: {
      roles: ORGANISERS,
      async enter(ctx) {
        const m = await selected(ctx);
        if (!m) return ctx.jump('meetings', 'home');
        ctx.ask(ctx.t('meetings:manage.cancel_ask', { topic: m.topic }), [
          { id: 'yes', label: ctx.t('meetings:manage.cancel_yes') },
          { id: 'no', label: ctx.t('meetings:manage.cancel_no') },
        ]);
      },
      async input(ctx, { choice }) {
        if (choice!.id !== 'yes') return ctx.back();
        try {
          const m = await ctx.services.meetings.cancel(String(ctx.state.data.meetingId), { member: ctx.member! }, ctx.now);
          ctx.reply(ctx.t('meetings:manage.cancelled', { topic: m.topic, when: whenSent(ctx) }));
          return ctx.jump('meetings', 'manage');
        } catch (err) {
          explain(ctx, err);
          return ctx.jump('meetings', 'manage_one');
        }
      },
    },
  },
};
