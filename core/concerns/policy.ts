/**
 * The concerns policy as data: categories and who handles them, urgency and hotlines, conflict
 * of interest, SLA per category and level, business hours and holidays (Lunar New Year included), limits.
 * Deployments replace it whole or in part (`withPolicy`); nothing here is hard-coded in logic.
 */
import type { Organisation } from './models.js';
import { VN_OFFSET_MINUTES } from '../vn-time.js';
import { publicHolidaysBetween } from './vn-holidays.js';

/** A phone line shown to a worker in danger. */
export interface Hotline {
  /** Key under concern:hotline_name (e.g. "police"). */
  name: string;
  number: string;
}

/** Vietnam's national lines, and the Women's Union counselling line. */
export const HOTLINES = {
  police: { name: 'police', number: '113' },
  emergency: { name: 'emergency', number: '115' },
  womensUnion: { name: 'womens_union', number: '1900 969680' },
} satisfies Record<string, Hotline>;

/** How one category is routed. */
export interface CategoryRule {
  /** Organisations whose cadres may handle it, any of them. */
  organisations: Organisation[];
  urgent: boolean;
  /** Lines to call at once (urgent categories): who answers (a key under concern:hotline_name) and the number. */
  hotlines?: Hotline[];
  /**
   * Organisations to involve by default (joint handling): at routing, an eligible cadre of each
   * one the lead does not belong to is invited to assist, found along the concern's unit chain.
   */
  assistOrganisations?: Organisation[];
  /** Keep it away from cadres with a conflict of interest in the concerned unit. */
  conflictExclusion: boolean;
  /** SLA per level in seconds (the last entry applies to higher levels). */
  firstResponseSeconds: number[];
  resolutionSeconds: number[];
}

/** Opening hours per weekday (0 = Sunday) in Vietnam time, "HH:MM"–"HH:MM". */
export interface BusinessHours {
  /** SLA clocks run around the clock (tests, or a 24/7 deployment). */
  alwaysOpen: boolean;
  days: Partial<Record<0 | 1 | 2 | 3 | 4 | 5 | 6, [string, string]>>;
  /** Whole days off, "YYYY-MM-DD" in Vietnam time. */
  holidays: string[];
  /** Offset of local time from UTC in minutes (Vietnam: +420, no daylight saving). */
  utcOffsetMinutes: number;
}

export interface ConcernPolicy {
  categories: Record<string, CategoryRule>;
  businessHours: BusinessHours;
  /** Urgent concerns run their SLA around the clock. */
  urgentIgnoresBusinessHours: boolean;
  /** A reminder goes to the assignee when this share of the SLA window has passed. */
  reminderAt: number;
  /** Open concerns a worker may have at once (urgent categories are never refused). */
  maxOpenPerWorker: number;
  /**
   * Concerns one platform account may raise per day (Vietnam time), counted across erasure;
   * past it ordinary ones are refused and urgent ones still pass (core/concerns/daily-cap.ts).
   */
  maxNewPerDay: number;
  /** Days after resolution during which the worker may reopen. */
  reopenDays: number;
  /** After answering a cadre's question, more messages (a photo, then words) join the answer for this long. */
  answerWindowMinutes: number;
  maxPhotos: number;
  maxDescriptionChars: number;
  /**
   * Collective cases (vụ việc tập thể, core/cases/): `minConcerns` open concerns of one category
   * about one enterprise, all raised within `windowDays`, are grouped under one lead cadre; a
   * case takes new concerns while its latest one is less than `windowDays` old.
   */
  collectiveCases: { minConcerns: number; windowDays: number };
}

const H = 3600;
const normal = { firstResponseSeconds: [8 * H, 8 * H, 16 * H], resolutionSeconds: [5 * 24 * H, 5 * 24 * H, 10 * 24 * H] };
const urgentSla = { firstResponseSeconds: [1 * H, 1 * H, 2 * H], resolutionSeconds: [24 * H, 24 * H, 48 * H] };

/** The default policy, from DOMAIN.md's table of categories and usual handlers. */
export const DEFAULT_POLICY: ConcernPolicy = {
  categories: {
    wages: { organisations: ['trade_union'], urgent: false, conflictExclusion: true, ...normal },
    overtime: { organisations: ['trade_union'], urgent: false, conflictExclusion: true, ...normal },
    insurance: { organisations: ['trade_union'], urgent: false, conflictExclusion: true, ...normal },
    contract: { organisations: ['trade_union'], urgent: false, conflictExclusion: true, ...normal },
    housing_security: { organisations: ['youth_union', 'youth_federation', 'womens_union'], urgent: false, conflictExclusion: false, ...normal },
    childcare: { organisations: ['womens_union', 'trade_union'], urgent: false, conflictExclusion: false, ...normal },
    safety: { organisations: ['trade_union'], urgent: true, hotlines: [HOTLINES.emergency, HOTLINES.police], conflictExclusion: true, ...urgentSla },
    harassment: { organisations: ['womens_union', 'trade_union'], assistOrganisations: ['womens_union'], urgent: true, hotlines: [HOTLINES.womensUnion, HOTLINES.police], conflictExclusion: true, ...urgentSla },
    skills: { organisations: ['youth_union'], urgent: false, conflictExclusion: false, ...normal },
    culture: { organisations: ['youth_union', 'youth_federation'], urgent: false, conflictExclusion: false, ...normal },
  },
  businessHours: {
    alwaysOpen: false,
    days: { 1: ['07:30', '17:00'], 2: ['07:30', '17:00'], 3: ['07:30', '17:00'], 4: ['07:30', '17:00'], 5: ['07:30', '17:00'], 6: ['07:30', '11:30'] },
    // Public holidays by the Labour Code's rules and the lunar calendar, with the government's
    // announced extra days (vn-holidays.ts, holiday-swaps.ts).
    holidays: publicHolidaysBetween(2025, 2040),
    utcOffsetMinutes: VN_OFFSET_MINUTES,
  },
  urgentIgnoresBusinessHours: true,
  reminderAt: 0.75,
  maxOpenPerWorker: 3,
  maxNewPerDay: 5,
  reopenDays: 7,
  answerWindowMinutes: 15,
  maxPhotos: 5,
  maxDescriptionChars: 2000,
  collectiveCases: { minConcerns: 3, windowDays: 14 },
};

/** The default policy with some parts replaced (tests: short SLAs, always open). */
export function withPolicy(over: Partial<Omit<ConcernPolicy, 'businessHours'>> & { businessHours?: Partial<BusinessHours> } = {}): ConcernPolicy {
  return { ...DEFAULT_POLICY, ...over, businessHours: { ...DEFAULT_POLICY.businessHours, ...over.businessHours } };
}

/** Every category id, in the order workers see them. */
export function categoryIds(policy: ConcernPolicy): string[] {
  return Object.keys(policy.categories);
}

/** The SLA window of a category at a level, in ms. */
export function slaMs(rule: CategoryRule, kind: 'first_response' | 'resolution', level: number): number {
  const list = kind === 'first_response' ? rule.firstResponseSeconds : rule.resolutionSeconds;
  return Math.round(list[Math.min(level, list.length - 1)]! * 1000);
}

/** Every hotline of the urgent categories, each once, in category order. */
export function allHotlines(policy: ConcernPolicy): Hotline[] {
  const seen = new Map<string, Hotline>();
  for (const rule of Object.values(policy.categories)) for (const h of rule.hotlines ?? []) seen.set(`${h.name}|${h.number}`, h);
  return [...seen.values()];
}
