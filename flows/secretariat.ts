/**
 * The secretariat's area (Tổ thư ký), on any channel, for members with the secretariat role:
 * compose and schedule broadcasts, follow and control them; give concerns nobody could take to a
 * cadre by hand; review the cadre force; publish "you said, we did". The flow declares its roles, so the engine checks them at every step: a member
 * whose role was revoked mid-conversation is refused (and the attempt audited as `secretariat.denied`).
 */
import type { Flow } from '../core/engine/flow.js';
import { composeSteps } from './secretariat-compose.js';
import { flaggedConcernSteps, flaggedInScope } from './secretariat-concerns.js';
import { feedbackSteps } from './secretariat-feedback.js';
import { manageSteps } from './secretariat-manage.js';
import { reviewSteps } from './secretariat-review.js';

export const secretariatFlow: Flow = {
  name: 'secretariat',
  // As the broadcast service's own check: the secretariat, or an administrator.
  roles: ['secretariat', 'admin'],
  steps: {
    main: {
      async enter(ctx) {
        const flagged = (await flaggedInScope(ctx)).length;
        ctx.ask(ctx.t('secretariat:main'), [
          { id: 'new', label: ctx.t('secretariat:choice_new') },
          { id: 'list', label: ctx.t('secretariat:choice_list') },
          { id: 'flagged', label: ctx.t('secretariat:choice_flagged', { count: flagged }) },
          { id: 'review', label: ctx.t('review:choice_review') },
          { id: 'feedback', label: ctx.t('feedback:chat.choice') },
          { id: 'menu', label: ctx.t('secretariat:choice_menu') },
        ]);
      },
      input(ctx, input) {
        const id = input.choice!.id;
        if (id === 'new') return ctx.go('secretariat', 'compose');
        if (id === 'list') return ctx.go('secretariat', 'list');
        if (id === 'flagged') return ctx.go('secretariat', 'flagged');
        if (id === 'feedback') return ctx.go('secretariat', 'feedback');
        if (id === 'review') {
          for (const key of ['reviewStart', 'reviewUnit', 'reviewCadresOf']) delete ctx.state.data[key];
          return ctx.go('secretariat', 'review');
        }
        return ctx.home();
      },
    },
    ...composeSteps,
    ...manageSteps,
    ...flaggedConcernSteps,
    ...reviewSteps,
    ...feedbackSteps,
  },
};
