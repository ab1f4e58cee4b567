/** The cadre-force review's aggregation, on hand-written concern histories (no app, no database). */
import { describe, expect, it } from 'vitest';
import { attributeConcern, buildCadreReview, cadreReviewToCsv, cadreStats, type ReviewConcern } from './cadre-review.js';

const T0 = new Date('2026-11-02T01:00:00Z');
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const fr = (met: boolean) => ({ kind: 'first_response' as const, level: 0, met });
const res = (met: boolean) => ({ kind: 'resolution' as const, level: 0, met });

/** Resolved by c1 in time, rated 4: 30 minutes to the first response. */
const A: ReviewConcern = {
  _id: 'PA-A', status: 'resolved', rating: 4, slaOutcomes: [fr(true), res(true)],
  events: [
    { at: at(0), kind: 'created', actor: 'reporter' },
    { at: at(0), kind: 'assigned', actor: 'system', assigneeId: 'c1' },
    { at: at(30), kind: 'accepted', actor: 'c1' },
    { at: at(90), kind: 'resolved', actor: 'c1' },
    { at: at(100), kind: 'rated', actor: 'reporter' },
  ],
};
/** c1 let the first-response deadline pass; it went up to c2, who replied 20 minutes later. */
const B: ReviewConcern = {
  _id: 'PA-B', status: 'replied', assigneeId: 'c2', slaOutcomes: [fr(false), fr(true)],
  events: [
    { at: at(0), kind: 'created', actor: 'reporter' },
    { at: at(0), kind: 'assigned', actor: 'system', assigneeId: 'c1' },
    { at: at(60), kind: 'escalated', actor: 'system:sla', deadline: at(60) },
    { at: at(60), kind: 'assigned', actor: 'system', assigneeId: 'c2' },
    { at: at(80), kind: 'replied', actor: 'c2' },
  ],
};
/**
 * Nobody could take it: both deadlines passed while it waited (no event, two outcomes), then the
 * secretariat gave it to c2, who accepted in 10 minutes, in time.
 */
const C: ReviewConcern = {
  _id: 'PA-C', status: 'accepted', assigneeId: 'c2', slaOutcomes: [fr(false), res(false), fr(true)],
  events: [
    { at: at(0), kind: 'created', actor: 'reporter' },
    { at: at(0), kind: 'flagged', actor: 'system' },
    { at: at(300), kind: 'assigned', actor: 'm-thu', assigneeId: 'c2' },
    { at: at(310), kind: 'accepted', actor: 'c2' },
  ],
};
/** c1 passed it to c3 after 20 minutes; c3 accepted 30 minutes after getting it, late. */
const D: ReviewConcern = {
  _id: 'PA-D', status: 'accepted', assigneeId: 'c3', slaOutcomes: [fr(false)],
  events: [
    { at: at(0), kind: 'created', actor: 'reporter' },
    { at: at(0), kind: 'assigned', actor: 'system', assigneeId: 'c1' },
    { at: at(20), kind: 'transferred', actor: 'c1', assigneeId: 'c3' },
    { at: at(50), kind: 'accepted', actor: 'c3' },
  ],
};
/** c4 wrote a note (not a response) 40 days before the review and resolved it a minute later: nothing since. */
const E: ReviewConcern = {
  _id: 'PA-E', status: 'resolved', slaOutcomes: [fr(true), res(true)],
  events: [
    { at: at(-40 * 1440), kind: 'created', actor: 'reporter' },
    { at: at(-40 * 1440), kind: 'assigned', actor: 'system', assigneeId: 'c4' },
    { at: at(-40 * 1440 + 5), kind: 'note', actor: 'c4' },
    { at: at(-40 * 1440 + 6), kind: 'resolved', actor: 'c4' },
  ],
};

