import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import type { MemberDoc } from '../db.js';
import { validateSurvey } from './definition.js';
import { resultsToCsv } from './results-csv.js';

let app: TestApp;
const at = new Date('2026-11-25T02:00:00Z');

const survey = (id: string, extra: Record<string, unknown> = {}) =>
  validateSurvey({
    id,
    title: { vi: 'Nhà ở và thu nhập' },
    opensAt: '2026-11-01T00:00:00+07:00',
    closesAt: '2026-12-01T00:00:00+07:00',
    anonymous: true,
    audience: { roles: ['worker'], orgUnits: ['vsip1'] },
    profile: ['ageBand', 'gender'],
    questions: [
      { id: 'housing', type: 'single', text: { vi: 'Ở đâu?' }, options: [{ id: 'tro', text: { vi: 'Nhà trọ' } }, { id: 'ktx', text: { vi: 'Ký túc xá' } }] },
      { id: 'happy', type: 'scale', text: { vi: 'Hài lòng?' } },
      { id: 'wishes', type: 'text', required: false, text: { vi: 'Góp ý' } },
    ],
    ...extra,
  });

async function member(id: string, orgUnitId: string, roles: MemberDoc['roles'] = ['worker']): Promise<MemberDoc> {
  await app.models.Member.create({ _id: id, roles, orgUnitId, locale: 'vi', status: 'active', broadcastsOptOut: false, createdAt: at });
  return (await app.models.Member.findById(id).lean())!;
}

beforeAll(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  await app.models.OrgUnit.insertMany([
    { _id: 'cd-pt-may', name: 'Chi đoàn Phân xưởng May', kind: 'youth_union_branch', parentId: 'ent-phuc-thinh', ancestors: ['hcm', 'vsip1', 'ent-phuc-thinh'], aliases: [] },
    { _id: 'cd-pt-de', name: 'Chi đoàn Phân xưởng Đế', kind: 'youth_union_branch', parentId: 'ent-phuc-thinh', ancestors: ['hcm', 'vsip1', 'ent-phuc-thinh'], aliases: [] },
    { _id: 'cd-hs', name: 'Chi đoàn Hoa Sen', kind: 'youth_union_branch', parentId: 'ent-hoa-sen', ancestors: ['hcm', 'vsip1', 'ent-hoa-sen'], aliases: [] },
  ]);
});
afterAll(async () => app?.close());

