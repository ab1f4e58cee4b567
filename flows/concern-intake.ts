/**
 * Raising a concern: category (urgent ones get the hotline first, the others are checked against
 * the open-concern limit and the daily cap), unit, description and photos, anonymous or named,
 * then a confirmation. The concern being written is a draft in the conversation until it is sent.
 * Also how a refusal of the concern service is told, which the rest of the concern flow uses too.
 */
import { AlreadyInCaseError } from '../core/cases/case-service.js';
import { ConcernClosedError, ConcernNotFoundError, ConcernStateError, TooManyConcernsTodayError, TooManyOpenConcernsError } from '../core/concerns/errors.js';
import { notifyInTurn } from '../core/concerns/notices.js';
import { photoRefOf, type PhotoRef } from '../core/concerns/photos.js';
import { allHotlines, categoryIds, type Hotline } from '../core/concerns/policy.js';
import { tooShort } from '../core/concerns/text-minimums.js';
import type { FlowContext, Step } from '../core/engine/flow.js';

/** The concern being written, kept in the conversation's data under DRAFT. */
interface Draft {
  category?: string;
  orgUnitId?: string;
  description?: string;
  photos: number;
  /** The photos we can relay to the cadre (a photo without a usable reference is only counted). */
  photoRefs?: PhotoRef[];
  anonymous?: boolean;
  /** What the worker chose when told others raised the same (a collective case, core/cases/). */
  caseChoice?: 'join' | 'separate';
}
const DRAFT = 'concernDraft';
const emptyDraft = (): Draft => ({ photos: 0 });

/** The lines to call, as one line of text ("Công an: 113 · …"). */
function hotlineText(ctx: FlowContext, hotlines: Hotline[]): string {
  return hotlines.map((h) => ctx.t('concern:hotline_entry', { name: ctx.t(`concern:hotline_name.${h.name}`), number: h.number })).join(' · ');
}

/** The open-concern limit, said with every hotline: a refusal must never hide where to call. */
function refuseLimit(ctx: FlowContext, limit: number): void {
  ctx.reply(ctx.t('concern:limit_reached', { limit, hotlines: hotlineText(ctx, allHotlines(ctx.services.concerns.policy)) }));
}

/** The daily cap of this chat account, said with every hotline too (urgent concerns still pass). */
function refuseToday(ctx: FlowContext, limit: number): void {
  ctx.reply(ctx.t('concern:daily_limit_reached', { limit, hotlines: hotlineText(ctx, allHotlines(ctx.services.concerns.policy)) }));
}

/**
 * The counter of concerns this chat account raised today: a keyed marker of the account and
 * the day, so it survives "xóa dữ liệu" without naming anyone (core/concerns/daily-cap.ts).
 */
function dailyKey(ctx: FlowContext): string {
  return ctx.services.keys.marker('concern-daily', ctx.identity._id, ctx.services.concerns.capDay(ctx.now));
}

/** Says kindly why something cannot be done; rethrows anything unexpected. */
export function explain(ctx: FlowContext, err: unknown): void {
  if (err instanceof TooManyOpenConcernsError) refuseLimit(ctx, err.limit);
  else if (err instanceof TooManyConcernsTodayError) refuseToday(ctx, err.limit);
  else if (err instanceof ConcernClosedError) ctx.reply(ctx.t('concern:closed'));
  else if (err instanceof ConcernStateError) ctx.reply(ctx.t(`concern:state.${err.reason}`, { days: ctx.services.concerns.policy.reopenDays }));
  else if (err instanceof ConcernNotFoundError) ctx.reply(ctx.t('concern:not_found'));
  else throw err;
}

/** Handles a photo or an attachment we cannot take; true when the input was media. */
function takeMedia(ctx: FlowContext, media: string | undefined, photoRef: string | undefined): boolean {
  if (!media) return false;
  const d = ctx.draft(DRAFT, emptyDraft);
  const max = ctx.services.concerns.policy.maxPhotos;
  if (media !== 'photo') ctx.reply(ctx.t('concern:unsupported_attachment'));
  else if (d.photos >= max) ctx.reply(ctx.t('concern:photo_limit', { max }));
  else {
    d.photos += 1;
    const ref = photoRefOf(ctx.inbound.channel, photoRef);
    if (ref) (d.photoRefs ??= []).push(ref);
    ctx.reply(ctx.t('concern:photo_received', { count: d.photos, max }));
  }
  return true;
}

/**
 * Once category and unit are known: when an open collective case matches (others raised the
 * same about this enterprise), the worker is told and chooses; otherwise on to the description.
 */
async function afterUnit(ctx: FlowContext): Promise<void> {
  const d = ctx.draft(DRAFT, emptyDraft);
  delete d.caseChoice;
  const offer = await ctx.services.cases.offerFor(ctx.member!._id, d.orgUnitId!, d.category!, ctx.now);
  return ctx.go('concern', offer ? 'case_offer' : 'description');
}

