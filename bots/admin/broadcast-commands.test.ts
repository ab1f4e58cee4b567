/** The broadcast, material and member commands of the admin CLI, run as operators run them. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runAdminCli } from '../../test/support/admin-cli.js';
import { bindModels, connectMongo, type Models } from '../../core/db.js';
import { insertSampleUnits } from '../../test/support/sample-units.js';
import { TEST_MARKER_KEY, TEST_SEAL_KEY } from '../../test/support/test-app.js';
import { parseKey, PrivacyKeys } from '../../core/privacy/privacy-keys.js';

const id = randomBytes(5).toString('hex');
const dbName = `t_bcli_${id}`;
const prefix = `tb${id}`;
let dir: string;
let conn: Connection;
let models: Models;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dh-bc-'));
  conn = await connectMongo(inject('mongoUri'), dbName);
  models = bindModels(conn);
  await insertSampleUnits(models);
});
afterAll(async () => {
  const redis = new Redis(inject('redisUrl'));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI as operators do, against this file's own database. */
const admin = (...args: string[]) => runAdminCli(args, { db: dbName, prefix });

describe('admin CLI: members, materials and broadcasts', () => {
  it('imports staff and cadres, keeps the good rows and reports the bad ones with their line numbers', async () => {
    const csv = [
      'name,roles,org_unit,channel,platform_user_id,locale',
      'Nguyễn Văn An,secretariat,hcm,telegram,5001,vi',
      'Trần Thị Bình,cadre;worker,vsip1,zalo,z-7002,vi',
      ',cadre,vsip1,zalo,z-7003,vi',
      'Lê Cường,chief,vsip1,zalo,z-7004,vi',
      'Phạm Dũng,cadre,no-such-unit,zalo,z-7005,vi',
      'Hồ Em,cadre,vsip1,fax,123,vi',
      'Vũ Giang,cadre,vsip1,telegram,5001,vi',
      'Đỗ Hạnh,worker,ent-hoa-sen,telegram,5008,en',
    ].join('\n');
    const file = join(dir, 'staff.csv');
    await writeFile(file, csv);
    const r = await admin('import-members', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('created 3, updated 0, rejected 5');
    expect(r.stderr).toMatch(/line 4: name is empty/);
    expect(r.stderr).toMatch(/line 5: role "chief" is not known/);
    expect(r.stderr).toMatch(/line 6: org_unit "no-such-unit" does not exist/);
    expect(r.stderr).toMatch(/line 7: channel "fax" is not known/);
    expect(r.stderr).toMatch(/line 8: telegram:5001 already appears on line 2/);
    expect(r.stderr).toContain('4/4 rows');
    const an = await models.ChannelIdentity.findById('telegram:5001').lean();
    const member = await models.Member.findById(an!.memberId).lean();
    expect(member).toMatchObject({ roles: ['secretariat'], orgUnitId: 'hcm', displayName: 'Nguyễn Văn An', status: 'active' });
    // A staff role is held at the row's unit, not taken for the whole tree.
    expect(member!.grants).toEqual([{ role: 'secretariat', unitId: 'hcm' }]);

    // Importing again creates nobody twice.
    const again = await admin('import-members', file);
    expect(again.stdout).toContain('created 0, updated 3, rejected 5');
  });

  it('refuses to re-create someone who deleted their data, naming the row and why', async () => {
    // What "delete my data" leaves: a keyed marker of the identity, nothing else (test/erasure-scan.e2e.test.ts).
    const keys = new PrivacyKeys(parseKey(TEST_SEAL_KEY)!, parseKey(TEST_MARKER_KEY)!);
    await models.ErasedIdentity.create({ _id: keys.marker('erased-identity', 'zalo:z-erased-1'), at: new Date() });
    const file = join(dir, 'erased.csv');
    await writeFile(file, ['name,roles,org_unit,channel,platform_user_id,locale', 'Mai Erased,worker,ent-hoa-sen,zalo,z-erased-1,vi'].join('\n'));
    const r = await admin('import-members', file);
    expect(r.stdout).toContain('created 0, updated 0, rejected 1');
    expect(r.stderr).toMatch(/line 2: this person deleted their data/);
    // The rejection does not repeat the erased person's platform id (a web import keeps it for a day).
    expect(r.stderr).not.toContain('z-erased-1');
    expect(await models.ChannelIdentity.findById('zalo:z-erased-1').lean()).toBeNull();
  });

  it('grants and revokes a role', async () => {
    expect((await admin('grant-role', 'telegram:5008', 'secretariat')).stdout).toMatch(/roles worker, secretariat/);
    expect((await admin('grant-role', 'telegram:5008', 'secretariat', '--revoke')).stdout).toMatch(/roles worker$/m);
    expect((await admin('grant-role', 'telegram:9999', 'cadre')).code).toBe(1);
    expect(await models.Audit.countDocuments({ action: { $in: ['role.granted', 'role.revoked'] } })).toBe(2);
  });

  it('grants a role at a unit (--unit, --org), the root when no unit is given, and revokes one unit or all', async () => {
    const grantsOf = async () => (await models.Member.findById((await models.ChannelIdentity.findById('telegram:5008').lean())!.memberId).lean())!;
    const atZone = await admin('grant-role', 'telegram:5008', 'secretariat', '--unit', 'vsip1', '--org', 'youth_union');
    expect(atZone.stdout).toMatch(/roles worker, secretariat; secretariat at vsip1\/youth_union/);
    expect((await grantsOf()).grants).toEqual([{ role: 'secretariat', unitId: 'vsip1', organisation: 'youth_union' }]);
    const atRoot = await admin('grant-role', 'telegram:5008', 'admin');
    expect(atRoot.stdout).toContain('no --unit given; granting admin at the root unit hcm');
    expect((await admin('grant-role', 'telegram:5008', 'secretariat', '--unit', 'nowhere')).code).toBe(1);
    expect((await admin('grant-role', 'telegram:5008', 'secretariat', '--unit', 'vsip1', '--org', 'party')).code).not.toBe(0);
    const revokeOne = await admin('grant-role', 'telegram:5008', 'secretariat', '--unit', 'vsip1', '--revoke');
    expect(revokeOne.stdout).toMatch(/roles worker, admin$/m);
    expect(await grantsOf()).toMatchObject({ roles: ['worker', 'admin'], grants: [{ role: 'admin', unitId: 'hcm' }] });
    expect((await admin('grant-role', 'telegram:5008', 'admin', '--revoke')).stdout).toMatch(/roles worker$/m);
    expect(await grantsOf()).toMatchObject({ roles: ['worker'], grants: [] });
    const audited = await models.Audit.find({ action: 'role.granted', 'details.unit': { $exists: true } }).lean();
    expect(audited.map((a) => a.details)).toEqual(expect.arrayContaining([{ role: 'secretariat', unit: 'vsip1', organisation: 'youth_union' }, { role: 'admin', unit: 'hcm' }]));
  });

  it('refuses a time in the past and an invalid rule with the reason; creates, lists, reads results and cancels', async () => {
    const past = await admin('broadcast-create', '--text', 'Xin chào', '--at', '2020-01-01 08:00');
    expect(past.code).toBe(1);
    expect(past.stderr).toMatch(/08:00 01\/01\/2020 has already passed/);
    const rule = await admin('broadcast-create', '--text', 'Xin chào', '--cron', '0 25 * * *');
    expect(rule.code).toBe(1);
    // The reason comes from locales (the CLI speaks English), not from the rule parser.
    expect(rule.stderr).toContain('The recurrence cannot be used: hour "25" is out of range 0–23.');
    const empty = await admin('broadcast-create', '--text', 'Xin chào', '--roles', 'admin');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/Nobody would receive this/);

    const preview = await admin('broadcast-create', '--text', 'Xin chào', '--unit', 'vsip1', '--preview');
    expect(preview.stdout).toContain('audience: 2 would receive it');
    const created = await admin('broadcast-create', '--text', 'Họp chi đoàn', '--cron', '0 8 * * 1');
    expect(created.code, created.stderr).toBe(0);
    const bid = /created (bc-\w+)/.exec(created.stdout)![1]!;
    expect(created.stdout).toContain('audience: 3 will receive it');
    expect((await admin('broadcast-list')).stdout).toMatch(new RegExp(`${bid}\\s+scheduled\\s+cron "0 8 \\* \\* 1"`));
    const results = await admin('broadcast-results', bid);
    expect(results.stdout).toMatch(/targeted 0, sent 0/);
    expect(results.stdout).toMatch(/next run 08:00 \d\d\/\d\d\/\d{4}/);
    expect((await admin('broadcast-cancel', bid)).stdout).toContain(`cancelled ${bid}`);
    const twice = await admin('broadcast-cancel', bid);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/The broadcast is "cancelled"/);
  }, 60_000);

  it('saves a draft and schedules it later, refusing a past time and a second scheduling', async () => {
    const saved = await admin('broadcast-create', '--text', 'Tết sum vầy', '--unit', 'vsip1', '--draft');
    expect(saved.code, saved.stderr).toBe(0);
    const bid = /created (bc-\w+)/.exec(saved.stdout)![1]!;
    expect((await admin('broadcast-list')).stdout).toMatch(new RegExp(`${bid}\\s+draft`));
    const past = await admin('broadcast-schedule', bid, '--at', '2020-01-01 08:00');
    expect(past.code).toBe(1);
    expect(past.stderr).toMatch(/08:00 01\/01\/2020 has already passed/);
    const scheduled = await admin('broadcast-schedule', bid, '--at', '2099-02-01 08:00');
    expect(scheduled.code, scheduled.stderr).toBe(0);
    expect(scheduled.stdout).toContain(`scheduled ${bid}`);
    expect(scheduled.stdout).toContain('audience: 2 will receive it');
    expect((await admin('broadcast-list')).stdout).toMatch(new RegExp(`${bid}\\s+scheduled\\s+08:00 01/02/2099`));
    const again = await admin('broadcast-schedule', bid);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/The broadcast is "scheduled"/);
    expect(await models.Audit.countDocuments({ action: 'broadcast.scheduled', target: bid })).toBe(1);
  }, 60_000);
});
