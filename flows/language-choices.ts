/** The languages a person can choose, each named in its own language. */
import type { Choice } from '../core/engine/types.js';
import type { FlowContext } from '../core/engine/flow.js';

export function languageChoices(ctx: FlowContext): Choice[] {
  return ctx.services.i18n.languages.map((lng) => ({ id: lng, label: ctx.services.i18n.for(lng)('common:language_name') }));
}
