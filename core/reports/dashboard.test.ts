/** The dashboard's aggregation on hand-written rows: no app, no database. */
import { describe, expect, it } from 'vitest';
import { buildConcernReport } from '../concerns/reports.js';
import { broadcastFigures, concernFigures, defaultPeriod, gapFigures, memberFigures, unitBuckets, weekOf, weeksOf, type DashboardBroadcast, type DashboardConcern, type DashboardPeriod } from './dashboard.js';

/** A Vietnam wall-clock time, "2026-11-16 08:00". */
const vn = (s: string) => new Date(`${s.replace(' ', 'T')}:00+07:00`);
const day = (s: string) => vn(`${s} 00:00`);

// The tree: hcm → vsip1 → {ent-a, ent-b}; hcm → st2 → ent-c.
const ANCESTORS: Record<string, string[]> = { hcm: [], vsip1: ['hcm'], st2: ['hcm'], 'ent-a': ['hcm', 'vsip1'], 'ent-b': ['hcm', 'vsip1'], 'ent-c': ['hcm', 'st2'] };
const cityBuckets = unitBuckets(['hcm'], (id) => ANCESTORS[id], { whole: true, unknownBucket: '?' });
const zoneBuckets = unitBuckets(['vsip1'], (id) => ANCESTORS[id], { whole: false, unknownBucket: '?' });

// Three weeks: Mon 2 Nov – Sun 22 Nov 2026.
const PERIOD: DashboardPeriod = { from: day('2026-11-02'), until: day('2026-11-23') };

function concern(o: Partial<DashboardConcern> & { at: string; unit: string }): DashboardConcern {
  return { category: 'wages', orgUnitId: o.unit, level: 0, status: 'received', flagged: false, slaOutcomes: [], createdAt: vn(o.at), ...o };
}

describe('weeks in Vietnam time', () => {
  it('starts weeks on Monday, Vietnam time, whatever UTC says', () => {
    expect(weekOf(vn('2026-11-16 00:30'))).toBe('2026-11-16'); // Sunday 17:30 UTC
    expect(weekOf(vn('2026-11-15 23:59'))).toBe('2026-11-09');
    expect(weekOf(vn('2026-11-22 23:59'))).toBe('2026-11-16');
  });

  it('lists the weeks a period touches, partial ones included', () => {
    expect(weeksOf(PERIOD)).toEqual(['2026-11-02', '2026-11-09', '2026-11-16']);
    expect(weeksOf({ from: day('2026-11-04'), until: day('2026-11-11') })).toEqual(['2026-11-02', '2026-11-09']);
    expect(weeksOf({ from: day('2026-11-04'), until: day('2026-11-05') })).toEqual(['2026-11-02']);
  });

  it('defaults to the last 8 weeks, this one so far included', () => {
    const p = defaultPeriod(vn('2026-11-25 09:00')); // a Wednesday
    expect(p.from).toEqual(day('2026-10-05'));
    expect(p.until).toEqual(day('2026-11-26'));
    expect(weeksOf(p)).toHaveLength(8);
  });
});

describe('unit buckets', () => {
  it('rolls a unit up to the one directly under the top, and keeps the top for itself', () => {
    expect(cityBuckets('ent-a')).toBe('vsip1');
    expect(cityBuckets('vsip1')).toBe('vsip1');
    expect(cityBuckets('hcm')).toBe('hcm');
    expect(cityBuckets('gone')).toBe('?');
    expect(zoneBuckets('ent-a')).toBe('ent-a');
    expect(zoneBuckets('vsip1')).toBe('vsip1');
    expect(zoneBuckets('ent-c')).toBeUndefined();
    expect(zoneBuckets('hcm')).toBeUndefined();
    expect(zoneBuckets('gone')).toBeUndefined();
    expect(zoneBuckets(undefined)).toBeUndefined();
  });
});

