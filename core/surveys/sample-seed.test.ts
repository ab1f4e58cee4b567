import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';
import { seedSampleSurveys } from './sample-seed.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

describe('sample surveys', () => {
  it('are imported into a database without surveys, once', async () => {
    expect(await seedSampleSurveys(app.services.surveys)).toBe(2);
    expect((await app.services.surveys.list()).map((s) => s._id).sort()).toEqual(['kiem-tra-chi-2026', 'tam-tu-nguyen-vong-2026']);
    expect(await seedSampleSurveys(app.services.surveys)).toBe(0);
    expect(await app.models.Audit.countDocuments({ action: 'survey.imported' })).toBe(2);
  });
});
