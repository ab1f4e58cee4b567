import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMember, assign, fastPolicy } from '../../test/support/concern-fixtures.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import type { ConcernService, Intake } from './concern-service.js';
import { ConcernClosedError, ConcernStateError, NotAssigneeError, TooManyOpenConcernsError } from './errors.js';

let app: TestApp;
let concerns: ConcernService;
let n = 0;

beforeEach(async () => {
  app = await startTestApp();
  await insertSampleUnits(app.models);
  concerns = app.services.concerns;
  concerns.policy = fastPolicy();
});
afterEach(async () => app?.close());

function intake(memberId: string, over: Partial<Intake> = {}): Intake {
  return { memberId, category: 'wages', orgUnitId: 'ent-phuc-thinh', description: 'Công ty nợ lương hai tháng rồi', photos: 0, anonymous: true, intakeKey: `k${++n}`, at: app.clock.now(), ...over };
}

async function cadres() {
  for (const [id, name] of [['tu-vsip', 'Trần Công Đoàn'], ['tu-top', 'Lê Thành Phố'], ['yu-ent', 'Phạm Đoàn Viên'], ['tu-conflicted', 'Ngô Nhân Viên']] as const) {
    await addMember(app, { id, name, roles: ['cadre'] });
  }
  await assign(app, { memberId: 'tu-vsip', unit: 'vsip1', organisation: 'trade_union' });
  await assign(app, { memberId: 'tu-top', unit: 'hcm', organisation: 'trade_union' });
  await assign(app, { memberId: 'yu-ent', unit: 'ent-phuc-thinh', organisation: 'youth_union' });
  // Employed by Phúc Thịnh: must not handle its wage disputes.
  await assign(app, { memberId: 'tu-conflicted', unit: 'ent-phuc-thinh', organisation: 'trade_union', conflicts: ['ent-phuc-thinh'] });
  await addMember(app, { id: 'worker1', name: 'Nguyễn Thị Lan', orgUnitId: 'ent-phuc-thinh' });
}

