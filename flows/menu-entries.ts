/**
 * What the main menu offers. Each area adds its entry here; an entry without a flow answers
 * politely that it is coming; entries with `roles` show only to members holding one of them
 * (e.g. the cadre inbox, the secretariat's broadcasts).
 */
import type { Role } from '../core/db.js';

export interface MenuEntry {
  id: string;
  /** Locale key of the label, e.g. 'menu:materials'. */
  labelKey: string;
  /** Flow (and step) to open; none → "coming soon". */
  flow?: string;
  step?: string;
  roles?: Role[];
}

export const MENU_ENTRIES: MenuEntry[] = [
  { id: 'materials', labelKey: 'menu:materials', flow: 'materials', step: 'main' },
  { id: 'secretariat', labelKey: 'secretariat:menu_label', flow: 'secretariat', step: 'main', roles: ['secretariat'] },
  { id: 'surveys', labelKey: 'menu:surveys', flow: 'survey', step: 'list' },
  { id: 'survey_results', labelKey: 'survey:menu_results', flow: 'survey-results', step: 'pick', roles: ['secretariat'] },
  { id: 'concerns', labelKey: 'menu:concerns', flow: 'concern', step: 'home' },
  { id: 'cadre_inbox', labelKey: 'cadre:menu_label', flow: 'cadre', step: 'inbox', roles: ['cadre'] },
  { id: 'settings', labelKey: 'menu:settings', flow: 'settings', step: 'main' },
];
