/** The main menu: the MENU_ENTRIES whose flow the person may enter (roles declared on the flows). Areas not built yet say so kindly. */
import type { Flow } from '../core/engine/flow.js';
import { checkInAtMenu } from './meetings.js';
import { MENU_ENTRIES } from './menu-entries.js';

export const menuFlow: Flow = {
  name: 'menu',
  steps: {
    main: {
      resting: true,
      // Four digits typed at the menu are a branch meeting's check-in code (flows/meetings.ts).
      numberBeyondChoices: checkInAtMenu,
      enter(ctx) {
        // A broadcast invitation links to `/start survey-<id>` (t.me/<bot>?start=survey-…): open the surveys.
        const payload = ctx.state.data.startPayload;
        if (typeof payload === 'string' && payload.startsWith('survey-')) {
          delete ctx.state.data.startPayload;
          ctx.state.data.surveyInvite = payload.slice('survey-'.length);
          return ctx.go('survey', 'list');
        }
        const entries = MENU_ENTRIES.filter((e) => !e.flow || ctx.mayEnter(e.flow, e.step));
        ctx.ask(
          ctx.t('menu:title'),
          entries.map((e) => ({ id: e.id, label: ctx.t(e.labelKey) })),
        );
      },
      async input(ctx, input) {
        const entry = MENU_ENTRIES.find((e) => e.id === input.choice!.id);
        if (!entry?.flow) {
          ctx.reply(ctx.t('menu:coming_soon', { area: input.choice!.label }));
          return ctx.repeat();
        }
        return ctx.go(entry.flow, entry.step);
      },
    },
  },
};