describe('routing', () => {
  it('walks up to the nearest unit with an eligible cadre of the responsible organisation, leaving out conflicted cadres', async () => {
    await cadres();
    const { concern, notices } = await concerns.submit(intake('worker1'));
    expect(concern._id).toMatch(/^PA-[2-9A-HJ-NP-Z]{4}$/);
    expect(concern).toMatchObject({ assigneeId: 'tu-vsip', levelUnitId: 'vsip1', level: 0, flagged: false, status: 'received' });
    expect(notices.map((x) => x.memberId)).toEqual(['tu-vsip']);
    expect(notices[0]!.message.text).toContain('Tiền lương');
    expect(notices[0]!.message.text).toContain('Công ty TNHH Giày da Phúc Thịnh');
    expect(notices[0]!.message.text).toContain('Công ty nợ lương hai tháng rồi');
  });

  it('applies the conflict-of-interest exclusion only to the categories configured for it', async () => {
    await cadres();
    // Childcare: Women's Union or Trade Union, no exclusion → the enterprise's own cadre is nearest.
    const { concern } = await concerns.submit(intake('worker1', { category: 'childcare' }));
    expect(concern.assigneeId).toBe('tu-conflicted');
  });

  it('gives the concern to the eligible cadre with the fewest open concerns', async () => {
    await cadres();
    await addMember(app, { id: 'tu-vsip-b', name: 'Võ Hai', roles: ['cadre'] });
    await assign(app, { memberId: 'tu-vsip-b', unit: 'vsip1', organisation: 'trade_union' });
    await addMember(app, { id: 'worker2', orgUnitId: 'ent-hoa-sen' });
    const a = await concerns.submit(intake('worker1'));
    const b = await concerns.submit(intake('worker2', { orgUnitId: 'ent-hoa-sen' }));
    const c = await concerns.submit(intake('worker2', { orgUnitId: 'ent-hoa-sen' }));
    expect(a.concern.assigneeId).toBe('tu-vsip');
    expect(b.concern.assigneeId).toBe('tu-vsip-b');
    expect(c.concern.assigneeId).toBe('tu-vsip');
  });

  it('with no eligible cadre anywhere, the concern goes to the top unit secretariat, flagged', async () => {
    await addMember(app, { id: 'worker1', orgUnitId: 'ent-det-song-than' });
    await addMember(app, { id: 'sec1', name: 'Tổ thư ký', roles: ['secretariat'], orgUnitId: 'hcm' });
    const { concern, notices } = await concerns.submit(intake('worker1', { orgUnitId: 'ent-det-song-than', category: 'skills' }));
    expect(concern).toMatchObject({ flagged: true, levelUnitId: 'hcm' });
    expect(concern.assigneeId).toBeUndefined();
    expect(notices.map((x) => x.memberId)).toEqual(['sec1']);
    expect(notices[0]!.message.text).toContain('🚩');
    expect(notices[0]!.message.text).toContain(concern._id);
    // Once the secretariat assigns a cadre, the flagged concern is routed to them.
    await addMember(app, { id: 'yu-top', roles: ['cadre'] });
    await assign(app, { memberId: 'yu-top', unit: 'hcm', organisation: 'youth_union' });
    const again = await concerns.routeFlagged(app.clock.now());
    expect(again.rerouted).toBe(1);
    expect(await concerns.get(concern._id)).toMatchObject({ flagged: false, assigneeId: 'yu-top', levelUnitId: 'hcm' });
  });

  it('a secretariat member whose role was revoked, or who was erased, is not told of a flagged concern, though the list of them is kept a minute', async () => {
    await addMember(app, { id: 'worker1', orgUnitId: 'ent-det-song-than' });
    for (const id of ['sec-a', 'sec-b', 'sec-c']) await addMember(app, { id, roles: ['secretariat'], orgUnitId: 'hcm' });
    const flagged = async () => (await concerns.submit(intake('worker1', { orgUnitId: 'ent-det-song-than', category: 'skills' }))).notices.map((x) => x.memberId).sort();
    expect(await flagged()).toEqual(['sec-a', 'sec-b', 'sec-c']);
    await app.models.Member.updateOne({ _id: 'sec-b' }, { $set: { roles: ['worker'] } });
    await app.models.Member.updateOne({ _id: 'sec-c' }, { $set: { status: 'erased' } });
    expect(await flagged()).toEqual(['sec-a']);
  });

  it('ignores ended assignments and erased members', async () => {
    await cadres();
    await concerns.endAssignment('tu-vsip:vsip1:trade_union', app.clock.now());
    expect((await concerns.submit(intake('worker1'))).concern.assigneeId).toBe('tu-top');
    await app.models.Member.updateOne({ _id: 'tu-top' }, { $set: { status: 'erased' } });
    expect((await concerns.submit(intake('worker1'))).concern).toMatchObject({ flagged: true, levelUnitId: 'hcm' });
  });
});

