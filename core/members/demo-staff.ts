/**
 * Demo staff for trying every role locally (`npm start` with no platform tokens, on an empty
 * database, next to the sample org tree): in the console simulator `/as <id>` becomes one of
 * them. Never seeded when a platform token is set, or with SEED_DEMO=false (app/main.ts).
 * Each is a consenting member with a console chat, their roles held where the sample tree
 * says; the cadres have assignments, so concerns at the sample enterprises reach them.
 */
import type { ConcernService } from '../concerns/concern-service.js';
import type { Organisation } from '../concerns/models.js';
import type { Models, Role, RoleGrant } from '../db.js';

export interface DemoPerson {
  /** The console persona (`/as <id>`) and the member id. */
  id: string;
  name: string;
  /** What they are, for the `/as` list (English; the simulator's own lines are English). */
  what: string;
  roles: Role[];
  grants: RoleGrant[];
  orgUnitId: string;
  /** Cadre assignments: organisation at a unit, for some categories (all when empty). */
  assignments: { unitId: string; organisation: Organisation; categories: string[] }[];
}

export const DEMO_STAFF: readonly DemoPerson[] = [
  { id: 'thuky-tp', name: 'Nguyễn Thu Trang', what: 'city secretariat (Thành Đoàn TP.HCM): the whole tree', roles: ['worker', 'secretariat'], grants: [{ role: 'secretariat', unitId: 'hcm' }], orgUnitId: 'hcm', assignments: [] },
  { id: 'thuky-phuong', name: 'Lê Minh Tâm', what: 'ward secretariat (Đoàn phường Bình Hòa): VSIP I and its enterprises', roles: ['worker', 'secretariat'], grants: [{ role: 'secretariat', unitId: 'phuong-binh-hoa' }], orgUnitId: 'phuong-binh-hoa', assignments: [] },
  { id: 'cadre-hung', name: 'Trần Văn Hùng', what: 'Youth Union cadre at KCN VSIP I: boarding rooms and security, skills, culture', roles: ['worker', 'cadre'], grants: [], orgUnitId: 'kcn-vsip1', assignments: [{ unitId: 'kcn-vsip1', organisation: 'youth_union', categories: [] }] },
  { id: 'cadre-mai', name: 'Phạm Thị Mai', what: "Women's Union cadre at the VSIP I enterprises: harassment, childcare, boarding rooms", roles: ['worker', 'cadre'], grants: [], orgUnitId: 'kcn-vsip1', assignments: [{ unitId: 'kcn-vsip1', organisation: 'womens_union', categories: [] }] },
  { id: 'cadre-cuong', name: 'Đỗ Quốc Cường', what: 'trade-union cadre at KCN VSIP I: wages, overtime, insurance, contracts, safety', roles: ['worker', 'cadre'], grants: [], orgUnitId: 'kcn-vsip1', assignments: [{ unitId: 'kcn-vsip1', organisation: 'trade_union', categories: [] }] },
  { id: 'bithu-an', name: 'Võ Thành An', what: 'branch secretary (Chi đoàn Phân xưởng May, Phúc Thịnh): branch meetings', roles: ['worker', 'cadre'], grants: [{ role: 'cadre', unitId: 'chidoan-phuc-thinh-may' }], orgUnitId: 'chidoan-phuc-thinh-may', assignments: [] },
];

/** Seeds the demo staff whose units exist; returns how many were created (none twice). */
export async function seedDemoStaff(models: Models, concerns: ConcernService, at: Date): Promise<number> {
  let created = 0;
  for (const p of DEMO_STAFF) {
    const units = [p.orgUnitId, ...p.grants.map((g) => g.unitId), ...p.assignments.map((a) => a.unitId)];
    if ((await models.OrgUnit.countDocuments({ _id: { $in: units } })) < new Set(units).size) continue;
    if (await models.Member.exists({ _id: p.id })) continue;
    await models.Member.create({ _id: p.id, roles: p.roles, ...(p.grants.length ? { grants: p.grants } : {}), orgUnitId: p.orgUnitId, locale: 'vi', consent: { version: 'demo', givenAt: at, channel: 'console' }, status: 'active', broadcastsOptOut: false, displayName: p.name, createdAt: at });
    await models.ChannelIdentity.updateOne({ _id: `console:${p.id}` }, { $set: { memberId: p.id }, $setOnInsert: { channel: 'console', platformUserId: p.id, chatId: p.id, createdAt: at } }, { upsert: true });
    for (const a of p.assignments) {
      await concerns.upsertAssignment({ _id: `${p.id}:${a.unitId}:${a.organisation}`, memberId: p.id, orgUnitId: a.unitId, organisation: a.organisation, categories: a.categories, conflictUnitIds: [], active: true }, at);
    }
    created++;
  }
  return created;
}
