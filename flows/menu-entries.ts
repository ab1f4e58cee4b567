/**
 * What the main menu offers. Each area adds its entry here; an entry without a flow answers
 * politely that it is coming. An entry shows only to people who may enter its flow: the roles
 * are declared on the flow (e.g. the cadre inbox, the secretariat's area), not here.
 */

export interface MenuEntry {
  id: string;
  /** Locale key of the label, e.g. 'menu:materials'. */
  labelKey: string;
  /** Flow (and step) to open; none → "coming soon". */
  flow?: string;
  step?: string;
}

export const MENU_ENTRIES: MenuEntry[] = [
  { id: 'materials', labelKey: 'menu:materials', flow: 'materials', step: 'main' },
  { id: 'secretariat', labelKey: 'secretariat:menu_label', flow: 'secretariat', step: 'main' },
  { id: 'surveys', labelKey: 'menu:surveys', flow: 'survey', step: 'list' },
  { id: 'survey_results', labelKey: 'survey:menu_results', flow: 'survey-results', step: 'pick' },
  { id: 'concerns', labelKey: 'menu:concerns', flow: 'concern', step: 'home' },
  { id: 'cadre_inbox', labelKey: 'cadre:menu_label', flow: 'cadre', step: 'inbox' },
  { id: 'settings', labelKey: 'menu:settings', flow: 'settings', step: 'main' },
  { id: 'meetings', labelKey: 'meetings:menu_label', flow: 'meetings', step: 'home' },
  { id: 'checkin', labelKey: 'meetings:menu_checkin', flow: 'meetings', step: 'checkin' },
  // Staff only (the step declares its roles); last, so the numbers of the entries above stay.
  { id: 'web_login', labelKey: 'web:chat.menu_label', flow: 'web-login', step: 'issue' },
];
