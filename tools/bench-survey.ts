/**
 * `npm run bench:survey`: fills the sample aspirations survey with 10,000 simulated anonymous
 * respondents (bulk inserts, plus a few hundred through SurveyService.submit), then times the
 * full results with every breakdown. Prints progress to stderr and, last, one JSON object.
 * Runs on its own throw-away database on the local (or configured) server. The machine's load
 * average is printed too: other processes sharing the database server change the figure.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { createApp } from '../app/app.js';
import { loadConfig } from '../core/config.js';
import type { MemberDoc, OrgUnitDoc } from '../core/db.js';
import { seedSampleOrg } from '../core/org/sample-seed.js';
import { isVisible, questionsOf, type Answers } from '../core/surveys/answers.js';
import { parseSurveyFile } from '../core/surveys/definition.js';
import type { SurveyResponseDoc } from '../core/surveys/models.js';
import { computeResults } from '../core/surveys/results.js';
import { resultsToCsv } from '../core/surveys/results-csv.js';
import { answeredMarker } from '../core/surveys/survey-service.js';
import { vnDay } from '../core/vn-time.js';
import { ensureServices } from './services.js';

const RESPONDENTS = Number(process.env.BENCH_RESPONDENTS ?? 10_000);
const AUDIENCE = Math.round(RESPONDENTS * 1.25);
const VIA_SERVICE = Math.min(300, RESPONDENTS);
const BATCH = 1000;

const log = (s: string) => process.stderr.write(`[bench:survey] ${s}\n`);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

const config = loadConfig({ LOG_LEVEL: 'warn', MONGODB_DB: `bench_survey_${randomBytes(4).toString('hex')}`, REDIS_PREFIX: `bench${randomBytes(3).toString('hex')}` });
const services = await ensureServices({ MONGODB_URI: config.MONGODB_URI, REDIS_URL: config.REDIS_URL });
const app = await createApp({ config, mongoUri: services.mongoUri, redisUrl: services.redisUrl, workers: false });
const surveys = app.services.surveys;
try {
  await seedSampleOrg(app.models);
  const def = parseSurveyFile(await readFile(new URL('../core/surveys/sample/tam-tu-nguyen-vong.yaml', import.meta.url), 'utf8'), 'yaml');
  await surveys.importDefinition(def, { actor: 'bench', at: new Date() });
  const survey = (await surveys.get(def.id))!;
  const now = new Date(Math.max(Date.now(), survey.opensAt.getTime() + 1));
  const enterprises = (await app.models.OrgUnit.find({ kind: 'enterprise' }).lean<OrgUnitDoc[]>()).map((u) => u._id);
  const all = questionsOf(def);

  // Random answers that follow the skip rules, as a person would give them.
  const answer = (): Answers => {
    const a: Answers = {};
    for (const q of all) {
      if (!isVisible(q, a) || (!q.required && Math.random() < 0.2)) continue;
      if (q.type === 'single') a[q.id] = pick(q.options!).id;
      else if (q.type === 'multiple') a[q.id] = q.options!.filter(() => Math.random() < 0.35).map((o) => o.id).slice(0, 3).concat(q.options![0]!.id).filter((v, i, xs) => xs.indexOf(v) === i);
      else if (q.type === 'scale') a[q.id] = 1 + Math.floor(Math.random() * 5);
      else if (q.type === 'number') a[q.id] = Math.floor((q.min ?? 0) + Math.random() * Math.min(3000, (q.max ?? 100) - (q.min ?? 0)));
      else a[q.id] = pick(['Mong có nhà trẻ gần khu trọ', 'Tăng lương cơ bản', 'Có thêm lớp tin học buổi tối', 'Cần chỗ sinh hoạt cuối tuần']);
    }
    return a;
  };

  let t0 = process.hrtime.bigint();
  const members: MemberDoc[] = [];
  for (let i = 0; i < AUDIENCE; i++) {
    members.push({ _id: `mb${i}`, roles: ['worker'], orgUnitId: pick(enterprises), locale: 'vi', status: 'active', broadcastsOptOut: false, createdAt: now });
  }
  for (let i = 0; i < members.length; i += BATCH) await app.models.Member.insertMany(members.slice(i, i + BATCH), { ordered: false });
  const membersMs = ms(t0);
  log(`${AUDIENCE} members inserted in ${Math.round(membersMs)} ms`);

  // A few hundred through the real service path (marker, then an unlinkable response)…
  t0 = process.hrtime.bigint();
  for (let i = 0; i < VIA_SERVICE; i++) {
    const a = answer();
    a._ageBand = pick(['18_24', '25_30', '31_35']);
    if (Math.random() < 0.8) a._gender = pick(['female', 'male']);
    const outcome = await surveys.submit({ survey, member: members[i]!, answers: a, locale: 'vi', now });
    if (outcome !== 'saved') throw new Error(`submit returned ${outcome}`);
  }
  const serviceMs = ms(t0);
  log(`${VIA_SERVICE} responses through SurveyService.submit in ${Math.round(serviceMs)} ms (${(serviceMs / VIA_SERVICE).toFixed(1)} ms each)`);

  // …and the rest as bulk inserts of the same shape.
  t0 = process.hrtime.bigint();
  for (let i = VIA_SERVICE; i < RESPONDENTS; i += BATCH) {
    const docs: SurveyResponseDoc[] = [];
    const markers: { _id: string }[] = [];
    for (let j = i; j < Math.min(i + BATCH, RESPONDENTS); j++) {
      const a = answer();
      docs.push({ _id: randomBytes(12).toString('hex'), surveyId: def.id, orgUnitId: members[j]!.orgUnitId, ageBand: pick(['18_24', '25_30', '31_35', 'over35']), ...(Math.random() < 0.8 ? { gender: pick(['female', 'male']) } : {}), answers: JSON.stringify(a), locale: 'vi', day: vnDay(now) });
      markers.push({ _id: answeredMarker(app.services.keys, def.id, `member:${members[j]!._id}`) });
    }
    await surveys.surveyModels.SurveyResponse.insertMany(docs, { ordered: false });
    await surveys.surveyModels.SurveyMarker.insertMany(markers, { ordered: false });
  }
  const bulkMs = ms(t0);
  log(`${RESPONDENTS - VIA_SERVICE} responses bulk-inserted in ${Math.round(bulkMs)} ms`);

  // Read and compute separately once, to see where the time goes.
  t0 = process.hrtime.bigint();
  const responses = await surveys.surveyModels.SurveyResponse.find({ surveyId: def.id }, { _id: 0, orgUnitId: 1, ageBand: 1, gender: 1, answers: 1 }).batchSize(20_000).lean<SurveyResponseDoc[]>();
  const readResponsesMs = ms(t0);
  t0 = process.hrtime.bigint();
  const unitList = await app.models.OrgUnit.find({}).lean<OrgUnitDoc[]>();
  const units = new Map(unitList.map((u) => [u._id, u]));
  const audienceSize = await surveys.countAudience(def, unitList);
  const readOthersMs = ms(t0);
  t0 = process.hrtime.bigint();
  const computed = computeResults({ survey, responses, units, audienceSize });
  const computeMs = ms(t0);
  t0 = process.hrtime.bigint();
  const csv = resultsToCsv(computed);
  const csvMs = ms(t0);

  // The figure that matters: the whole SurveyService.results call, as the CLI and the chat summary make it.
  const runs: number[] = [];
  let results = computed;
  for (let i = 0; i < 3; i++) {
    t0 = process.hrtime.bigint();
    results = (await surveys.results(def.id))!;
    runs.push(Math.round(ms(t0)));
    log(`full results run ${i + 1}: ${runs[i]} ms`);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  const breakdownGroups = results.breakdowns.orgUnit.length + results.breakdowns.ageBand.length + results.breakdowns.gender.length;
  console.log(
    JSON.stringify({
      bench: 'survey-results',
      respondents: results.respondents,
      audience: results.audienceSize,
      responseRate: results.responseRate,
      questions: results.questions.length,
      breakdownGroups,
      resultsMs: sorted[1],
      resultsRunsMs: runs,
      targetMs: 2000,
      withinTarget: sorted[1]! <= 2000,
      split: { readResponsesMs: Math.round(readResponsesMs), readUnitsAndCountAudienceMs: Math.round(readOthersMs), computeMs: Math.round(computeMs), csvMs: Math.round(csvMs), csvBytes: Buffer.byteLength(csv) },
      fill: { membersMs: Math.round(membersMs), submitViaServiceMsEach: Math.round((serviceMs / VIA_SERVICE) * 10) / 10, bulkInsertMs: Math.round(bulkMs) },
      server: config.MONGODB_URI ? 'MONGODB_URI' : 'local FerretDB (SQLite)',
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavg1m: Math.round(os.loadavg()[0]! * 100) / 100 },
    }),
  );
} finally {
  await app.conn.dropDatabase().catch(() => undefined);
  const keys = await app.redis.keys(`${config.REDIS_PREFIX}*`);
  if (keys.length) await app.redis.del(...keys);
  await app.close();
}