describe('concern figures', () => {
  const list: DashboardConcern[] = [
    // Week of 2 Nov: answered in 30 min (met), resolved after 2 h (met).
    concern({ at: '2026-11-02 08:00', unit: 'ent-a', status: 'resolved', firstResponseAt: vn('2026-11-02 08:30'), resolvedAt: vn('2026-11-02 10:00'), slaOutcomes: [{ kind: 'first_response', level: 0, met: true }, { kind: 'resolution', level: 0, met: true }] }),
    // Week of 9 Nov: first response late (missed, escalated), then answered after 90 min at the next level (met).
    concern({ at: '2026-11-10 08:00', unit: 'ent-b', category: 'harassment', status: 'accepted', level: 1, firstResponseAt: vn('2026-11-10 09:30'), slaOutcomes: [{ kind: 'first_response', level: 0, met: false }, { kind: 'first_response', level: 1, met: true }] }),
    concern({ at: '2026-11-11 08:00', unit: 'ent-c', status: 'received', flagged: true }),
    // Week of 16 Nov, at the city itself.
    concern({ at: '2026-11-16 08:00', unit: 'hcm', category: 'housing_security', status: 'withdrawn' }),
    // Outside the period: the day before, and the day after.
    concern({ at: '2026-11-01 23:59', unit: 'ent-a' }),
    concern({ at: '2026-11-23 00:00', unit: 'ent-a' }),
  ];
  const categories = ['wages', 'harassment', 'housing_security', 'skills'];

  it('counts the period by category, unit and status for the city', () => {
    const f = concernFigures(list, { period: PERIOD, categories, bucket: cityBuckets });
    expect(f.total).toBe(4);
    expect(f.byCategory).toEqual([
      { category: 'wages', total: 2, open: 1, resolved: 1, flagged: 1 },
      { category: 'harassment', total: 1, open: 1, resolved: 0, flagged: 0 },
      { category: 'housing_security', total: 1, open: 0, resolved: 0, flagged: 0 },
      { category: 'skills', total: 0, open: 0, resolved: 0, flagged: 0 },
    ]);
    expect(f.byUnit.map((u) => [u.unitId, u.total])).toEqual([['vsip1', 2], ['hcm', 1], ['st2', 1]]);
    expect(Object.fromEntries(f.byStatus.map((s) => [s.status, s.count]))).toEqual({ received: 1, accepted: 1, replied: 0, escalated: 0, resolved: 1, reopened: 0, withdrawn: 1 });
  });

  it('gives SLA hit rate and medians over the period and per week, as the concern report defines them', () => {
    const f = concernFigures(list, { period: PERIOD, categories, bucket: cityBuckets });
    expect(f.sla).toEqual({ concerns: 4, slaMet: 3, slaTotal: 4, slaHitRate: 0.75, medianFirstResponseMinutes: 60, medianResolutionMinutes: 120 });
    expect(f.weeks).toEqual([
      { week: '2026-11-02', concerns: 1, slaMet: 2, slaTotal: 2, slaHitRate: 1, medianFirstResponseMinutes: 30, medianResolutionMinutes: 120 },
      { week: '2026-11-09', concerns: 2, slaMet: 1, slaTotal: 2, slaHitRate: 0.5, medianFirstResponseMinutes: 90, medianResolutionMinutes: null },
      { week: '2026-11-16', concerns: 1, slaMet: 0, slaTotal: 0, slaHitRate: null, medianFirstResponseMinutes: null, medianResolutionMinutes: null },
    ]);
  });

  it('agrees with the concern report over the same concerns', async () => {
    const inPeriod = list.slice(0, 4);
    const fake = { Concern: { find: () => ({ lean: async () => inPeriod }) } };
    const report = await buildConcernReport(fake as never);
    const f = concernFigures(list, { period: PERIOD, categories, bucket: cityBuckets });
    expect([f.sla.slaMet, f.sla.slaTotal, f.sla.slaHitRate, f.sla.medianFirstResponseMinutes, f.sla.medianResolutionMinutes]).toEqual([
      report.total.slaMet,
      report.total.slaTotal,
      report.total.slaHitRate,
      report.total.medianFirstResponseMinutes,
      report.total.medianResolutionMinutes,
    ]);
  });

  it('keeps a zone to its subtree', () => {
    const f = concernFigures(list, { period: PERIOD, categories, bucket: zoneBuckets });
    expect(f.total).toBe(2);
    expect(f.byUnit.map((u) => u.unitId)).toEqual(['ent-a', 'ent-b']);
    expect(f.byCategory.find((c) => c.category === 'wages')!.flagged).toBe(0);
  });
});