/** Starts a new concern: a draft left from an earlier attempt is dropped, the category starts an empty one. */
export function startIntake(ctx: FlowContext): Promise<void> {
  ctx.dropDraft(DRAFT);
  return ctx.go('concern', 'category');
}

/** The steps of raising a concern, from its category to sending it. */
export const intakeSteps: Record<string, Step> = {
  category: {
    enter(ctx) {
      const ids = categoryIds(ctx.services.concerns.policy);
      ctx.ask(ctx.t('concern:ask_category'), [...ids.map((id) => ({ id, label: ctx.t(`concern:category.${id}`) })), { id: 'back', label: ctx.t('concern:choice.back') }]);
    },
    async input(ctx, { choice }) {
      if (choice!.id === 'back') {
        ctx.dropDraft(DRAFT);
        return ctx.back();
      }
      const { concerns } = ctx.services;
      const d = ctx.draft(DRAFT, emptyDraft);
      d.category = choice!.id;
      const rule = concerns.policy.categories[d.category]!;
      // Urgent: the hotline first, before any more questions.
      if (rule.urgent) ctx.reply(ctx.t('concern:urgent_notice', { hotline: hotlineText(ctx, rule.hotlines ?? []) }));
      else if (!(await concerns.mayOpen(ctx.member!._id, d.category))) {
        refuseLimit(ctx, concerns.policy.maxOpenPerWorker);
        ctx.dropDraft(DRAFT);
        return ctx.jump('concern', 'home');
      } else if (!(await concerns.mayOpenToday(dailyKey(ctx), d.category))) {
        refuseToday(ctx, concerns.policy.maxNewPerDay);
        ctx.dropDraft(DRAFT);
        return ctx.jump('concern', 'home');
      }
      return ctx.go('concern', 'unit');
    },
  },

  unit: {
    async enter(ctx) {
      const workplace = ctx.member!.orgUnitId;
      if (!workplace) {
        ctx.reply(ctx.t('concern:no_workplace'));
        return ctx.jump('concern', 'unit_search');
      }
      const name = await ctx.services.concerns.unitName(workplace, ctx.now);
      ctx.ask(ctx.t('concern:ask_unit', { name }), [
        { id: 'workplace', label: ctx.t('concern:choice.workplace') },
        { id: 'other', label: ctx.t('concern:choice.other_unit') },
      ]);
    },
    async input(ctx, { choice }) {
      if (choice!.id === 'other') return ctx.go('concern', 'unit_search');
      ctx.draft(DRAFT, emptyDraft).orgUnitId = ctx.member!.orgUnitId;
      return afterUnit(ctx);
    },
  },

  unit_search: {
    acceptsText: true,
    enter(ctx) {
      ctx.reply(ctx.t('concern:unit_search'));
    },
    async input(ctx, { text }) {
      const hits = await ctx.services.org.searchWorkplaces(text ?? '', ctx.now);
      if (hits.length === 0) {
        ctx.reply(ctx.t('concern:unit_none', { query: (text ?? '').slice(0, 60) }));
        return;
      }
      ctx.state.data.concernUnitMatches = hits.map((h) => h.unit._id);
      return ctx.go('concern', 'unit_pick');
    },
  },

  unit_pick: {
    async enter(ctx) {
      const ids = (ctx.state.data.concernUnitMatches as string[] | undefined) ?? [];
      const choices = [];
      for (const id of ids) choices.push({ id, label: await ctx.services.concerns.unitName(id, ctx.now) });
      ctx.ask(ctx.t('concern:unit_pick'), choices);
    },
    input(ctx, { choice }) {
      ctx.draft(DRAFT, emptyDraft).orgUnitId = choice!.id;
      delete ctx.state.data.concernUnitMatches;
      return afterUnit(ctx);
    },
  },

  /** Others raised the same: join their collective case, or send this one separately (never who they are). */
  case_offer: {
    async enter(ctx) {
      const d = ctx.draft(DRAFT, emptyDraft);
      const offer = d.orgUnitId && d.category ? await ctx.services.cases.offerFor(ctx.member!._id, d.orgUnitId, d.category, ctx.now) : undefined;
      if (!offer) return ctx.jump('concern', 'description');
      const separate = { id: 'separate', label: ctx.t('cases:worker.choice.separate') };
      const back = { id: 'back', label: ctx.t('cases:worker.choice.back') };
      // Joining twice is refused before anything is written.
      if (offer.alreadyIn) return ctx.ask(ctx.t('cases:worker.already_in', { code: offer.alreadyIn }), [separate, back]);
      ctx.ask(ctx.t('cases:worker.offer', { count: offer.count, category: ctx.t(`concern:category.${d.category}`), unit: await ctx.services.concerns.unitName(d.orgUnitId!, ctx.now) }), [
        { id: 'join', label: ctx.t('cases:worker.choice.join') },
        separate,
        back,
      ]);
    },
    input(ctx, { choice }) {
      if (choice!.id === 'back') return ctx.back();
      ctx.draft(DRAFT, emptyDraft).caseChoice = choice!.id === 'join' ? 'join' : 'separate';
      return ctx.go('concern', 'description');
    },
  },

  description: {
    acceptsText: true,
    acceptsMedia: true,
    enter(ctx) {
      ctx.reply(ctx.t('concern:ask_description'));
    },
    input(ctx, { text, media, photoRef }) {
      if (takeMedia(ctx, media, photoRef)) {
        if (media === 'photo') ctx.reply(ctx.t('concern:photo_first'));
        return;
      }
      const max = ctx.services.concerns.policy.maxDescriptionChars;
      if (!text || tooShort(text)) {
        ctx.reply(ctx.t('concern:description_too_short'));
        return;
      }
      if (text.length > max) {
        ctx.reply(ctx.t('concern:description_too_long', { max, length: text.length }));
        return;
      }
      ctx.draft(DRAFT, emptyDraft).description = text;
      return ctx.go('concern', 'photos');
    },
  },

  photos: {
    acceptsMedia: true,
    enter(ctx) {
      ctx.ask(ctx.t('concern:ask_photos', { count: ctx.draft(DRAFT, emptyDraft).photos, max: ctx.services.concerns.policy.maxPhotos }), [{ id: 'done', label: ctx.t('concern:choice.done') }]);
    },
    input(ctx, { choice, media, photoRef }) {
      if (takeMedia(ctx, media, photoRef)) return;
      if (choice?.id === 'done') return ctx.go('concern', 'anonymity');
    },
  },

  anonymity: {
    enter(ctx) {
      ctx.ask(ctx.t('concern:ask_anonymity'), [
        { id: 'anonymous', label: ctx.t('concern:choice.anonymous') },
        { id: 'named', label: ctx.t('concern:choice.named') },
      ]);
    },
    input(ctx, { choice }) {
      ctx.draft(DRAFT, emptyDraft).anonymous = choice!.id === 'anonymous';
      return ctx.go('concern', 'confirm');
    },
  },

  confirm: {
    async enter(ctx) {
      const d = ctx.draft(DRAFT, emptyDraft);
      if (!d.category || !d.orgUnitId || !d.description || d.anonymous === undefined) return ctx.jump('concern', 'home');
      if (d.caseChoice === 'join') ctx.reply(ctx.t('cases:worker.will_join'));
      ctx.ask(
        ctx.t('concern:confirm', {
          category: ctx.t(`concern:category.${d.category}`),
          unit: await ctx.services.concerns.unitName(d.orgUnitId, ctx.now),
          anonymity: ctx.t(d.anonymous ? 'concern:confirm_anonymity.anonymous' : 'concern:confirm_anonymity.named'),
          photos: d.photos,
          text: d.description,
        }),
        [
          { id: 'send', label: ctx.t('concern:choice.send') },
          { id: 'cancel', label: ctx.t('concern:choice.cancel') },
        ],
      );
    },
    async input(ctx, { choice }) {
      if (choice!.id === 'cancel') {
        ctx.dropDraft(DRAFT);
        ctx.reply(ctx.t('concern:cancelled_intake'));
        return ctx.jump('concern', 'home');
      }
      const d = ctx.draft(DRAFT, emptyDraft);
      try {
        const { concern, notices, caseId } = await ctx.services.cases.submit(
          {
          memberId: ctx.member!._id,
          category: d.category!,
          orgUnitId: d.orgUnitId!,
          description: d.description!,
          photos: d.photos,
          ...(d.photoRefs?.length ? { photoRefs: d.photoRefs } : {}),
          anonymous: d.anonymous!,
          // Keyed, so the stored key names no platform account (a replay still finds its concern).
          intakeKey: ctx.services.keys.marker('concern-intake', ctx.identity._id, ctx.inbound.eventId),
          dailyKey: dailyKey(ctx),
          at: ctx.now,
          },
          d.caseChoice,
        );
        await notifyInTurn(ctx, notices);
        ctx.dropDraft(DRAFT);
        ctx.reply(ctx.t(concern.urgent ? 'concern:submitted_urgent' : 'concern:submitted', { code: concern._id }));
        if (caseId && d.caseChoice === 'join') ctx.reply(ctx.t('cases:worker.joined', { code: concern._id }));
        return ctx.jump('concern', 'home');
      } catch (err) {
        if (err instanceof AlreadyInCaseError) {
          ctx.dropDraft(DRAFT);
          ctx.reply(ctx.t('cases:worker.join_refused', { code: err.code }));
          return ctx.jump('concern', 'home');
        }
        explain(ctx, err);
        return ctx.jump('concern', 'home');
      }
    },
  },
};
