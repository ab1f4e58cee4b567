/** The main menu: materials, surveys, concerns, settings. Areas not built yet say so kindly. */
import type { Flow } from '../core/engine/flow.js';

/** Menu entries whose flows are still being built. */
const COMING_SOON = new Set(['materials', 'surveys', 'concerns']);

export const menuFlow: Flow = {
  name: 'menu',
  steps: {
    main: {
      resting: true,
      enter(ctx) {
        ctx.ask(ctx.t('menu:title'), [
          { id: 'materials', label: ctx.t('menu:materials') },
          { id: 'surveys', label: ctx.t('menu:surveys') },
          { id: 'concerns', label: ctx.t('menu:concerns') },
          { id: 'settings', label: ctx.t('menu:settings') },
        ]);
      },
      async input(ctx, input) {
        const id = input.choice!.id;
        if (COMING_SOON.has(id)) {
          ctx.reply(ctx.t('menu:coming_soon', { area: input.choice!.label }));
          return ctx.repeat();
        }
        return ctx.go('settings', 'main');
      },
    },
  },
};
