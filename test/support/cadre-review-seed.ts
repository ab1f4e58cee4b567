/**
 * A small, fully determined history for the cadre-force review tests, written through the real
 * ConcernService on the test clock (fastPolicy: first response 1 h, resolution 2 h, always open):
 *
 * - Anh Tú (trade union, KCN VSIP I, all categories, in conflict with Phúc Thịnh) accepts PA a
 *   after 30 min (in time), resolves it (rated 5), and replies to b after 61 min (late): SLA 1/2,
 *   median 45.5 min, 1 open.
 * - Chị Hoa (Women's Union, KCN Sóng Thần 2) lets c's first-response deadline pass: SLA 0/1; it
 *   goes up to the city, where nobody is eligible, is flagged, its next deadline passes while it
 *   waits, and the secretariat gives it to Anh Dũng (Youth Union, city, skills only), who replies
 *   after 10 min: SLA 1/1, median 10 min, 1 open.
 * - Anh Sơn (Youth Federation, KCN VSIP I) never acts; assigned 31 days before: idle, like Hoa.
 * - d (wages at Dệt Sóng Thần) finds nobody and waits for the secretariat.
 *
 * Gaps (workplace × category routing finds nobody for): Phúc Thịnh × the six categories with the
 * conflict exclusion that only Tú's organisation handles; Dệt Sóng Thần × the five labour
 * categories and culture.
 */
import { addMember, assign, fastPolicy } from './concern-fixtures.js';
import { insertSampleUnits } from './sample-units.js';
import type { TestApp } from './test-app.js';

export const SEED_WORKERS = [
  { id: 'w-lan', name: 'Nguyễn Thị Lan', chatId: '0912345678' },
  { id: 'w-mai', name: 'Trần Thị Mai', chatId: '0987654321' },
  { id: 'w-cuc', name: 'Lê Văn Cúc', chatId: '0901111222' },
  { id: 'w-dao', name: 'Phạm Thị Đào', chatId: '0903333444' },
];

/** Seeds the org tree, staff, assignments and concerns; returns the concern codes and when the history ends. */
export async function seedCadreReview(app: TestApp): Promise<{ codes: Record<'a' | 'b' | 'c' | 'd', string>; end: Date }> {
  const s = app.services.concerns;
  s.policy = fastPolicy(3600, 7200);
  await insertSampleUnits(app.models);
  await addMember(app, { id: 'm-thu', name: 'Chị Thư Tổ thư ký', roles: ['worker', 'secretariat'], orgUnitId: 'hcm', chatId: 'c-thu' });
  for (const [id, name] of [['cad-tu', 'Anh Tú Công đoàn'], ['cad-hoa', 'Chị Hoa Hội Phụ nữ'], ['cad-dung', 'Anh Dũng Thành Đoàn'], ['cad-son', 'Anh Sơn Hội LHTN']] as const) {
    await addMember(app, { id, name, roles: ['worker', 'cadre'], chatId: `c-${id}` });
  }
  await assign(app, { memberId: 'cad-tu', unit: 'vsip1', organisation: 'trade_union', conflicts: ['ent-phuc-thinh'] });
  await assign(app, { memberId: 'cad-hoa', unit: 'kcn-song-than-2', organisation: 'womens_union' });
  await assign(app, { memberId: 'cad-dung', unit: 'hcm', organisation: 'youth_union', categories: ['skills'] });
  await assign(app, { memberId: 'cad-son', unit: 'vsip1', organisation: 'youth_federation' });
  for (const w of SEED_WORKERS) await addMember(app, { ...w, orgUnitId: 'ent-hoa-sen' });
  app.clock.advance(31 * 86_400_000);

  const t0 = app.clock.now().getTime();
  const when = (min: number) => new Date(t0 + min * 60_000);
  const submit = async (memberId: string, category: string, orgUnitId: string) =>
    (await s.submit({ memberId, category, orgUnitId, description: 'Mô tả sự việc đủ dài', photos: 0, anonymous: true, intakeKey: `review-${memberId}`, at: when(0) })).concern;
  const a = await submit('w-lan', 'wages', 'ent-hoa-sen');
  const b = await submit('w-mai', 'overtime', 'ent-hoa-sen');
  const c = await submit('w-cuc', 'housing_security', 'ent-det-song-than');
  const d = await submit('w-dao', 'wages', 'ent-det-song-than');
  if (a.assigneeId !== 'cad-tu' || b.assigneeId !== 'cad-tu' || c.assigneeId !== 'cad-hoa' || !d.flagged) throw new Error('the seed routed differently than it expects');

  await s.act('cad-tu', a._id, { kind: 'accept' }, when(30), 'r1');
  await s.act('cad-tu', a._id, { kind: 'resolve', summary: 'Công ty đã trả đủ lương' }, when(60), 'r2');
  await s.rate('w-lan', a._id, 5, when(65));
  // c's first-response deadline passes with Hoa: up to the city, where nobody qualifies.
  const c0 = (await s.get(c._id))!;
  await s.onTimer({ code: c._id, kind: 'first_response', stage: 'breach', level: 0, seq: c0.slaSeq, due: c0.firstResponseDue!.toISOString() }, when(60));
  await s.act('cad-tu', b._id, { kind: 'reply', text: 'Anh đang làm việc với công ty' }, when(61), 'r3');
  // The next deadline passes while c waits with nobody: an outcome without an event.
  const c1 = (await s.get(c._id))!;
  if (!c1.flagged || c1.assigneeId) throw new Error('c should wait for the secretariat');
  await s.onTimer({ code: c._id, kind: 'first_response', stage: 'breach', level: c1.level, seq: c1.slaSeq, due: c1.firstResponseDue!.toISOString() }, when(125));
  await s.placeFlagged('m-thu', c._id, 'cad-dung', when(180));
  await s.act('cad-dung', c._id, { kind: 'reply', text: 'Đoàn sẽ liên hệ chủ nhà trọ' }, when(190), 'r4');
  app.clock.advance(200 * 60_000);
  return { codes: { a: a._id, b: b._id, c: c._id, d: d._id }, end: app.clock.now() };
}