describe('cadre review: who each deadline belonged to', () => {
  it('credits the first response to the cadre who gave it, timed from when the concern reached them', () => {
    expect(attributeConcern(A)).toMatchObject({ firstResponses: [{ cadreId: 'c1', ms: 30 * 60_000, met: true }], missed: [], rating: { cadreId: 'c1', value: 4 } });
    expect(attributeConcern(D).firstResponses).toEqual([{ cadreId: 'c3', at: at(50), ms: 30 * 60_000, met: false }]);
    expect(attributeConcern(D).lastAction).toEqual(new Map([['c1', at(20)], ['c3', at(50)]]));
  });

  it('counts a breach against the cadre who had the concern, and the next level from the escalation', () => {
    const r = attributeConcern(B);
    expect(r.missed).toEqual([{ cadreId: 'c1', at: at(60) }]);
    expect(r.firstResponses).toEqual([{ cadreId: 'c2', at: at(80), ms: 20 * 60_000, met: true }]);
    expect(r.rating).toBeUndefined();
  });

  it('skips the deadlines that passed while nobody had the concern, so the cadre placed later is not blamed', () => {
    const r = attributeConcern(C);
    expect(r.firstResponses).toEqual([{ cadreId: 'c2', at: at(310), ms: 10 * 60_000, met: true }]);
    expect(r.missed).toEqual([]);
    // Without the two outcomes of the gap, nothing is skipped.
    expect(attributeConcern({ ...C, slaOutcomes: [fr(true)] }).firstResponses[0]!.met).toBe(true);
  });

  it('keeps a concern with its cadre when they escalate it at the top (flagged by them, not by routing)', () => {
    const r = attributeConcern({
      _id: 'PA-F', status: 'replied', assigneeId: 'c1', slaOutcomes: [fr(true)],
      events: [
        { at: at(0), kind: 'created', actor: 'reporter' },
        { at: at(0), kind: 'assigned', actor: 'system', assigneeId: 'c0' },
        { at: at(5), kind: 'transferred', actor: 'c0', assigneeId: 'c1' },
        { at: at(10), kind: 'flagged', actor: 'c1' },
        { at: at(40), kind: 'replied', actor: 'c1' },
      ],
    });
    // Still c1's since the transfer: 35 minutes, not 40.
    expect(r.firstResponses).toEqual([{ cadreId: 'c1', at: at(40), ms: 35 * 60_000, met: true }]);
    expect(r.lastAction).toEqual(new Map([['c0', at(5)], ['c1', at(40)]]));
  });

  it('leaves met unknown where the outcomes do not fit the history (older data)', () => {
    expect(attributeConcern({ ...A, slaOutcomes: [] }).firstResponses).toEqual([{ cadreId: 'c1', at: at(30), ms: 30 * 60_000 }]);
  });

  it('adds up per cadre: open load, SLA hit rate over decided first-response deadlines, median minutes, rating, last action', () => {
    const s = cadreStats([A, B, C, D, E]);
    expect(s.get('c1')).toEqual({ open: 0, slaMet: 1, slaTotal: 2, slaHitRate: 0.5, medianFirstResponseMinutes: 30, ratings: 1, averageRating: 4, lastActionAt: at(90) });
    expect(s.get('c2')).toEqual({ open: 2, slaMet: 2, slaTotal: 2, slaHitRate: 1, medianFirstResponseMinutes: 15, ratings: 0, averageRating: null, lastActionAt: at(310) });
    expect(s.get('c3')).toMatchObject({ open: 1, slaMet: 0, slaTotal: 1, slaHitRate: 0, medianFirstResponseMinutes: 30 });
    expect(s.get('c4')).toMatchObject({ open: 0, slaHitRate: 1, medianFirstResponseMinutes: 6, lastActionAt: at(-40 * 1440 + 6) });
    // Nobody reading the figures learns anything about reporters: no entry is keyed by one.
    expect([...s.keys()].sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
  });
});

describe('cadre review of a subtree', () => {
  const categories = [
    { id: 'wages', organisations: ['trade_union' as const] },
    { id: 'harassment', organisations: ['womens_union' as const, 'trade_union' as const] },
    { id: 'skills', organisations: ['youth_union' as const] },
  ];
  const review = () =>
    buildCadreReview({
      unitId: 'vsip1',
      at: at(24 * 60),
      categories,
      assignments: [
        { memberId: 'c1', orgUnitId: 'vsip1', organisation: 'trade_union', categories: ['wages'], startedAt: at(-100 * 1440) },
        { memberId: 'c2', orgUnitId: 'ent-hoa-sen', organisation: 'womens_union', categories: [], startedAt: at(-100 * 1440) },
        { memberId: 'c4', orgUnitId: 'ent-hoa-sen', organisation: 'trade_union', categories: [], startedAt: at(-100 * 1440) },
        // New this week, nothing to do yet: not idle.
        { memberId: 'c5', orgUnitId: 'vsip1', organisation: 'youth_union', categories: ['skills'], startedAt: at(-3 * 1440) },
        // No longer an active cadre: listed, counted nowhere.
        { memberId: 'c6', orgUnitId: 'vsip1', organisation: 'youth_union', categories: [], startedAt: at(-100 * 1440) },
      ],
      members: new Map([
        ['c1', { name: 'Anh Tú', eligible: true }],
        ['c2', { name: 'Chị Hoa', eligible: true }],
        ['c4', { name: 'Anh Bình', eligible: true }],
        ['c5', { name: 'Chị Mai', eligible: true }],
        ['c6', { name: 'Anh Sơn', eligible: false }],
      ]),
      stats: cadreStats([A, B, C, D, E]),
      workplaces: 2,
      gaps: [{ unitId: 'ent-phuc-thinh', category: 'harassment' }],
    });

  it('counts eligible cadres by organisation and category and flags those idle for 30 days', () => {
    const r = review();
    expect(r.byOrganisation).toEqual({ youth_union: 1, womens_union: 1, trade_union: 2, youth_federation: 0 });
    expect(r.byCategory).toEqual([{ category: 'wages', cadres: 2 }, { category: 'harassment', cadres: 2 }, { category: 'skills', cadres: 1 }]);
    expect(r.categoriesWithoutCadre).toEqual([]);
    // Idle first: Bình (last action 39 days before), Sơn (never acted, assigned 101 days before).
    expect(r.cadres.map((c) => [c.memberId, c.idle])).toEqual([['c4', true], ['c6', true], ['c1', false], ['c2', false], ['c5', false]]);
    expect(r.cadres.find((c) => c.memberId === 'c2')!.categories).toEqual(['harassment']);
    expect(r.gaps).toEqual([{ unitId: 'ent-phuc-thinh', category: 'harassment' }]);
  });

  it('names a category nobody in the subtree covers', () => {
    const r = buildCadreReview({ ...{ unitId: 'x', at: at(0), categories, members: new Map(), stats: new Map(), workplaces: 0, gaps: [] }, assignments: [] });
    expect(r.categoriesWithoutCadre).toEqual(['wages', 'harassment', 'skills']);
    expect(r.cadres).toEqual([]);
  });

  it('writes one CSV with cadre, organisation, category and gap sections', () => {
    const lines = cadreReviewToCsv(review(), (id) => (id === 'ent-phuc-thinh' ? 'Công ty Phúc Thịnh' : id)).split('\r\n');
    expect(lines[0]).toBe('\uFEFFsection,member_id,name,eligible,organisations,units,categories,open,sla_met,sla_total,sla_hit_rate_pct,median_first_response_min,ratings,average_rating,last_action_at,idle,cadres');
    expect(lines).toContain(`cadre,c1,Anh Tú,true,trade_union,vsip1,wages,0,1,2,50,30,1,4,${at(90).toISOString()},false`);
    expect(lines).toContain('cadre,c6,Anh Sơn,false,youth_union,vsip1,skills,0,0,0,,,0,,,true');
    expect(lines).toContain('organisation,,trade_union,,,,,,,,,,,,,,2');
    expect(lines).toContain('category,,skills,,,,,,,,,,,,,,1');
    expect(lines).toContain('gap,,Công ty Phúc Thịnh,,,ent-phuc-thinh,harassment');
  });
});