describe('cadre actions', () => {
  it('refuses and audits a cadre acting on a concern not assigned to them', async () => {
    await cadres();
    const { concern } = await concerns.submit(intake('worker1'));
    await expect(concerns.act('tu-top', concern._id, { kind: 'reply', text: 'xin chào' }, app.clock.now(), 'ev1')).rejects.toBeInstanceOf(NotAssigneeError);
    await expect(concerns.openAsCadre('yu-ent', concern._id, app.clock.now(), 'ev2')).rejects.toBeInstanceOf(NotAssigneeError);
    const refusals = await app.models.Audit.find({ action: 'concern.refused' }).lean();
    expect(refusals.map((r) => [r.actor, r.target, r.details?.attempted]).sort()).toEqual([
      ['tu-top', concern._id, 'reply'],
      ['yu-ent', concern._id, 'open'],
    ]);
    expect((await concerns.get(concern._id))!.events.some((e) => e.kind === 'replied')).toBe(false);
  });

  it('relays replies to the worker (audited reads of the sealed reporter) and refuses a reply once resolved', async () => {
    await cadres();
    const { concern } = await concerns.submit(intake('worker1'));
    const accepted = await concerns.act('tu-vsip', concern._id, { kind: 'accept' }, app.clock.now(), 'a1');
    expect(accepted.map((x) => x.memberId)).toEqual(['worker1']);
    const replied = await concerns.act('tu-vsip', concern._id, { kind: 'reply', text: 'Mình đã liên hệ công ty' }, app.clock.now(), 'a2');
    expect(replied[0]!.message.text).toContain('Mình đã liên hệ công ty');
    const note = await concerns.act('tu-vsip', concern._id, { kind: 'note', text: 'gọi phòng nhân sự' }, app.clock.now(), 'a3');
    expect(note).toEqual([]);
    await concerns.act('tu-vsip', concern._id, { kind: 'resolve', summary: 'Công ty đã trả lương' }, app.clock.now(), 'a4');
    await expect(concerns.act('tu-vsip', concern._id, { kind: 'reply', text: 'còn gì nữa không' }, app.clock.now(), 'a5')).rejects.toBeInstanceOf(ConcernClosedError);
    const reads = await app.models.Audit.find({ action: 'concern.reporter.read', target: concern._id }).lean();
    expect(reads.length).toBe(3);
    const c = (await concerns.get(concern._id))!;
    expect(c.status).toBe('resolved');
    expect(c.slaOutcomes).toEqual([
      { kind: 'first_response', level: 0, met: true },
      { kind: 'resolution', level: 0, met: true },
    ]);
  });

  it('lets the worker rate once and reopen within 7 days, not after', async () => {
    await cadres();
    const { concern } = await concerns.submit(intake('worker1'));
    await expect(concerns.rate('worker1', concern._id, 5, app.clock.now())).rejects.toBeInstanceOf(ConcernStateError);
    await concerns.act('tu-vsip', concern._id, { kind: 'resolve', summary: 'xong' }, app.clock.now(), 'r1');
    await concerns.rate('worker1', concern._id, 4, app.clock.now());
    await expect(concerns.rate('worker1', concern._id, 5, app.clock.now())).rejects.toThrow('already_rated');
    app.clock.advance(6 * 86_400_000);
    const { notices, assigneeId } = await concerns.reopen('worker1', concern._id, 'vẫn chưa trả đủ', app.clock.now());
    expect(notices.map((x) => x.memberId)).toEqual(['tu-vsip']);
    expect(assigneeId).toBe('tu-vsip');
    expect((await concerns.get(concern._id))!.status).toBe('reopened');
    await concerns.act('tu-vsip', concern._id, { kind: 'resolve', summary: 'đã trả đủ' }, app.clock.now(), 'r2');
    app.clock.advance(8 * 86_400_000);
    await expect(concerns.reopen('worker1', concern._id, 'lại nữa', app.clock.now())).rejects.toThrow('reopen_expired');
  });

  it('sets a clear limit on open concerns per worker', async () => {
    await cadres();
    for (let i = 0; i < concerns.policy.maxOpenPerWorker; i++) await concerns.submit(intake('worker1'));
    await expect(concerns.submit(intake('worker1'))).rejects.toBeInstanceOf(TooManyOpenConcernsError);
    expect(await concerns.openCount('worker1')).toBe(3);
  });

  it('takes photo answers up to twice the intake limit in all, then says the concern has enough', async () => {
    await cadres();
    const max = concerns.policy.maxPhotos;
    const photoRefs = Array.from({ length: max }, (_, i) => ({ channel: 'zalo' as const, ref: `https://photo-stal.zadn.vn/intake-${i}.jpg` }));
    const { concern } = await concerns.submit(intake('worker1', { photos: max, photoRefs }));
    const answer = (i: number) => concerns.answer('worker1', concern._id, '', app.clock.now(), { channel: 'telegram', ref: `AgAC-answer-${i}` });
    for (let i = 0; i < max; i++) {
      const [notice] = await answer(i);
      // Each answer carries only its own photo, numbered among all of them.
      expect(notice!.photos?.refs).toEqual([{ channel: 'telegram', ref: `AgAC-answer-${i}` }]);
      expect(notice!.photos?.captions).toEqual([`Ảnh ${max + i + 1}/${max + i + 1} · phản ánh ${concern._id}`]);
    }
    await expect(answer(max)).rejects.toMatchObject({ reason: 'photo_limit' });
    expect((await concerns.get(concern._id))!).toMatchObject({ photos: 2 * max });
    expect((await concerns.get(concern._id))!.photoRefs).toHaveLength(2 * max);
  });

  it('re-routes the open concerns of a cadre who leaves', async () => {
    await cadres();
    await addMember(app, { id: 'tu-vsip-b', name: 'Võ Hai', roles: ['cadre'] });
    const { concern } = await concerns.submit(intake('worker1'));
    expect(concern.assigneeId).toBe('tu-vsip');
    await assign(app, { memberId: 'tu-vsip-b', unit: 'vsip1', organisation: 'trade_union' });
    const { rerouted, notices } = await concerns.endAssignment('tu-vsip:vsip1:trade_union', app.clock.now());
    expect(rerouted).toBe(1);
    expect(notices.map((x) => x.memberId)).toEqual(['tu-vsip-b']);
    expect((await concerns.get(concern._id))!.assigneeId).toBe('tu-vsip-b');
    await expect(concerns.act('tu-vsip', concern._id, { kind: 'accept' }, app.clock.now(), 'x')).rejects.toBeInstanceOf(NotAssigneeError);
  });

  it('shows a reporter name only when named or consented, and audits each view', async () => {
    await cadres();
    const anon = await concerns.submit(intake('worker1'));
    expect((await concerns.openAsCadre('tu-vsip', anon.concern._id, app.clock.now(), 'v1')).reporterName).toBeUndefined();
    expect(await app.models.Audit.countDocuments({ action: 'concern.reporter.viewed' })).toBe(0);
    await concerns.consentToReveal('worker1', anon.concern._id, app.clock.now());
    expect((await concerns.openAsCadre('tu-vsip', anon.concern._id, app.clock.now(), 'v2')).reporterName).toBe('Nguyễn Thị Lan');
    const named = await concerns.submit(intake('worker1', { anonymous: false }));
    expect((await concerns.openAsCadre('tu-vsip', named.concern._id, app.clock.now(), 'v3')).reporterName).toBe('Nguyễn Thị Lan');
    const views = await app.models.Audit.find({ action: 'concern.reporter.viewed' }).lean();
    expect(views.map((v) => [v.actor, v.target, v.details?.basis]).sort()).toEqual(
      [
        ['tu-vsip', anon.concern._id, 'consent'],
        ['tu-vsip', named.concern._id, 'named'],
      ].sort(),
    );
  });

  it('a retried intake (same key) creates one concern', async () => {
    await cadres();
    const a = await concerns.submit(intake('worker1', { intakeKey: 'same' }));
    const b = await concerns.submit(intake('worker1', { intakeKey: 'same' }));
    expect(b.concern._id).toBe(a.concern._id);
    expect(await app.services.concerns.openCount('worker1')).toBe(1);
  });
});

