import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runAdminCli, runAdminCliProcess } from '../../test/support/admin-cli.js';
import { bindModels, connectMongo, type Models } from '../../core/db.js';

const dbName = `t_cli_${randomBytes(5).toString('hex')}`;
let dir: string;
let conn: Connection;
let models: Models;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dh-admin-'));
  conn = await connectMongo(inject('mongoUri'), dbName);
  models = bindModels(conn);
});
afterAll(async () => {
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI as operators do, against this file's own database. */
const admin = (...args: string[]) => runAdminCli(args, { db: dbName });

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('npm run admin -- import-org', () => {
  it('imports a good file, then finds nothing to change on the second run', async () => {
    const csv = await file(
      'good.csv',
      '\uFEFFcode,name,kind,organisation,parent,aliases,valid_from,valid_to\nhcm,Thành Đoàn TP. Hồ Chí Minh,city_youth_union,youth_union,,,,\nkcn-vsip1,KCN VSIP I,industrial_zone,,hcm,"vsip; vsip 1",,\nent-a,"Công ty TNHH Giày da Phúc Thịnh, chi nhánh 1",enterprise,,kcn-vsip1,,,\n',
    );
    // Once as operators run it, a child process through the real entry point (the others run in-process).
    const first = await runAdminCliProcess(['import-org', csv], { db: dbName });
    expect(first).toMatchObject({ code: 0, stdout: 'created 3, updated 0, unchanged 0, rejected 0\n' });
    // The progress bar (stderr is not a terminal here: one line per step).
    expect(first.stderr.trim().split('\n').at(-1)).toBe('[####################] 3/3 units written');
    expect(await models.OrgUnit.findById('ent-a').lean()).toEqual({
      _id: 'ent-a',
      name: 'Công ty TNHH Giày da Phúc Thịnh, chi nhánh 1',
      kind: 'enterprise',
      parentId: 'kcn-vsip1',
      ancestors: ['hcm', 'kcn-vsip1'],
      aliases: [],
    });
    expect(await admin('import-org', csv)).toEqual({ code: 0, stdout: 'created 0, updated 0, unchanged 3, rejected 0\n', stderr: '' });
    expect((await models.Audit.find({ action: 'org.import' }).lean()).map((a) => [a.actor, a.target, a.details])).toEqual([
      ['admin-cli', csv, { created: 3, updated: 0, unchanged: 0, rejected: 0 }],
      ['admin-cli', csv, { created: 0, updated: 0, unchanged: 3, rejected: 0 }],
    ]);
  });

  it('imports the good rows of a file with bad ones, lists the bad ones by line and exits 1', async () => {
    const json = await file(
      'mixed.json',
      JSON.stringify({
        units: [
          { code: 'ent-b', name: 'Công ty CP May An Lộc Phát', kind: 'enterprise', parent: 'kcn-vsip1' },
          { code: 'ent-c', name: 'Công ty Không Rõ Loại', kind: 'factory', parent: 'kcn-vsip1' },
          { code: 'ent-d', name: 'Công ty Không Có Cha', kind: 'enterprise', parent: 'kcn-khong-co' },
        ],
      }),
    );
    const { code, stdout, stderr } = await admin('import-org', json);
    expect(code).toBe(1);
    expect(stdout).toBe('created 1, updated 0, unchanged 0, rejected 2\n');
    expect(stderr.split('\n').filter((l) => !l.startsWith('['))).toEqual([
      expect.stringMatching(/^line 2: kind "factory" is not known \(expected one of /),
      'line 3: parent "kcn-khong-co" is neither in the file nor in the database',
      'Fix the rejected rows and import the file again; the other rows are already imported.',
      '',
    ]);
    expect(await models.OrgUnit.findById('ent-b').lean()).toMatchObject({ ancestors: ['hcm', 'kcn-vsip1'] });
    expect(await models.OrgUnit.findById('ent-c').lean()).toBeNull();
  });

  it('exits 2 with a usage line when the file is missing, unreadable or of an unknown type', async () => {
    expect(await admin('import-org')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'import-org needs the file to import\nusage: npm run admin -- import-org <file.json|file.csv>\n',
    });
    expect(await admin('import-org', join(dir, 'absent.csv'))).toEqual({
      code: 2,
      stdout: '',
      stderr: `cannot read ${join(dir, 'absent.csv')} (ENOENT): check the path\nusage: npm run admin -- import-org <file.json|file.csv>\n`,
    });
    const txt = await file('tree.txt', 'code,name,kind\n');
    expect(await admin('import-org', txt)).toMatchObject({ code: 2, stderr: `cannot tell the format of ${txt}: name it *.json or *.csv\nusage: npm run admin -- import-org <file.json|file.csv>\n` });
  });

  it('exits 2 with the list of commands for an unknown command or none', async () => {
    const none = await admin();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^usage: npm run admin -- <command> \[args\]\ncommands:\n {2}npm run admin -- import-org <file\.json\|file\.csv> +import or update the org tree/);
    const unknown = await admin('drop-everything');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.startsWith('unknown command "drop-everything"\nusage: npm run admin -- <command> [args]\n')).toBe(true);
  });
});