describe('survey results', () => {
  it('counts answers, breaks them down by org subtree, age band and gender, and suppresses small cells, also by subtraction', async () => {
    const s = app.services.surveys;
    await s.importDefinition(survey('nha-o'), { actor: 'test', at });
    const def = (await s.get('nha-o'))!;
    // 8 answer at Phúc Thịnh (6 women, 2 men), 3 of 5 at Hoa Sen; one worker outside the audience's subtree, one cadre.
    for (let i = 0; i < 13; i++) await member(`w${i}`, i < 8 ? 'ent-phuc-thinh' : 'ent-hoa-sen');
    await member('outside', 'ent-det-song-than');
    await member('cadre', 'ent-hoa-sen', ['cadre']);
    for (let i = 0; i < 11; i++) {
      const m = (await app.services.members.get(`w${i}`))!;
      const answers = { housing: i < 7 ? 'tro' : 'ktx', happy: (i % 5) + 1, wishes: i === 0 ? 'Cần nhà trẻ' : undefined, _gender: i < 6 ? 'female' : i < 8 ? 'male' : undefined, _ageBand: '18_24' } as Record<string, string | number>;
      if (answers.wishes === undefined) delete answers.wishes;
      if (answers._gender === undefined) delete answers._gender;
      expect(await s.submit({ survey: def, member: m, answers, locale: 'vi', now: at })).toBe('saved');
    }
    // A second submission of an anonymous survey (e.g. from a second linked chat app) stores nothing.
    expect(await s.submit({ survey: def, member: (await app.services.members.get('w0'))!, answers: { housing: 'ktx', happy: 1 }, locale: 'vi', now: at })).toBe('duplicate');
    const r = (await s.results('nha-o'))!;
    expect(r).toMatchObject({ respondents: 11, responses: 11, audienceSize: 13, responseRate: 0.8462 });
    const housing = r.questions.find((q) => q.id === 'housing')!;
    expect(housing.options).toEqual([
      { id: 'tro', text: { vi: 'Nhà trọ' }, count: 7, pct: 63.6 },
      { id: 'ktx', text: { vi: 'Ký túc xá' }, count: 4, pct: 36.4 },
    ]);
    expect(r.questions.find((q) => q.id === 'happy')!.mean).toBe(2.82);
    expect(r.questions.find((q) => q.id === 'wishes')!.texts).toEqual([{ text: 'Cần nhà trẻ' }]);

    const byUnit = new Map(r.breakdowns.orgUnit.map((g) => [g.key, g]));
    expect(byUnit.get('vsip1')!.respondents).toBe(11);
    // Hoa Sen has 3 respondents: the whole group is suppressed.
    expect(byUnit.get('ent-hoa-sen')).toMatchObject({ respondents: null, questions: {} });
    // So is Phúc Thịnh (8): KCN VSIP I's 11 minus its 8 would tell Hoa Sen's 3 and their answers.
    expect(byUnit.get('ent-phuc-thinh')).toMatchObject({ respondents: null, questions: {} });
    // KCN VSIP I: 4 in a dormitory is too few, so its housing tally is hidden whole (7 = 11 − 4).
    expect(byUnit.get('vsip1')!.questions.housing).toEqual({ answered: null, options: [expect.objectContaining({ count: null, pct: null }), expect.objectContaining({ count: null, pct: null })] });

    const byGender = new Map(r.breakdowns.gender.map((g) => [g.key, g]));
    // 6 women shown: the 5 others (2 men, 3 who did not say) are together 5.
    expect(byGender.get('female')!.respondents).toBe(6);
    expect(byGender.get('male')!.respondents).toBeNull();
    expect(byGender.get('_none')!.respondents).toBeNull();
    // The women all live in rented rooms (6, 0), but overall 7 and 4 would leave 1 and 4 for the others.
    expect(byGender.get('female')!.questions.housing!.answered).toBeNull();
    expect(r.breakdowns.ageBand.map((g) => [g.key, g.respondents])).toEqual([['18_24', 11]]);

    const csv = resultsToCsv(r);
    expect(csv.startsWith('\uFEFFsection,group_kind,group,')).toBe(true);
    expect(csv).toContain('overall,,all,11,housing,Ở đâu?,tro,Nhà trọ,7,63.6,');
    expect(csv).toContain('breakdown,orgUnit,Công ty CP May mặc Hoa Sen,suppressed');
    expect(csv).toContain('breakdown,orgUnit,KCN VSIP I,11,housing,Ở đâu?,tro,Nhà trọ,suppressed,suppressed,');
    expect(csv).not.toMatch(/breakdown,[^\r]*,[1-4],[\d.]+,\r/);
    expect(csv).toContain('text,,,,wishes,Góp ý,,Cần nhà trẻ');
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('rolls inspections up per branch and per parent unit, one form per cadre and branch', async () => {
    const s = app.services.surveys;
    await s.importDefinition(
      survey('kiem-tra', {
        kind: 'inspection',
        anonymous: false,
        profile: [],
        audience: { roles: ['cadre'] },
        inspection: { subjectKinds: ['youth_union_branch'] },
      }),
      { actor: 'test', at },
    );
    const def = (await s.get('kiem-tra'))!;
    const c1 = await member('c1', 'vsip1', ['cadre']);
    const c2 = await member('c2', 'vsip1', ['cadre']);
    const submit = (m: MemberDoc, subject: string, happy: number) => s.submit({ survey: def, member: m, answers: { housing: 'tro', happy, wishes: `ghi chú ${subject}` }, subject, locale: 'vi', now: at });
    expect(await submit(c1, 'cd-pt-may', 4)).toBe('saved');
    expect(await submit(c1, 'cd-pt-may', 1)).toBe('duplicate');
    expect(await submit(c1, 'cd-pt-de', 2)).toBe('saved');
    expect(await submit(c2, 'cd-pt-may', 5)).toBe('saved');
    expect(await submit(c2, 'cd-hs', 3)).toBe('saved');
    const r = (await s.results('kiem-tra'))!;
    expect(r).toMatchObject({ respondents: 2, responses: 4, audienceSize: 3, responseRate: 0.6667 });
    const branches = new Map(r.inspection!.branches.map((b) => [b.unitId, b]));
    expect(branches.get('cd-pt-may')).toMatchObject({ inspections: 2, branches: 1, score: 4.5, parentId: 'ent-phuc-thinh' });
    expect(branches.get('cd-pt-de')).toMatchObject({ inspections: 1, score: 2 });
    const parents = new Map(r.inspection!.parents.map((p) => [p.unitId, p]));
    expect(parents.get('ent-phuc-thinh')).toMatchObject({ inspections: 3, branches: 2, score: 3.67 });
    expect(parents.get('vsip1')).toMatchObject({ inspections: 4, branches: 3, score: 3.5 });
    // Named: free text keeps who wrote it.
    expect(r.questions.find((q) => q.id === 'wishes')!.texts).toContainEqual({ text: 'ghi chú cd-hs', memberId: 'c2' });

    // Withdrawing consent deletes the person's named responses (and their markers, so they may
    // answer again); the others stay. Anonymous markers stay: answered once per person.
    expect(await s.hasAnswered('kiem-tra', 'c1', 'cd-pt-may')).toBe(true);
    expect(await s.eraseMemberResponses('c1')).toBe(2);
    expect((await s.results('kiem-tra'))!).toMatchObject({ respondents: 1, responses: 2 });
    expect(await s.hasAnswered('kiem-tra', 'c1', 'cd-pt-may')).toBe(false);
    expect(await s.hasAnswered('kiem-tra', 'c2', 'cd-pt-may')).toBe(true);
    expect(await s.eraseMemberResponses('w0')).toBe(0);
    expect(await s.hasAnswered('nha-o', 'w0')).toBe(true);
  });
});
