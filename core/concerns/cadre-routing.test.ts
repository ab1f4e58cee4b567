/**
 * Routing into the company's own units, truthful assignment notices, reopening to the cadre who
 * resolved, and what revoking the cadre role does (issue 17 major 4, issue 11 item 4).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import type { ConcernService, Intake } from './concern-service.js';
import { NotAssigneeError, NotCadreError } from './errors.js';

let app: TestApp;
let concerns: ConcernService;
let n = 0;

beforeEach(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  // Phúc Thịnh's own organisations, as in core/org/sample/org-tree.csv, plus another company's union.
  await app.models.OrgUnit.insertMany([
    { _id: 'congdoan-phuc-thinh', name: 'Công đoàn cơ sở Công ty TNHH Giày da Phúc Thịnh', kind: 'trade_union', organisation: 'trade_union', parentId: 'ent-phuc-thinh', ancestors: ['hcm', 'vsip1', 'ent-phuc-thinh'], aliases: [] },
    { _id: 'doan-phuc-thinh', name: 'Đoàn cơ sở Công ty TNHH Giày da Phúc Thịnh', kind: 'enterprise_youth_union', organisation: 'youth_union', parentId: 'ent-phuc-thinh', ancestors: ['hcm', 'vsip1', 'ent-phuc-thinh'], aliases: [] },
    { _id: 'chidoan-phuc-thinh-may', name: 'Chi đoàn Phân xưởng May', kind: 'youth_union_branch', organisation: 'youth_union', parentId: 'doan-phuc-thinh', ancestors: ['hcm', 'vsip1', 'ent-phuc-thinh', 'doan-phuc-thinh'], aliases: [] },
    { _id: 'congdoan-hoa-sen', name: 'Công đoàn cơ sở Công ty CP May mặc Hoa Sen', kind: 'trade_union', organisation: 'trade_union', parentId: 'ent-hoa-sen', ancestors: ['hcm', 'vsip1', 'ent-hoa-sen'], aliases: [] },
  ]);
  concerns = app.services.concerns;
  concerns.policy = fastPolicy();
  await addMember(app, { id: 'worker1', name: 'Nguyễn Thị Lan', orgUnitId: 'ent-phuc-thinh' });
});
afterEach(async () => app?.close());

function intake(over: Partial<Intake> = {}): Intake {
  return { memberId: 'worker1', category: 'wages', orgUnitId: 'ent-phuc-thinh', description: 'Công ty nợ lương hai tháng rồi', photos: 0, anonymous: true, intakeKey: `rk${++n}`, at: app.clock.now(), ...over };
}

async function cadre(id: string, unit: string, organisation: 'trade_union' | 'youth_union' | 'womens_union' = 'trade_union', categories?: string[]) {
  await addMember(app, { id, name: id, roles: ['cadre'] });
  await assign(app, { memberId: id, unit, organisation, categories });
}

describe("routing into the company's own units", () => {
  it("gives a concern to the company's own union before the zone, nearest depth first, never another company's union", async () => {
    await cadre('tu-ent', 'congdoan-phuc-thinh');
    // Deeper in the company (and first by id): only if nobody nearer qualifies.
    await cadre('a-tu-branch', 'chidoan-phuc-thinh-may');
    await cadre('tu-vsip', 'vsip1');
    await cadre('tu-hoa-sen', 'congdoan-hoa-sen');
    const { concern, notices } = await concerns.submit(intake());
    expect(concern).toMatchObject({ assigneeId: 'tu-ent', levelUnitId: 'congdoan-phuc-thinh', level: 0, flagged: false });
    expect(notices.map((x) => x.memberId)).toEqual(['tu-ent']);

    await concerns.endAssignment('tu-ent:congdoan-phuc-thinh:trade_union', app.clock.now());
    expect((await concerns.submit(intake())).concern).toMatchObject({ assigneeId: 'a-tu-branch', levelUnitId: 'chidoan-phuc-thinh-may' });
    await concerns.endAssignment('a-tu-branch:chidoan-phuc-thinh-may:trade_union', app.clock.now());
    expect((await concerns.submit(intake())).concern).toMatchObject({ assigneeId: 'tu-vsip', levelUnitId: 'vsip1' });
  });

  it("escalates from the company's union upwards, not sideways to another of the company's units", async () => {
    await cadre('tu-ent', 'congdoan-phuc-thinh');
    await cadre('tu-branch', 'chidoan-phuc-thinh-may');
    await cadre('tu-vsip', 'vsip1');
    const { concern } = await concerns.submit(intake());
    expect(concern.assigneeId).toBe('tu-ent');
    const notices = await concerns.act('tu-ent', concern._id, { kind: 'escalate' }, app.clock.now(), 'esc');
    expect(await concerns.get(concern._id)).toMatchObject({ assigneeId: 'tu-vsip', levelUnitId: 'vsip1', level: 1, status: 'escalated' });
    const toCadre = notices.find((x) => x.memberId === 'tu-vsip')!;
    expect(toCadre.message.text).toContain('chuyển lên từ cấp dưới');
  });

  it('never reaches a unit beside the enterprises, and says which units can be reached', async () => {
    await app.models.OrgUnit.create({ _id: 'congdoan-kcn-vsip1', name: 'Công đoàn KCN VSIP I', kind: 'trade_union', organisation: 'trade_union', parentId: 'vsip1', ancestors: ['hcm', 'vsip1'], aliases: [] });
    const router = concerns.router;
    const at = app.clock.now();
    for (const unit of ['ent-phuc-thinh', 'congdoan-phuc-thinh', 'chidoan-phuc-thinh-may', 'vsip1', 'hcm']) expect(await router.reaches(unit, at), unit).toBe(true);
    expect(await router.reaches('congdoan-kcn-vsip1', at)).toBe(false);
    expect(await router.reaches('no-such-unit', at)).toBe(false);
  });
});

describe('assignment notices say why', () => {
  it('a concern that waited for a cadre is not described as left by a previous cadre', async () => {
    await addMember(app, { id: 'sec1', roles: ['secretariat'], orgUnitId: 'hcm' });
    const { concern } = await concerns.submit(intake());
    expect(concern.flagged).toBe(true);
    await cadre('tu-vsip', 'vsip1');
    const { notices } = await concerns.routeFlagged(app.clock.now());
    expect(notices.map((x) => x.memberId)).toEqual(['tu-vsip']);
    expect(notices[0]!.message.text).toContain('đang chờ cán bộ phụ trách');
    expect(notices[0]!.message.text).not.toContain('thôi nhiệm vụ');
  });

  it('a transfer says a colleague passed it on; a cadre whose role ended is the reason when they leave', async () => {
    await cadre('tu-a', 'vsip1');
    await cadre('tu-b', 'vsip1');
    await cadre('tu-c', 'vsip1');
    const { concern } = await concerns.submit(intake());
    expect(concern.assigneeId).toBe('tu-a');
    const [transferred] = await concerns.act('tu-a', concern._id, { kind: 'transfer', to: 'tu-b' }, app.clock.now(), 't1');
    expect(transferred!.message.text).toContain('cán bộ khác chuyển cho anh/chị');
    const { notices } = await concerns.revokeCadreRole('tu-b', app.clock.now());
    expect(notices.map((x) => x.memberId)).toEqual(['tu-a']);
    expect(notices[0]!.message.text).toContain('thôi nhiệm vụ');
  });
});

describe('reopening', () => {
  it('goes back to the cadre who resolved it when the secretariat had given it to them by hand', async () => {
    await addMember(app, { id: 'sec1', roles: ['secretariat'], orgUnitId: 'hcm' });
    // Nobody covers wages here, so the secretariat gives it to a youth-union cadre by hand.
    await cadre('yu-vsip', 'vsip1', 'youth_union');
    const { concern } = await concerns.submit(intake());
    expect(concern).toMatchObject({ flagged: true, levelUnitId: 'hcm' });
    const placed = await concerns.placeFlagged('sec1', concern._id, 'yu-vsip', app.clock.now());
    expect(placed[0]!.message.text).toContain('Tổ thư ký giao');
    await concerns.act('yu-vsip', concern._id, { kind: 'resolve', summary: 'Đã làm việc với công ty' }, app.clock.now(), 'res');
    const { notices, assigneeId } = await concerns.reopen('worker1', concern._id, 'Vẫn còn nợ một tháng', app.clock.now());
    expect(assigneeId).toBe('yu-vsip');
    expect(notices.map((x) => x.memberId)).toEqual(['yu-vsip']);
    expect(notices[0]!.message.text).toContain('người phản ánh mở lại');
    expect(await concerns.get(concern._id)).toMatchObject({ status: 'reopened', assigneeId: 'yu-vsip', flagged: false });
  });

  it('goes to another eligible cadre when the resolver may no longer handle it, and to nobody when none is left', async () => {
    await cadre('tu-a', 'vsip1');
    await cadre('tu-b', 'vsip1');
    const { concern } = await concerns.submit(intake());
    await concerns.act('tu-a', concern._id, { kind: 'resolve', summary: 'xong' }, app.clock.now(), 'r1');
    await concerns.revokeCadreRole('tu-a', app.clock.now());
    const again = await concerns.reopen('worker1', concern._id, 'chưa xong', app.clock.now());
    expect(again.assigneeId).toBe('tu-b');
    await concerns.act('tu-b', concern._id, { kind: 'resolve', summary: 'xong rồi' }, app.clock.now(), 'r2');
    await concerns.revokeCadreRole('tu-b', app.clock.now());
    const last = await concerns.reopen('worker1', concern._id, 'vẫn chưa', app.clock.now());
    expect(last.assigneeId).toBeUndefined();
    expect(await concerns.get(concern._id)).toMatchObject({ flagged: true });
  });
});

describe('revoking the cadre role', () => {
  it('ends the assignments, re-routes open concerns at once, and stops new ones, act and open', async () => {
    await cadre('tu-a', 'vsip1');
    await cadre('tu-b', 'hcm');
    const { concern } = await concerns.submit(intake());
    expect(concern.assigneeId).toBe('tu-a');
    const result = await concerns.revokeCadreRole('tu-a', app.clock.now());
    expect(result).toMatchObject({ ended: 1, rerouted: 1 });
    expect(result.notices.map((x) => x.memberId)).toEqual(['tu-b']);
    expect(result.notices[0]!.message.text).toContain('thôi nhiệm vụ');
    expect((await app.models.Member.findById('tu-a').lean())!.roles).not.toContain('cadre');
    expect(await concerns.cm.CadreAssignment.findById('tu-a:vsip1:trade_union').lean()).toMatchObject({ active: false });
    expect(await concerns.get(concern._id)).toMatchObject({ assigneeId: 'tu-b' });
    expect((await concerns.submit(intake())).concern.assigneeId).toBe('tu-b');
  });

  it('routing, act and openAsCadre require the role even while an assignment is still active', async () => {
    await cadre('tu-a', 'vsip1');
    await cadre('tu-b', 'hcm');
    const { concern } = await concerns.submit(intake());
    expect(concern.assigneeId).toBe('tu-a');
    // The role taken away by hand, the assignment left behind.
    await app.models.Member.updateOne({ _id: 'tu-a' }, { $set: { roles: ['worker'] } });
    expect((await concerns.submit(intake())).concern.assigneeId).toBe('tu-b');
    await expect(concerns.act('tu-a', concern._id, { kind: 'reply', text: 'xin chào' }, app.clock.now(), 'x1')).rejects.toBeInstanceOf(NotCadreError);
    await expect(concerns.openAsCadre('tu-a', concern._id, app.clock.now(), 'x2')).rejects.toBeInstanceOf(NotAssigneeError);
    const refusals = await app.models.Audit.find({ action: 'concern.refused', actor: 'tu-a' }).lean();
    expect(refusals.map((r) => [r.details?.attempted, r.details?.reason]).sort()).toEqual([
      ['open', 'not_cadre'],
      ['reply', 'not_cadre'],
    ]);
    expect((await concerns.get(concern._id))!.events.some((e) => e.kind === 'replied')).toBe(false);
  });
});
