/** The secretariat's broadcasts in chat: the latest ones, their results, pause, resume, cancel, send a saved draft. */
import { BroadcastInputError, broadcastErrorText } from '../core/broadcasts/broadcast-errors.js';
import type { BroadcastDoc } from '../core/broadcasts/models.js';
import type { FlowContext, Step } from '../core/engine/flow.js';
import { STAFF_ROLES } from '../core/members/access-scope.js';
import type { Choice } from '../core/engine/types.js';
import { contentIn } from '../core/materials/material-service.js';
import { formatVnTime } from '../core/vn-time.js';
import { createdText, cut, describeRecurrence } from './broadcast-wording.js';
import { actorOf } from './secretariat-compose.js';

/** Characters of a message or title shown in a broadcast's label. */
const LABEL_TEXT = 40;

/** Titles (in the reader's language) of the materials these broadcasts send. */
async function materialTitles(ctx: FlowContext, list: BroadcastDoc[]): Promise<Map<string, string>> {
  const ids = [...new Set(list.map((b) => b.content.materialId).filter((id): id is string => !!id))];
  const titles = new Map<string, string>();
  for (const id of ids) {
    const m = await ctx.services.materials.get(id);
    if (m) titles.set(id, contentIn(m, ctx.locale).title);
  }
  return titles;
}

/** "25/12/2026 08:00 · đã lên lịch · tài liệu "Tên tài liệu"": when, status, and what it sends (cut with "…"). */
function label(ctx: FlowContext, b: BroadcastDoc, titles: Map<string, string>): string {
  const when = b.schedule.kind === 'once' ? formatVnTime(new Date(b.schedule.at)) : describeRecurrence(ctx, b.schedule.cron);
  const id = b.content.materialId;
  const what = id
    ? ctx.t('secretariat:label_material', { title: cut(titles.get(id) ?? ctx.t('secretariat:material_gone'), LABEL_TEXT) })
    : ctx.t('secretariat:label_text', { text: cut(b.content.text ?? '', LABEL_TEXT) });
  return `${when} · ${ctx.t(`broadcasts:status.${b.status}`)} · ${what}`;
}

