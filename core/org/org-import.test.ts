import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../test/support/test-db.js';
import { OrgDirectory } from './org-directory.js';
import { importOrgTree, parseOrgFile, type OrgRow } from './org-import.js';
import { seedSampleOrg } from './sample-seed.js';

const SAMPLE_JSON = new URL('./sample/org-tree.json', import.meta.url);
const SAMPLE_CSV = new URL('./sample/org-tree.csv', import.meta.url);
const HEADER = 'code,name,kind,organisation,parent,aliases,valid_from,valid_to';

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => db.close());
beforeEach(async () => {
  await db.models.OrgUnit.deleteMany({});
});

/** The stored tree as plain objects, sorted by code, for exact comparisons. */
async function storedTree() {
  const units = await db.models.OrgUnit.find({}).sort({ _id: 1 }).lean();
  return units.map((u) => ({
    _id: u._id,
    name: u.name,
    kind: u.kind,
    organisation: u.organisation,
    parentId: u.parentId,
    ancestors: u.ancestors,
    aliases: u.aliases,
    validFrom: u.validFrom?.toISOString(),
    validTo: u.validTo?.toISOString(),
  }));
}

async function ancestorsOf(code: string): Promise<string[] | undefined> {
  return (await db.models.OrgUnit.findById(code).lean())?.ancestors;
}

function rows(csvBody: string): OrgRow[] {
  const parsed = parseOrgFile(`${HEADER}\n${csvBody}`, 'csv');
  expect(parsed.rejected).toEqual([]);
  return parsed.rows;
}

