/**
 * Choosing a workplace by typing a few letters without diacritics ("vsip", "song than") and
 * picking from the matches; shared by onboarding and settings.
 */
import type { FlowContext, StepInput } from '../core/engine/flow.js';

export function askWorkplace(ctx: FlowContext): void {
  ctx.reply(ctx.t('onboarding:workplace_question'));
}

export async function handleWorkplaceSearch(ctx: FlowContext, input: StepInput): Promise<void> {
  const query = input.text ?? '';
  const hits = await ctx.services.org.searchWorkplaces(query, ctx.now);
  if (hits.length === 0) {
    ctx.reply(ctx.t('onboarding:workplace_none', { query: query.slice(0, 60) }));
    return;
  }
  ctx.state.data.workplaceMatches = hits.map((h) => h.unit._id);
  // From the search step `back` returns to it; a new search at the pick step just refreshes it.
  return ctx.state.step === 'workplace_pick' ? ctx.repeat() : ctx.go('onboarding', 'workplace_pick');
}

export async function showWorkplaceMatches(ctx: FlowContext): Promise<void> {
  const ids = (ctx.state.data.workplaceMatches as string[] | undefined) ?? [];
  const choices = [];
  for (const id of ids) choices.push({ id, label: (await ctx.services.org.describe(id, ctx.now)) ?? id });
  choices.push({ id: 'search_again', label: ctx.t('onboarding:workplace_search_again') });
  ctx.ask(ctx.t('onboarding:workplace_pick'), choices);
}

/**
 * A number typed at the list of matches that is not on it ("5" among 3): says the list's range
 * instead of searching for "5"; the caller shows the list again. True when it was such a number.
 */
export function refuseOutOfRange(ctx: FlowContext, input: StepInput): boolean {
  if (!input.text || !/^\d+$/.test(input.text)) return false;
  ctx.reply(ctx.t('onboarding:workplace_out_of_range', { max: ctx.state.choices.length }));
  return true;
}

/** Saves the workplace and returns to where the person came from (settings or the menu). */
export async function pickWorkplace(ctx: FlowContext, orgUnitId: string): Promise<void> {
  await ctx.services.members.setWorkplace(ctx.member!._id, orgUnitId);
  ctx.member = { ...ctx.member!, orgUnitId };
  const name = (await ctx.services.org.describe(orgUnitId, ctx.now)) ?? orgUnitId;
  delete ctx.state.data.workplaceMatches;
  delete ctx.state.data.startPayload;
  if (ctx.state.data.returnTo === 'settings') {
    delete ctx.state.data.returnTo;
    ctx.reply(ctx.t('settings:workplace_saved', { name }));
    return ctx.jump('settings', 'main');
  }
  ctx.reply(ctx.t('onboarding:done', { name }));
  return ctx.jump('menu', 'main');
}
