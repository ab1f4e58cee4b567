import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/test-db.js';
import { OrgDirectory } from './org-directory.js';

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
  await db.models.OrgUnit.insertMany([
    { _id: 'hcm', name: 'Thành Đoàn TP.HCM', kind: 'city_youth_union', organisation: 'youth_union', ancestors: [], aliases: [] },
    { _id: 'vsip1', name: 'KCN VSIP I', kind: 'industrial_zone', parentId: 'hcm', ancestors: ['hcm'], aliases: ['vsip 1', 'Việt Nam – Singapore'] },
    { _id: 'kcn-song-than', name: 'KCN Sóng Thần 2', kind: 'industrial_zone', parentId: 'hcm', ancestors: ['hcm'], aliases: [] },
    { _id: 'ent-a', name: 'Công ty TNHH Giày Da Á Châu', kind: 'enterprise', parentId: 'vsip1', ancestors: ['hcm', 'vsip1'], aliases: ['a chau'] },
    { _id: 'ent-b', name: 'Công ty CP Dệt May Sóng Thần', kind: 'enterprise', parentId: 'kcn-song-than', ancestors: ['hcm', 'kcn-song-than'], aliases: [] },
    { _id: 'ent-old', name: 'Công ty Cũ Đã Giải Thể', kind: 'enterprise', parentId: 'vsip1', ancestors: ['hcm', 'vsip1'], aliases: [], validTo: new Date('2020-01-01') },
  ]);
});
afterAll(async () => db.close());

describe('OrgDirectory.searchWorkplaces', () => {
  const now = new Date('2026-11-25T03:00:00Z');
  it('finds enterprises by their industrial zone typed without diacritics', async () => {
    const hits = await new OrgDirectory(db.models).searchWorkplaces('vsip', now);
    expect(hits.map((h) => h.unit._id)).toEqual(['ent-a']);
    expect(hits[0]!.place).toBe('KCN VSIP I');
  });
  it('matches "song than" against "Sóng Thần", own name first', async () => {
    const hits = await new OrgDirectory(db.models).searchWorkplaces('song than', now);
    expect(hits.map((h) => h.unit._id)).toEqual(['ent-b']);
  });
  it('ignores units that are no longer in effect', async () => {
    const hits = await new OrgDirectory(db.models).searchWorkplaces('giai the', now);
    expect(hits).toEqual([]);
  });
  it('treats operator-like text as plain text', async () => {
    expect(await new OrgDirectory(db.models).searchWorkplaces('{"$gt": ""}', now)).toEqual([]);
  });
});