export const manageSteps: Record<string, Step> = {
  list: {
    async enter(ctx) {
      const list = await ctx.services.broadcasts.list(8, actorOf(ctx), ctx.now);
      if (list.length === 0) {
        ctx.reply(ctx.t('secretariat:none_yet'));
        return ctx.jump('secretariat', 'main');
      }
      const titles = await materialTitles(ctx, list);
      ctx.ask(ctx.t('secretariat:list_question'), [...list.map((b) => ({ id: b._id, label: label(ctx, b, titles) })), { id: 'back', label: ctx.t('secretariat:choice_back') }]);
    },
    input(ctx, input) {
      if (input.choice!.id === 'back') return ctx.back();
      ctx.state.data.bcId = input.choice!.id;
      return ctx.go('secretariat', 'detail');
    },
  },
  detail: {
    async enter(ctx) {
      const id = String(ctx.state.data.bcId ?? '');
      let r;
      try {
        r = await ctx.services.broadcasts.results(id, ctx.now);
      } catch (err) {
        if (!(err instanceof BroadcastInputError)) throw err;
        ctx.reply(broadcastErrorText(ctx.t, err));
        return ctx.jump('secretariat', 'list');
      }
      const b = r.broadcast;
      // Only broadcasts addressed inside the person's scope are shown (the list offers no others).
      if (!(await ctx.services.access.allows(ctx.member!, STAFF_ROLES, b.audience.orgUnitId, ctx.now, 'view a broadcast'))) {
        ctx.reply(ctx.t('broadcasts:error.not_found'));
        return ctx.jump('secretariat', 'list');
      }
      const choices: Choice[] = [{ id: 'refresh', label: ctx.t('secretariat:choice_refresh') }];
      if (b.status === 'scheduled' || b.status === 'sending') choices.push({ id: 'pause', label: ctx.t('secretariat:choice_pause') });
      if (b.status === 'paused') choices.push({ id: 'resume', label: ctx.t('secretariat:choice_resume') });
      if (b.status === 'draft') choices.push({ id: 'send_draft', label: ctx.t('secretariat:choice_send_draft') });
      if (b.status !== 'done' && b.status !== 'cancelled') choices.push({ id: 'cancel', label: ctx.t('secretariat:choice_cancel') });
      choices.push({ id: 'back', label: ctx.t('secretariat:choice_back') });
      const next = r.nextRun ? ctx.t('secretariat:next_run', { at: formatVnTime(r.nextRun) }) : '';
      // Until it starts nothing has been counted: the size previewed when it was scheduled is shown instead of zeros.
      const counts = !b.startedAt && b.expected !== undefined
        ? ctx.t(b.schedule.kind === 'recurring' ? 'broadcasts:expected_recurring' : 'broadcasts:expected', { expected: b.expected })
        : ctx.t('broadcasts:counts', { ...b.counts, pending: r.pending });
      ctx.ask(ctx.t('secretariat:detail', { title: label(ctx, b, await materialTitles(ctx, [b])), counts, next }), choices);
    },
    async input(ctx, input) {
      const id = String(ctx.state.data.bcId ?? '');
      const s = ctx.services.broadcasts;
      try {
        switch (input.choice!.id) {
          case 'pause': {
            // What pausing means depends on where the broadcast is: running, not yet started, or recurring.
            const b = await s.pause(id, actorOf(ctx), ctx.now);
            ctx.reply(ctx.t(b.schedule.kind === 'recurring' ? 'secretariat:paused_recurring' : b.startedAt ? 'secretariat:paused' : 'secretariat:paused_before_start'));
            break;
          }
          case 'resume':
            await s.resume(id, actorOf(ctx), ctx.now);
            ctx.reply(ctx.t('secretariat:resumed'));
            break;
          case 'send_draft': {
            const { broadcast, size } = await s.scheduleDraft(id, { kind: 'once' }, actorOf(ctx), ctx.now);
            ctx.reply(createdText(ctx, broadcast, size.targeted, 'draft'));
            break;
          }
          case 'cancel':
            // Cancelling cannot be undone: asked first.
            return ctx.go('secretariat', 'cancel_confirm');
          case 'back':
            return ctx.jump('secretariat', 'list');
        }
      } catch (err) {
        if (!(err instanceof BroadcastInputError)) throw err;
        ctx.reply(broadcastErrorText(ctx.t, err));
      }
      return ctx.repeat();
    },
  },
  cancel_confirm: {
    async enter(ctx) {
      const b = await ctx.services.broadcasts.get(String(ctx.state.data.bcId ?? ''));
      if (!b) return ctx.jump('secretariat', 'list');
      ctx.ask(ctx.t('secretariat:cancel_question', { title: label(ctx, b, await materialTitles(ctx, [b])) }), [
        { id: 'yes', label: ctx.t('secretariat:choice_cancel_yes') },
        { id: 'no', label: ctx.t('secretariat:choice_cancel_no') },
      ]);
    },
    async input(ctx, input) {
      if (input.choice!.id === 'yes') {
        try {
          const b = await ctx.services.broadcasts.cancel(String(ctx.state.data.bcId ?? ''), actorOf(ctx), ctx.now);
          ctx.reply(ctx.t(b.schedule.kind === 'recurring' ? 'secretariat:cancelled_recurring' : b.startedAt ? 'secretariat:cancelled' : 'secretariat:cancelled_before_start'));
        } catch (err) {
          if (!(err instanceof BroadcastInputError)) throw err;
          ctx.reply(broadcastErrorText(ctx.t, err));
        }
      }
      return ctx.jump('secretariat', 'detail');
    },
  },
};