describe('SLA timers', () => {
  async function waitUntil(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
    const until = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > until) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('reminds before the deadline, escalates to the parent unit on a breach, and flags at the top', async () => {
    await cadres();
    concerns.policy = fastPolicy(1, 600);
    const { concern } = await concerns.submit(intake('worker1'));
    const id = concern._id;
    await waitUntil(async () => (await concerns.get(id))!.level === 1);
    let c = (await concerns.get(id))!;
    expect(c).toMatchObject({ status: 'escalated', levelUnitId: 'hcm', assigneeId: 'tu-top' });
    expect(c.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['reminded', 'escalated']));
    expect(c.events.findIndex((e) => e.kind === 'reminded')).toBeLessThan(c.events.findIndex((e) => e.kind === 'escalated'));
    // hcm is the top: the next breach flags it for the secretariat instead of moving it.
    await waitUntil(async () => (await concerns.get(id))!.flagged);
    c = (await concerns.get(id))!;
    expect(c).toMatchObject({ level: 1, levelUnitId: 'hcm', assigneeId: 'tu-top' });
    expect(c.slaOutcomes.filter((o) => !o.met).length).toBe(2);
    const told = await app.models.Audit.find({ action: 'concern.reporter.read', target: id }).lean();
    expect(told.map((x) => x.details?.purpose)).toContain('escalated');
  });

  it('a first response in time cancels the first-response timers', async () => {
    await cadres();
    concerns.policy = fastPolicy(1.2, 600);
    const { concern } = await concerns.submit(intake('worker1'));
    await concerns.act('tu-vsip', concern._id, { kind: 'accept' }, app.clock.now(), 'acc');
    const q = app.jobs.queue('concern-sla');
    const pending = await q.getJobs(['delayed', 'waiting']);
    expect(pending.map((j) => (j.data as { kind: string }).kind).sort()).toEqual(['resolution', 'resolution']);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await concerns.get(concern._id)).toMatchObject({ level: 0, assigneeId: 'tu-vsip', status: 'accepted' });
  });
});