describe('parseOrgFile', () => {
  it('reads a JSON array and a { units } object alike, normalising codes, aliases and dates', () => {
    const entries = [
      { code: ' HCM ', name: ' Thành Đoàn TP. Hồ Chí Minh ', kind: 'city_youth_union', organisation: 'youth_union', aliases: ['TP.HCM', ' ', 'TP.HCM'] },
      { code: 'phuong-di-an', name: 'Đoàn phường Dĩ An', kind: 'ward_youth_union', parent: 'Hcm', aliases: 'Phường Dĩ An; An Bình', valid_from: '2025-07-01', organisation: null },
    ];
    const expected: OrgRow[] = [
      { line: 1, code: 'hcm', name: 'Thành Đoàn TP. Hồ Chí Minh', kind: 'city_youth_union', organisation: 'youth_union', aliases: ['TP.HCM'] },
      // A calendar day in the file is midnight in Vietnam (UTC+7).
      { line: 2, code: 'phuong-di-an', name: 'Đoàn phường Dĩ An', kind: 'ward_youth_union', parent: 'hcm', aliases: ['Phường Dĩ An', 'An Bình'], validFrom: new Date('2025-06-30T17:00:00.000Z') },
    ];
    expect(parseOrgFile(JSON.stringify(entries), 'json')).toEqual({ rows: expected, rejected: [] });
    expect(parseOrgFile(`\uFEFF${JSON.stringify({ units: entries }, null, 2)}`, 'json')).toEqual({ rows: expected, rejected: [] });
  });

  it('reads CSV with a BOM, CRLF line ends, blank lines and columns in any order', () => {
    const csv = '\uFEFFkind,code,name,parent\r\ncity_youth_union,hcm,Thành Đoàn TP. Hồ Chí Minh,\r\n\r\nward_youth_union,phuong-thuan-an,Đoàn phường Thuận An,hcm\r\n';
    expect(parseOrgFile(csv, 'csv')).toEqual({
      rows: [
        { line: 2, code: 'hcm', name: 'Thành Đoàn TP. Hồ Chí Minh', kind: 'city_youth_union', aliases: [] },
        { line: 4, code: 'phuong-thuan-an', name: 'Đoàn phường Thuận An', kind: 'ward_youth_union', parent: 'hcm', aliases: [] },
      ],
      rejected: [],
    });
  });

  it('reads quoted CSV fields with commas, quotes and line breaks, and counts lines from where a row starts', () => {
    const csv = [
      HEADER,
      'ent-a,"Công ty TNHH ""An Phát"", chi nhánh 2",enterprise,,,"An Phát; An Phát, Bình Dương",,',
      'ent-b,"Công ty CP',
      'Dệt may Sóng Thần",enterprise,,,,,',
      'ent-c,Công ty TNHH Nhựa Tân Hòa,bogus,,,,,',
    ].join('\n');
    expect(parseOrgFile(csv, 'csv')).toEqual({
      rows: [
        { line: 2, code: 'ent-a', name: 'Công ty TNHH "An Phát", chi nhánh 2', kind: 'enterprise', aliases: ['An Phát', 'An Phát, Bình Dương'] },
        { line: 3, code: 'ent-b', name: 'Công ty CP\nDệt may Sóng Thần', kind: 'enterprise', aliases: [] },
      ],
      rejected: [{ line: 5, reason: expect.stringMatching(/^kind "bogus" is not known \(expected one of city_youth_union, .*trade_union\)$/) }],
    });
  });

  it('reports bad rows with their line and reason while keeping the good ones', () => {
    const csv = [
      HEADER,
      'hcm,Thành Đoàn TP. Hồ Chí Minh,city_youth_union,youth_union,,,,',
      'x1,Đơn vị lạ,galaxy,,hcm,,,',
      'x2,,enterprise,,hcm,,,',
      'x3,Đoàn phường mới,ward_youth_union,youth_union,hcm,,2025-02-30,',
      'x4,Đoàn phường cũ,ward_youth_union,youth_union,hcm,,2025-07-01,2025-07-01',
      '{"$gt": ""},Tên bình thường,enterprise,,hcm,,,',
      'x5,{"$gt": ""},enterprise,,hcm,,,',
      'x6,Hội gì đó,womens_union_branch,party,hcm,,,',
      'x7,Thiếu cột,enterprise',
      'x8,Công ty TNHH Điện tử Hanvi Vina,enterprise,,hcm,,,,extra',
      'x9,Công ty TNHH Dây cáp Hoshimi Việt Nam,enterprise,,HCM,,,,',
    ].join('\n');
    const { rows: good, rejected } = parseOrgFile(csv, 'csv');
    expect(good.map((r) => [r.line, r.code, r.name, r.parent])).toEqual([
      [2, 'hcm', 'Thành Đoàn TP. Hồ Chí Minh', undefined],
      // Operator-like text in a name is just a name.
      [8, 'x5', '{"$gt": ""}', 'hcm'],
      // An empty trailing field (as spreadsheets write them) is not an extra value.
      [12, 'x9', 'Công ty TNHH Dây cáp Hoshimi Việt Nam', 'hcm'],
    ]);
    expect(rejected).toEqual([
      { line: 3, reason: expect.stringMatching(/^kind "galaxy" is not known \(expected one of /) },
      { line: 4, reason: 'name is empty' },
      { line: 5, reason: 'valid_from "2025-02-30" is not a date in the form YYYY-MM-DD' },
      { line: 6, reason: 'valid_from must be before valid_to' },
      { line: 7, reason: 'code "{\\"$gt\\": \\"\\"}" is not a valid code: use 1–64 characters a–z, 0–9, ".", "_" or "-", starting with a letter or digit' },
      { line: 9, reason: 'organisation "party" is not known (expected one of youth_union, youth_federation, womens_union, trade_union)' },
      { line: 10, reason: 'the row has 3 fields but the header has 8' },
      { line: 11, reason: 'the row has 9 fields but the header has 8' },
    ]);
  });

  it('refuses JSON values that are not plain text, unknown fields and non-object entries', () => {
    const entries = [
      { code: { $gt: '' }, name: 'Công ty A', kind: 'enterprise' },
      { code: 'ok', name: 'Công ty B', kind: 'enterprise', $where: 'sleep(1000)' },
      'ent-c',
      { code: 'ent-d', kind: 'enterprise' },
      { code: 'ent-e', name: 'Công ty E', kind: 'enterprise', aliases: [{ $ne: null }] },
      { code: 'ent-f', name: 'Công ty F', kind: 'enterprise' },
    ];
    expect(parseOrgFile(JSON.stringify(entries), 'json')).toEqual({
      rows: [{ line: 6, code: 'ent-f', name: 'Công ty F', kind: 'enterprise', aliases: [] }],
      rejected: [
        { line: 1, reason: 'code must be text' },
        { line: 2, reason: 'unknown field "$where" (expected code, name, kind, organisation, parent, aliases, valid_from, valid_to)' },
        { line: 3, reason: 'the entry must be an object' },
        { line: 4, reason: 'name is missing' },
        { line: 5, reason: 'aliases must be text' },
      ],
    });
  });

  it('refuses a whole file it cannot read as JSON or CSV, saying where', () => {
    expect(parseOrgFile('[{"code": "a",]', 'json')).toEqual({ rows: [], rejected: [{ line: 0, reason: expect.stringMatching(/^the file is not valid JSON \(.+\); nothing was imported$/) }] });
    expect(parseOrgFile('{"unit": []}', 'json')).toEqual({ rows: [], rejected: [{ line: 0, reason: 'expected a JSON array of units or an object { "units": [...] }; nothing was imported' }] });
    expect(parseOrgFile(`${HEADER}\nent-z,Công ty Z,enterprise,,,,,\nent-a,"Công ty chưa đóng ngoặc,enterprise,,,,,\nent-b,Công ty B,enterprise,,,,,\n`, 'csv')).toEqual({
      rows: [],
      rejected: [{ line: 3, reason: 'the file is not valid CSV (a quoted field in the row starting on line 3 is never closed); nothing was imported' }],
    });
    expect(parseOrgFile('code,name,kind,parent_code\n', 'csv')).toEqual({
      rows: [],
      rejected: [{ line: 1, reason: 'unknown column "parent_code" in the header (expected code,name,kind,organisation,parent,aliases,valid_from,valid_to); nothing was imported' }],
    });
    expect(parseOrgFile('code,name\n', 'csv')).toEqual({ rows: [], rejected: [{ line: 1, reason: 'the header lacks the column kind; nothing was imported' }] });
    expect(parseOrgFile('', 'csv')).toEqual({ rows: [], rejected: [] });
  });
});

describe('importOrgTree', () => {
  it('imports the sample JSON with ancestors root-first, five levels deep', async () => {
    const { rows: sample, rejected } = parseOrgFile(await readFile(SAMPLE_JSON, 'utf8'), 'json');
    expect(rejected).toEqual([]);
    expect(await importOrgTree(db.models, sample)).toEqual({ created: 41, updated: 0, unchanged: 0, rejected: [] });

    expect(await db.models.OrgUnit.findById('chidoan-phuc-thinh-may').lean()).toEqual({
      _id: 'chidoan-phuc-thinh-may',
      name: 'Chi đoàn Phân xưởng May',
      kind: 'youth_union_branch',
      organisation: 'youth_union',
      parentId: 'doan-phuc-thinh',
      ancestors: ['hcm', 'phuong-binh-hoa', 'kcn-vsip1', 'ent-phuc-thinh', 'doan-phuc-thinh'],
      aliases: ['px may Phúc Thịnh'],
    });
    expect(await ancestorsOf('hcm')).toEqual([]);
    expect(await ancestorsOf('kcn-song-than')).toEqual(['hcm', 'phuong-di-an']);
    expect(await ancestorsOf('chihoi-nucn-hung-dinh')).toEqual(['hcm', 'phuong-thuan-an', 'hlhpn-thuan-an']);
    expect(await ancestorsOf('td-thuan-an')).toEqual(['td-binh-duong']);
    const legacy = await db.models.OrgUnit.findById('td-thuan-an').lean();
    expect([legacy?.validFrom?.toISOString(), legacy?.validTo?.toISOString()]).toEqual(['2020-01-31T17:00:00.000Z', '2025-06-30T17:00:00.000Z']);
  });

  it('imports the sample CSV to exactly the same tree as the sample JSON', async () => {
    const fromJson = parseOrgFile(await readFile(SAMPLE_JSON, 'utf8'), 'json');
    const fromCsv = parseOrgFile(await readFile(SAMPLE_CSV, 'utf8'), 'csv');
    expect([fromJson.rejected, fromCsv.rejected]).toEqual([[], []]);

    await importOrgTree(db.models, fromJson.rows);
    const jsonTree = await storedTree();
    await db.models.OrgUnit.deleteMany({});
    expect(await importOrgTree(db.models, fromCsv.rows)).toEqual({ created: 41, updated: 0, unchanged: 0, rejected: [] });
    expect(await storedTree()).toEqual(jsonTree);
    expect(jsonTree).toHaveLength(41);
  });

  it('makes the sample searchable: "vsip" finds the six enterprises of VSIP I', async () => {
    await importOrgTree(db.models, parseOrgFile(await readFile(SAMPLE_JSON, 'utf8'), 'json').rows);
    const hits = await new OrgDirectory(db.models).searchWorkplaces('vsip', new Date('2026-11-25T03:00:00Z'));
    expect(hits.map((h) => h.unit._id).sort()).toEqual(['ent-everwin', 'ent-hanvi-vina', 'ent-minh-khang-food', 'ent-phuc-thinh', 'ent-sakura-seiki', 'ent-thien-an-pack']);
    expect(new Set(hits.map((h) => h.place))).toEqual(new Set(['KCN VSIP I']));
  });

  it('is idempotent: importing the same file again changes nothing', async () => {
    const sample = parseOrgFile(await readFile(SAMPLE_CSV, 'utf8'), 'csv').rows;
    await importOrgTree(db.models, sample);
    const before = await storedTree();
    expect(await importOrgTree(db.models, sample)).toEqual({ created: 0, updated: 0, unchanged: 41, rejected: [] });
    expect(await storedTree()).toEqual(before);
  });

  it('places children listed before their parents', async () => {
    const result = await importOrgTree(db.models, rows(['c,Chi đoàn C,youth_union_branch,youth_union,b,,,', 'b,Đoàn cơ sở B,enterprise_youth_union,youth_union,a,,,', 'a,Đoàn phường A,ward_youth_union,youth_union,,,,'].join('\n')));
    expect(result).toEqual({ created: 3, updated: 0, unchanged: 0, rejected: [] });
    expect([await ancestorsOf('a'), await ancestorsOf('b'), await ancestorsOf('c')]).toEqual([[], ['a'], ['a', 'b']]);
  });

  it('rejects duplicate codes, unknown parents and cycles with their lines, and keeps the good rows', async () => {
    await importOrgTree(db.models, rows('hcm,Thành Đoàn TP. Hồ Chí Minh,city_youth_union,youth_union,,,,'));
    const file = [
      'p1,Đoàn phường Một,ward_youth_union,youth_union,hcm,,,', // 2: parent only in the database
      'dup,Công ty Trùng Mã,enterprise,,p1,,,', // 3
      'ent-ok,Công ty Tốt,enterprise,,p1,,,', // 4
      'dup,Công ty Trùng Mã Lần Hai,enterprise,,p1,,,', // 5
      'orphan,Công ty Mồ Côi,enterprise,,nowhere,,,', // 6
      'cyc-a,Chi hội A,youth_federation_branch,youth_federation,cyc-b,,,', // 7
      'cyc-b,Chi hội B,youth_federation_branch,youth_federation,cyc-a,,,', // 8
      'self,Chi đoàn Tự Thân,youth_union_branch,youth_union,self,,,', // 9
      'under-dup,Chi đoàn dưới mã trùng,youth_union_branch,youth_union,dup,,,', // 10
      'under-cycle,Chi đoàn dưới vòng lặp,youth_union_branch,youth_union,cyc-a,,,', // 11
      'under-under,Tổ dưới nữa,youth_union_branch,youth_union,under-cycle,,,', // 12
      'branch-ok,Chi đoàn Tốt,youth_union_branch,youth_union,ent-ok,,,', // 13
    ].join('\n');
    const result = await importOrgTree(db.models, rows(file));
    expect(result).toEqual({
      created: 3,
      updated: 0,
      unchanged: 0,
      rejected: [
        { line: 3, reason: 'duplicate code "dup" (lines 3, 5); codes must be unique' },
        { line: 5, reason: 'duplicate code "dup" (lines 3, 5); codes must be unique' },
        { line: 6, reason: 'parent "nowhere" is neither in the file nor in the database' },
        { line: 7, reason: 'the parent links form a cycle: cyc-a → cyc-b → cyc-a' },
        { line: 8, reason: 'the parent links form a cycle: cyc-a → cyc-b → cyc-a' },
        { line: 9, reason: 'the parent links form a cycle: self → self' },
        { line: 10, reason: 'parent "dup" was rejected (line 3)' },
        { line: 11, reason: 'parent "cyc-a" was rejected (line 7)' },
        { line: 12, reason: 'parent "under-cycle" was rejected (line 11)' },
      ],
    });
    expect((await storedTree()).map((u) => [u._id, u.ancestors])).toEqual([
      ['branch-ok', ['hcm', 'p1', 'ent-ok']],
      ['ent-ok', ['hcm', 'p1']],
      ['hcm', []],
      ['p1', ['hcm']],
    ]);
  });

  it('rejects a row that would close a cycle through units already stored, leaving them as they were', async () => {
    await importOrgTree(db.models, rows(['hcm,Thành Đoàn,city_youth_union,youth_union,,,,', 'w,Đoàn phường W,ward_youth_union,youth_union,hcm,,,', 'e,Công ty E,enterprise,,w,,,'].join('\n')));
    const before = await storedTree();
    const result = await importOrgTree(db.models, rows('hcm,Thành Đoàn,city_youth_union,youth_union,e,,,'));
    expect(result).toEqual({ created: 0, updated: 0, unchanged: 0, rejected: [{ line: 2, reason: 'the parent links form a cycle: hcm → e → w → hcm' }] });
    expect(await storedTree()).toEqual(before);
  });

  it('moves a subtree: the moved unit and every stored descendant get new ancestors', async () => {
    await importOrgTree(db.models, parseOrgFile(await readFile(SAMPLE_JSON, 'utf8'), 'json').rows);
    // Sóng Thần moves from Dĩ An to Bình Hòa; only the zone's row is in the file.
    const moved = rows('kcn-song-than,KCN Sóng Thần,industrial_zone,,phuong-binh-hoa,song than; Sóng Thần 1; Sóng Thần 2,,');
    const subtree = ['ent-an-loc-phat', 'ent-kim-long-wood', 'ent-hoshimi-cable', 'ent-tan-hoa-plastic', 'ent-daehan-bag', 'ent-sao-viet-print', 'doan-an-loc-phat', 'chidoan-an-loc-cat'];
    expect(await importOrgTree(db.models, moved)).toEqual({ created: 0, updated: 1 + subtree.length, unchanged: 0, rejected: [] });

    expect(await db.models.OrgUnit.findById('kcn-song-than').lean()).toMatchObject({ parentId: 'phuong-binh-hoa', ancestors: ['hcm', 'phuong-binh-hoa'] });
    expect(await ancestorsOf('ent-daehan-bag')).toEqual(['hcm', 'phuong-binh-hoa', 'kcn-song-than']);
    expect(await ancestorsOf('doan-an-loc-phat')).toEqual(['hcm', 'phuong-binh-hoa', 'kcn-song-than', 'ent-an-loc-phat']);
    expect(await ancestorsOf('chidoan-an-loc-cat')).toEqual(['hcm', 'phuong-binh-hoa', 'kcn-song-than', 'ent-an-loc-phat', 'doan-an-loc-phat']);
    // Units outside the subtree are untouched.
    expect(await ancestorsOf('chidoan-xa-que-di-an')).toEqual(['hcm', 'phuong-di-an']);
    // And the whole sample file imported again puts everything back.
    const sample = parseOrgFile(await readFile(SAMPLE_JSON, 'utf8'), 'json').rows;
    expect(await importOrgTree(db.models, sample)).toEqual({ created: 0, updated: 1 + subtree.length, unchanged: 41 - 1 - subtree.length, rejected: [] });
    expect(await ancestorsOf('chidoan-an-loc-cat')).toEqual(['hcm', 'phuong-di-an', 'kcn-song-than', 'ent-an-loc-phat', 'doan-an-loc-phat']);
  });

  it('updates changed fields and removes fields left blank in the file', async () => {
    await importOrgTree(db.models, rows(['hcm,Thành Đoàn,city_youth_union,youth_union,,,,', 'w,Đoàn phường W,ward_youth_union,youth_union,hcm,Phường W; W cũ,2025-07-01,'].join('\n')));
    const result = await importOrgTree(db.models, rows(['hcm,Thành Đoàn,city_youth_union,youth_union,,,,', 'w,Đoàn phường W mới,ward_youth_union,,hcm,,,2030-01-01'].join('\n')));
    expect(result).toEqual({ created: 0, updated: 1, unchanged: 1, rejected: [] });
    expect(await db.models.OrgUnit.findById('w').lean()).toEqual({
      _id: 'w',
      name: 'Đoàn phường W mới',
      kind: 'ward_youth_union',
      parentId: 'hcm',
      ancestors: ['hcm'],
      aliases: [],
      validTo: new Date('2029-12-31T17:00:00.000Z'),
    });
  });

  it('stores operator-like text as plain text and finds nothing with it', async () => {
    const result = await importOrgTree(db.models, rows(['hcm,Thành Đoàn,city_youth_union,youth_union,,,,', 'ent-x,{"$gt": ""},enterprise,,hcm,{"$ne": null},,'].join('\n')));
    expect(result).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: [] });
    expect(await db.models.OrgUnit.findById('ent-x').lean()).toMatchObject({ name: '{"$gt": ""}', aliases: ['{"$ne": null}'] });
    expect(await db.models.OrgUnit.countDocuments({})).toBe(2);
  });

  it('converges when units it thought new were created meanwhile (a concurrent import)', async () => {
    await importOrgTree(db.models, rows('hcm,Tên cũ,city_youth_union,,,Cũ,,'));
    // The importer reads the tree before the other writer's unit exists.
    const OrgUnit = new Proxy(db.models.OrgUnit, {
      get(target, prop) {
        if (prop === 'find') return () => ({ lean: async () => [] });
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const result = await importOrgTree({ ...db.models, OrgUnit }, rows(['hcm,Thành Đoàn TP. Hồ Chí Minh,city_youth_union,youth_union,,,,', 'w,Đoàn phường W,ward_youth_union,youth_union,hcm,,,'].join('\n')));
    expect(result).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: [] });
    expect((await storedTree()).map((u) => [u._id, u.name, u.organisation, u.aliases, u.ancestors])).toEqual([
      ['hcm', 'Thành Đoàn TP. Hồ Chí Minh', 'youth_union', [], []],
      ['w', 'Đoàn phường W', 'youth_union', [], ['hcm']],
    ]);
  });

  it('imports a few thousand units in one go', async () => {
    // 3 wards × 10 zones × 100 enterprises: 3,034 units, three levels below the root.
    const lines = ['hcm,Thành Đoàn,city_youth_union,youth_union,,,,'];
    for (let w = 0; w < 3; w++) {
      lines.push(`w${w},Đoàn phường ${w},ward_youth_union,youth_union,hcm,,,`);
      for (let z = 0; z < 10; z++) {
        lines.push(`z${w}-${z},KCN ${w}-${z},industrial_zone,,w${w},,,`);
        for (let e = 0; e < 100; e++) lines.push(`e${w}-${z}-${e},Công ty ${w}-${z}-${e},enterprise,,z${w}-${z},,,`);
      }
    }
    const many = rows(lines.join('\n'));
    expect(await importOrgTree(db.models, many)).toEqual({ created: 3034, updated: 0, unchanged: 0, rejected: [] });
    expect(await ancestorsOf('e2-9-99')).toEqual(['hcm', 'w2', 'z2-9']);
    expect(await importOrgTree(db.models, many)).toEqual({ created: 0, updated: 0, unchanged: 3034, rejected: [] });
  });
});

describe('seedSampleOrg', () => {
  it('imports the sample tree into an empty database only', async () => {
    expect(await seedSampleOrg(db.models)).toBe(41);
    expect(await db.models.OrgUnit.countDocuments({})).toBe(41);
    expect(await seedSampleOrg(db.models)).toBe(0);
  });

  it('leaves a database that already has units alone', async () => {
    await importOrgTree(db.models, rows('own,Tỉnh Đoàn Riêng,province_youth_union,youth_union,,,,'));
    expect(await seedSampleOrg(db.models)).toBe(0);
    expect((await storedTree()).map((u) => u._id)).toEqual(['own']);
  });
});
