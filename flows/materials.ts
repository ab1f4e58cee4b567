/**
 * Materials for workers: the newest, or by topic, a few at a time with "more"; open one to read
 * it; subscribe to or unsubscribe from topics (which topic broadcasts reach them).
 */
import type { Flow, FlowContext } from '../core/engine/flow.js';
import type { Choice } from '../core/engine/types.js';
import { contentIn, isPublished, isTopic, materialMessage } from '../core/materials/material-service.js';
import { TOPICS } from '../core/materials/models.js';
import { formatVnDate } from '../core/vn-time.js';

/** Materials listed per page. */
export const MATERIALS_PAGE_SIZE = 5;

const topicLabel = (ctx: FlowContext, topic: string) => ctx.t(`materials:topic.${topic}`);

async function showList(ctx: FlowContext): Promise<void> {
  const topic = ctx.state.data.matTopic as string | undefined;
  const page = (ctx.state.data.matPage as number | undefined) ?? 0;
  const { items, hasMore } = await ctx.services.materials.newest({ now: ctx.now, topic, page, pageSize: MATERIALS_PAGE_SIZE });
  if (items.length === 0 && page === 0) {
    // Nothing yet: say so, without asking to pick one.
    ctx.ask(topic ? ctx.t('materials:empty_topic', { topic: topicLabel(ctx, topic) }) : ctx.t('materials:empty_newest'), [
      { id: 'topics', label: ctx.t('materials:choice_topics') },
      { id: 'menu', label: ctx.t('materials:choice_menu') },
    ]);
    return;
  }
  const choices: Choice[] = items.map((m) => ({ id: m._id, label: `${contentIn(m, ctx.locale).title} (${formatVnDate(m.publishAt)})` }));
  if (hasMore) choices.push({ id: 'more', label: ctx.t('materials:choice_more') });
  if (page > 0) choices.push({ id: 'previous', label: ctx.t('materials:choice_previous') });
  choices.push({ id: 'topics', label: ctx.t('materials:choice_topics') }, { id: 'menu', label: ctx.t('materials:choice_menu') });
  ctx.ask(topic ? ctx.t('materials:list_topic', { topic: topicLabel(ctx, topic), page: page + 1 }) : ctx.t('materials:list_newest', { page: page + 1 }), choices);
}

export const materialsFlow: Flow = {
  name: 'materials',
  steps: {
    main: {
      enter(ctx) {
        ctx.ask(ctx.t('materials:intro'), [
          { id: 'newest', label: ctx.t('materials:choice_newest') },
          { id: 'topics', label: ctx.t('materials:choice_topics') },
          { id: 'subscriptions', label: ctx.t('materials:choice_subscriptions') },
          { id: 'menu', label: ctx.t('materials:choice_menu') },
        ]);
      },
      input(ctx, input) {
        switch (input.choice!.id) {
          case 'newest':
            ctx.state.data.matTopic = undefined;
            ctx.state.data.matPage = 0;
            return ctx.go('materials', 'list');
          case 'topics':
            return ctx.go('materials', 'topics');
          case 'subscriptions':
            return ctx.go('materials', 'subscriptions');
          default:
            return ctx.home();
        }
      },
    },
    topics: {
      enter(ctx) {
        ctx.ask(ctx.t('materials:topics_question'), [...TOPICS.map((t) => ({ id: t, label: topicLabel(ctx, t) })), { id: 'back', label: ctx.t('materials:choice_back') }]);
      },
      input(ctx, input) {
        if (input.choice!.id === 'back') return ctx.back();
        ctx.state.data.matTopic = input.choice!.id;
        ctx.state.data.matPage = 0;
        return ctx.go('materials', 'list');
      },
    },
    list: {
      enter: showList,
      async input(ctx, input) {
        const id = input.choice!.id;
        const page = (ctx.state.data.matPage as number | undefined) ?? 0;
        if (id === 'more' || id === 'previous') {
          ctx.state.data.matPage = id === 'more' ? page + 1 : Math.max(0, page - 1);
          return ctx.repeat();
        }
        if (id === 'topics') return ctx.go('materials', 'topics');
        if (id === 'menu') return ctx.home();
        ctx.state.data.matId = id;
        return ctx.go('materials', 'view');
      },
    },
    view: {
      async enter(ctx) {
        const m = await ctx.services.materials.get(String(ctx.state.data.matId ?? ''));
        if (!m || !isPublished(m, ctx.now)) {
          ctx.reply(ctx.t('materials:not_found'));
          return ctx.back();
        }
        if (!ctx.repeating) ctx.reply(materialMessage(m, ctx.locale));
        // The list it was opened from: the topic the person chose, or the newest (whatever the item's topic).
        const topic = ctx.state.data.matTopic as string | undefined;
        ctx.ask(topic ? ctx.t('materials:after_reading_topic', { topic: topicLabel(ctx, topic) }) : ctx.t('materials:after_reading_newest'), [
          { id: 'list', label: ctx.t('materials:choice_back_to_list') },
          { id: 'menu', label: ctx.t('materials:choice_menu') },
        ]);
      },
      input(ctx, input) {
        return input.choice!.id === 'list' ? ctx.back() : ctx.home();
      },
    },
    subscriptions: {
      async enter(ctx) {
        const off = await ctx.services.materials.topicsOff(ctx.member!._id);
        const lines = TOPICS.map((t) => `${off.includes(t) ? '○' : '●'} ${topicLabel(ctx, t)}`).join('\n');
        ctx.ask(ctx.t('materials:subscriptions', { lines }), [
          ...TOPICS.map((t) => ({ id: t, label: ctx.t(off.includes(t) ? 'materials:choice_subscribe' : 'materials:choice_unsubscribe', { topic: topicLabel(ctx, t) }) })),
          { id: 'done', label: ctx.t('materials:choice_done') },
        ]);
      },
      async input(ctx, input) {
        const id = input.choice!.id;
        if (!isTopic(id)) return ctx.back();
        const off = await ctx.services.materials.topicsOff(ctx.member!._id);
        const on = off.includes(id);
        await ctx.services.materials.setSubscribed(ctx.member!._id, id, on, ctx.now);
        ctx.reply(ctx.t(on ? 'materials:subscribed' : 'materials:unsubscribed', { topic: topicLabel(ctx, id) }));
        return ctx.repeat();
      },
    },
  },
};
