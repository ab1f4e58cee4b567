/** A small org tree for tests that need workplaces to pick from. */
import type { Models } from '../../core/db.js';

export async function insertSampleUnits(models: Models): Promise<void> {
  await models.OrgUnit.insertMany([
    { _id: 'hcm', name: 'Thành Đoàn TP. Hồ Chí Minh', kind: 'city_youth_union', organisation: 'youth_union', ancestors: [], aliases: [] },
    { _id: 'vsip1', name: 'KCN VSIP I', kind: 'industrial_zone', parentId: 'hcm', ancestors: ['hcm'], aliases: ['vsip', 'vsip 1'] },
    { _id: 'kcn-song-than-2', name: 'KCN Sóng Thần 2', kind: 'industrial_zone', parentId: 'hcm', ancestors: ['hcm'], aliases: ['song than'] },
    { _id: 'ent-phuc-thinh', name: 'Công ty TNHH Giày da Phúc Thịnh', kind: 'enterprise', parentId: 'vsip1', ancestors: ['hcm', 'vsip1'], aliases: [] },
    { _id: 'ent-hoa-sen', name: 'Công ty CP May mặc Hoa Sen', kind: 'enterprise', parentId: 'vsip1', ancestors: ['hcm', 'vsip1'], aliases: [] },
    { _id: 'ent-det-song-than', name: 'Công ty TNHH Dệt Sóng Thần', kind: 'enterprise', parentId: 'kcn-song-than-2', ancestors: ['hcm', 'kcn-song-than-2'], aliases: [] },
  ]);
}
