/**
 * How a broadcast is told to the secretariat in chat, while composing and when managing: what was
 * done with it, its audience and its recurrence in words.
 */
import type { Audience, BroadcastDoc } from '../core/broadcasts/models.js';
import { nextRun } from '../core/broadcasts/cron-rule.js';
import { quietUntil } from '../core/broadcasts/quiet-hours.js';
import { recurrenceShape } from '../core/broadcasts/recurrence-words.js';
import type { FlowContext } from '../core/engine/flow.js';
import { formatVnTime } from '../core/vn-time.js';

/**
 * What was done, said truthfully: being sent now (or at the end of quiet hours), scheduled for
 * a time, or recurring from its first run.
 */
export function createdText(ctx: FlowContext, b: BroadcastDoc, targeted: number, key: 'created' | 'draft'): string {
  if (b.schedule.kind === 'recurring') {
    const first = nextRun(b.schedule.cron, ctx.now);
    return ctx.t(`secretariat:${key}_recurring`, { id: b._id, targeted, rule: describeRecurrence(ctx, b.schedule.cron), next: first ? formatVnTime(first) : '' });
  }
  const at = new Date(b.schedule.at);
  if (at.getTime() > ctx.now.getTime()) return ctx.t(`secretariat:${key}_scheduled`, { id: b._id, targeted, at: formatVnTime(at) });
  const quiet = quietUntil(b.quietHours, ctx.now);
  if (quiet) return ctx.t(`secretariat:${key}_sending_after_quiet`, { id: b._id, targeted, at: formatVnTime(quiet) });
  return ctx.t(`secretariat:${key}_sending`, { id: b._id, targeted });
}

/** The audience in words: unit, roles, language, channel, topics. */
export async function describeAudience(ctx: FlowContext, a: Partial<Audience>): Promise<string> {
  const parts: string[] = [];
  parts.push(a.orgUnitId ? ctx.t('secretariat:audience_unit', { unit: (await ctx.services.org.get(a.orgUnitId, ctx.now))?.name ?? a.orgUnitId }) : ctx.t('secretariat:audience_everyone'));
  if (a.roles?.length) parts.push(ctx.t('secretariat:audience_roles', { roles: a.roles.map((r) => ctx.t(`secretariat:role.${r}`)).join(', ') }));
  if (a.locale) parts.push(ctx.t('secretariat:audience_locale', { language: ctx.services.i18n.for(a.locale)('common:language_name') }));
  if (a.channel) parts.push(ctx.t('secretariat:audience_channel', { channel: ctx.t(`broadcasts:channel.${a.channel}`) }));
  if (a.topics?.length) parts.push(ctx.t('secretariat:audience_topics', { topics: a.topics.map((t) => ctx.t(`materials:topic.${t}`)).join(', ') }));
  return parts.join(' · ');
}

/** `text` cut to `max` characters, ending in "…" when it was longer. */
export function cut(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
}

/**
 * A recurrence rule in plain words ("mỗi thứ Hai lúc 08:00"); a monthly rule on day 29–31 says
 * that months without that day skip it; an unusual rule is quoted as it is.
 */
export function describeRecurrence(ctx: Pick<FlowContext, 't'>, rule: string): string {
  const shape = recurrenceShape(rule);
  const times = shape.kind === 'other' ? '' : shape.times.join(', ');
  switch (shape.kind) {
    case 'daily':
      return ctx.t('secretariat:recurring.daily', { times });
    case 'weekly':
      return ctx.t('secretariat:recurring.weekly', { times, days: shape.weekdays.map((d) => ctx.t(`secretariat:weekday.${d}`)).join(', ') });
    case 'monthly':
      return ctx.t('secretariat:recurring.monthly', { times, days: shape.days.join(', ') }) + (shape.skips ? ctx.t('secretariat:recurring.skips_short_months', { day: shape.skips }) : '');
    default:
      return ctx.t('secretariat:recurring.other', { rule });
  }
}
