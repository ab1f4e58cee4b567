/** Imports the two sample surveys (core/surveys/sample/) into a database that has no survey yet, for local use and demos. */
import { readdir, readFile } from 'node:fs/promises';
import { parseSurveyFile } from './definition.js';
import type { SurveyService } from './survey-service.js';

const SAMPLE_DIR = new URL('./sample/', import.meta.url);

/** Imports every sample survey when there is no survey at all; returns how many were imported. */
export async function seedSampleSurveys(surveys: SurveyService, at = new Date()): Promise<number> {
  // Any stored survey means someone imported real ones: never mix the samples in.
  if (await surveys.surveyModels.Survey.findOne({}, { _id: 1 }).lean()) return 0;
  const files = (await readdir(SAMPLE_DIR)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  for (const f of files) {
    const def = parseSurveyFile(await readFile(new URL(f, SAMPLE_DIR), 'utf8'), f.endsWith('.json') ? 'json' : 'yaml');
    await surveys.importDefinition(def, { actor: 'sample-seed', at });
  }
  return files.length;
}