describe('broadcast figures', () => {
  const b = (id: string, startedAt: string | undefined, unit: string | undefined, c: Partial<DashboardBroadcast['counts']>): DashboardBroadcast => ({
    _id: id,
    content: { text: id },
    audience: { orgUnitId: unit, topics: [], roles: [] },
    status: startedAt ? 'done' : 'scheduled',
    counts: { targeted: 0, sent: 0, failed: 0, unreachable: 0, optedOut: 0, withdrawn: 0, cancelled: 0, ...c },
    ...(startedAt ? { startedAt: vn(startedAt) } : {}),
  });
  const list = [
    b('bc-all', '2026-11-03 08:00', undefined, { targeted: 100, sent: 95, failed: 5, optedOut: 7 }),
    b('bc-vsip', '2026-11-17 19:00', 'vsip1', { targeted: 40, sent: 38, failed: 2, optedOut: 1 }),
    b('bc-st2', '2026-11-18 19:00', 'st2', { targeted: 10, sent: 10 }),
    b('bc-later', undefined, 'vsip1', { targeted: 0 }),
    b('bc-old', '2026-10-30 08:00', 'vsip1', { targeted: 5, sent: 5 }),
  ];

  it('gives each broadcast started in the period and the weekly sums, for the city', () => {
    const f = broadcastFigures(list, { period: PERIOD, inScope: () => true });
    expect(f.broadcasts.map((x) => [x.id, x.targeted, x.sent, x.failed, x.optedOut])).toEqual([
      ['bc-all', 100, 95, 5, 7],
      ['bc-vsip', 40, 38, 2, 1],
      ['bc-st2', 10, 10, 0, 0],
    ]);
    expect(f.total).toEqual({ broadcasts: 3, targeted: 150, sent: 143, failed: 7, optedOut: 8 });
    expect(f.weeks).toEqual([
      { week: '2026-11-02', broadcasts: 1, targeted: 100, sent: 95, failed: 5, optedOut: 7 },
      { week: '2026-11-09', broadcasts: 0, targeted: 0, sent: 0, failed: 0, optedOut: 0 },
      { week: '2026-11-16', broadcasts: 2, targeted: 50, sent: 48, failed: 2, optedOut: 1 },
    ]);
  });

  it('shows a zone only the broadcasts addressed inside it', () => {
    const f = broadcastFigures(list, { period: PERIOD, inScope: (u) => zoneBuckets(u) !== undefined });
    expect(f.broadcasts.map((x) => x.id)).toEqual(['bc-vsip']);
  });
});

describe('member figures', () => {
  const m = (id: string, unit: string | undefined, created: string, status: 'active' | 'erased' = 'active', erased?: string) => ({ _id: id, orgUnitId: unit, status, createdAt: vn(created), ...(erased ? { erasedAt: vn(erased) } : {}) });
  const members = [
    m('m1', 'ent-a', '2026-10-01 08:00'),
    m('m2', 'ent-a', '2026-11-03 08:00'),
    m('m3', 'ent-b', '2026-11-17 08:00'),
    m('m4', 'ent-c', '2026-11-10 08:00'),
    m('m5', 'ent-a', '2026-11-24 08:00'), // after the period: not yet a member then
    m('m6', undefined, '2026-11-12 08:00', 'erased', '2026-11-12 08:00'),
    m('m7', undefined, '2026-10-12 08:00', 'erased', '2026-10-12 08:00'),
  ];
  const identities = [
    { memberId: 'm1', channel: 'zalo' },
    { memberId: 'm1', channel: 'telegram' },
    { memberId: 'm2', channel: 'zalo' },
    { memberId: 'm4', channel: 'telegram' },
  ];

  it('counts active members by unit and chat app, and new and erased ones per week, for the city', () => {
    const f = memberFigures(members, identities, { period: PERIOD, bucket: cityBuckets, whole: true });
    expect(f.active).toBe(4);
    expect(f.channels).toEqual(['telegram', 'zalo']);
    expect(f.byUnit).toEqual([
      { unitId: 'vsip1', active: 3, channels: { zalo: 2, telegram: 1 }, none: 1 },
      { unitId: 'st2', active: 1, channels: { telegram: 1 }, none: 0 },
    ]);
    expect(f.weeks).toEqual([
      { week: '2026-11-02', new: 1, erased: 0 },
      { week: '2026-11-09', new: 1, erased: 1 },
      { week: '2026-11-16', new: 1, erased: 0 },
    ]);
    expect([f.newTotal, f.erasedTotal, f.erasedCounted]).toEqual([3, 1, true]);
  });

  it('cannot place erased members in a zone, and says so', () => {
    const f = memberFigures(members, identities, { period: PERIOD, bucket: zoneBuckets, whole: false });
    expect(f.active).toBe(3);
    expect(f.byUnit.map((u) => [u.unitId, u.active])).toEqual([['ent-a', 2], ['ent-b', 1]]);
    expect([f.newTotal, f.erasedTotal, f.erasedCounted]).toEqual([2, 0, false]);
  });
});

describe('coverage gaps', () => {
  it('counts workplaces per category and lists each workplace with its categories in policy order', () => {
    const f = gapFigures(
      [
        { unitId: 'ent-b', category: 'skills' },
        { unitId: 'ent-a', category: 'harassment' },
        { unitId: 'ent-a', category: 'wages' },
      ],
      3,
      ['wages', 'harassment', 'skills'],
    );
    expect(f.byCategory).toEqual([
      { category: 'wages', workplaces: 1 },
      { category: 'harassment', workplaces: 1 },
      { category: 'skills', workplaces: 1 },
    ]);
    expect(f.byUnit).toEqual([
      { unitId: 'ent-a', categories: ['wages', 'harassment'] },
      { unitId: 'ent-b', categories: ['skills'] },
    ]);
  });
});
