import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runAdminCli } from '../../test/support/admin-cli.js';
import { connectMongo } from '../../core/db.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const dbName = `t_cli_${randomBytes(5).toString('hex')}`;
let dir: string;
let conn: Connection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dh-survey-cli-'));
  conn = await connectMongo(inject('mongoUri'), dbName);
});
afterAll(async () => {
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI as operators do, against this file's own database. */
const admin = (...args: string[]) => runAdminCli(args, { db: dbName });

const broken = `id: broken
title: { vi: Thử }
opensAt: 2026-11-01T00:00:00+07:00
closesAt: 2027-01-01T00:00:00+07:00
anonymous: true
questions:
  - { id: q1, type: scale, text: { vi: Một } }
  - { id: q2, type: scale, text: { vi: Hai } }
  - { id: q2, type: text, text: { vi: Ba } }
  - { id: q4, type: text, text: { vi: Bốn }, showIf: { question: q9, anyOf: [1] } }
`;

describe('npm run admin -- survey commands', () => {
  it('rejects a definition with a broken skip rule and a duplicate id, naming the exact paths', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, broken);
    const out = await admin('import-survey', file);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('questions[2].id: duplicate question id "q2" (also questions[1])');
    expect(out.stderr).toContain('questions[3].showIf.question: unknown question "q9"');
    expect(await conn.collection('surveys').countDocuments({})).toBe(0);
  });

  it('imports the sample, lists it, and exports results as CSV with a BOM', async () => {
    const sample = join(root, 'core/surveys/sample/tam-tu-nguyen-vong.yaml');
    const imported = await admin('import-survey', sample);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toMatch(/^created survey tam-tu-nguyen-vong-2026: 12 questions, anonymous/);
    expect((await admin('import-survey', sample)).stdout).toMatch(/^updated survey/);
    const list = await admin('list-surveys');
    expect(list.stdout).toContain('tam-tu-nguyen-vong-2026\tsurvey\tanonymous');
    expect(list.stdout).toContain('0 responses\tTâm tư nguyện vọng thanh niên công nhân');
    const csv = join(dir, 'ket-qua.csv');
    const results = await admin('survey-results', 'tam-tu-nguyen-vong-2026', '--csv', csv);
    expect(results.code).toBe(0);
    expect(results.stdout).toContain("📊 Young workers' aspirations and concerns");
    // Anonymous, and nobody has answered yet: no answers until 5 have, and it says so.
    expect(results.stdout).toContain('results are shown once at least 5 people have answered — 5 more needed');
    const text = await readFile(csv, 'utf8');
    expect(text.startsWith('\uFEFFsection,')).toBe(true);
    expect(text).toContain('\r\nwithheld,,,0,,,needed,,5,,\r\n');
    expect(text).not.toContain('Nhà trọ');
    expect((await admin('survey-results', 'nope')).code).toBe(1);
    expect((await admin('survey-results')).code).toBe(2);
  }, 120_000); // six CLI processes, each starting tsx: slow on a busy machine
});
