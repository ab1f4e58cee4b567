/** Loads the sample org tree (core/org/sample/org-tree.json) into an empty database, for local use and demos. */
import { readFile } from 'node:fs/promises';
import type { Models } from '../db.js';
import { importOrgTree, parseOrgFile } from './org-import.js';

const SAMPLE = new URL('./sample/org-tree.json', import.meta.url);

/** Imports the sample tree when org_units is empty; returns the number of units created (0 if not empty). */
export async function seedSampleOrg(models: Models): Promise<number> {
  // Any stored unit means someone imported a real tree: never mix the sample into it.
  if (await models.OrgUnit.findOne({}, { _id: 1 }).lean()) return 0;
  const { rows, rejected } = parseOrgFile(await readFile(SAMPLE, 'utf8'), 'json');
  const result = await importOrgTree(models, rows);
  const problems = [...rejected, ...result.rejected];
  if (problems.length > 0) {
    throw new Error(`the sample org tree ${SAMPLE.pathname} has bad rows (${problems.map((p) => `line ${p.line}: ${p.reason}`).join('; ')}): fix the file`);
  }
  return result.created;
}
