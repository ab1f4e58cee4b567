import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCli } from '../../test/support/admin-cli.js';
import { seedCadreReview, SEED_WORKERS } from '../../test/support/cadre-review-seed.js';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';

let app: TestApp;
let dir: string;
let end: Date;

beforeAll(async () => {
  app = await startTestApp();
  ({ end } = await seedCadreReview(app));
  dir = await mkdtemp(join(tmpdir(), 'dh-review-'));
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

const admin = (...args: string[]) => runAdminCli(args, { db: app.config.MONGODB_DB, prefix: app.config.REDIS_PREFIX });

describe('npm run admin -- cadre-review', () => {
  it('prints the whole tree by default and writes the CSV', async () => {
    const out = join(dir, 'review.csv');
    const r = await admin('cadre-review', '--csv', out, '--at', end.toISOString());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Cadre-force review of Thành Đoàn TP\. Hồ Chí Minh \(hcm\) and the units under it, /);
    expect(lines[1]).toBe('Cadres: 4 (4 eligible) — youth_union 1, womens_union 1, trade_union 1, youth_federation 1');
    expect(r.stdout).toContain('Workplaces checked: 3; workplace × category routing finds nobody for: 12');
    expect(r.stdout).toContain('  Công ty TNHH Dệt Sóng Thần (ent-det-song-than): wages, overtime, insurance, contract, safety, culture');
    const tu = lines.find((l) => l.includes('(cad-tu)'))!;
    expect(tu).toMatch(/^ {2}Anh Tú Công đoàn \(cad-tu\)\s+trade_union\s+1\s+50\.0% \(1\/2\)\s+45\.5 min\s+5 /);
    expect(lines.find((l) => l.includes('(cad-hoa)'))).toMatch(/^! Chị Hoa Hội Phụ nữ \(cad-hoa\)\s+womens_union\s+0\s+0\.0% \(0\/1\)\s+—\s+—\s+never$/);
    // Staff only: no reporter is named anywhere.
    for (const w of SEED_WORKERS) for (const secret of [w.id, w.name, w.chatId]) expect(r.stdout).not.toContain(secret);

    const csv = await readFile(out, 'utf8');
    expect(csv.startsWith('\uFEFFsection,member_id,name,')).toBe(true);
    expect(csv.split('\r\n')).toContain('cadre,cad-dung,Anh Dũng Thành Đoàn,true,youth_union,hcm,skills,1,1,1,100,10,0,,2026-12-26T05:10:00.000Z,false');
    expect(csv.split('\r\n').filter((l) => l.startsWith('gap,'))).toHaveLength(12);
  });

  it('reviews one unit with --unit, and refuses an unknown unit or option', async () => {
    const r = await admin('cadre-review', '--unit', 'vsip1', '--at', end.toISOString());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Cadres: 2 (2 eligible) — youth_union 0, womens_union 0, trade_union 1, youth_federation 1');
    expect(r.stdout).toContain('  Công ty TNHH Giày da Phúc Thịnh (ent-phuc-thinh): wages, overtime, insurance, contract, safety, harassment');
    expect(r.stdout).not.toContain('cad-hoa');
    const bad = await admin('cadre-review', '--unit', 'nowhere');
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toContain('no org unit "nowhere" in force');
    expect((await admin('cadre-review', '--pdf', 'x')).code).toBe(2);
    expect((await admin('cadre-review', '--at', 'yesterday')).stderr).toContain('--at "yesterday" is not a time');
  });
});
