/** Survey commands of the admin CLI: import a definition, list surveys, print or export results. */
import { readFile, writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { AuditLog } from '../../core/audit/audit-log.js';
import type { Models } from '../../core/db.js';
import { Translations } from '../../core/i18n.js';
import type { Jobs } from '../../core/jobs.js';
import { parseSurveyFile, SurveyDefinitionError, textIn } from '../../core/surveys/definition.js';
import { bindSurveyModels } from '../../core/surveys/models.js';
import { meetingFigures } from '../../core/meetings/meeting-service.js';
import { MeetingStore } from '../../core/meetings/meeting-store.js';
import { bindMeetingModels } from '../../core/meetings/models.js';
import { resultsToCsv } from '../../core/surveys/results-csv.js';
import { isOpen, SurveyService } from '../../core/surveys/survey-service.js';
import { formatVnDate } from '../../core/vn-time.js';
import { summarize } from '../../flows/survey-results.js';
import { UsageError, type Command } from './command.js';

/** These commands never schedule reminders, so they need no Redis; scheduling here is a bug. */
const noJobs: Jobs = {
  schedule: () => Promise.reject(new Error('the admin CLI cannot schedule jobs')),
  cancel: () => Promise.resolve(),
  repeat: () => Promise.reject(new Error('the admin CLI cannot schedule jobs')),
  removeRepeat: () => Promise.resolve(),
  purge: () => Promise.resolve(0),
};

/** These commands never take answers, so they need no marker key; asking for a marker here is a bug. */
const noMarkers = {
  marker(): string {
    throw new Error('the admin CLI survey commands cannot compute answered markers');
  },
};

function serviceOf(m: Models): SurveyService {
  const service = new SurveyService(m, bindSurveyModels(m.OrgUnit.db), new AuditLog(m), noJobs, noMarkers);
  // Inspection roll-ups carry the branch meetings held and their attendance, as in chat.
  const meetings = new MeetingStore(bindMeetingModels(m.OrgUnit.db));
  service.meetingFigures = (from, to) => meetingFigures(meetings, from, to, new Date());
  return service;
}

export const surveyCommands: Record<string, Command> = {
  'import-survey': {
    usage: 'import-survey <file.json|file.yaml>',
    summary: 'import or replace a survey or inspection definition',
    async run({ args, models }) {
      const [file, ...extra] = args;
      if (!file || extra.length > 0) throw new UsageError(file ? 'import-survey takes exactly one file' : 'import-survey needs the file to import');
      const ext = extname(file).toLowerCase();
      if (!['.json', '.yaml', '.yml'].includes(ext)) throw new UsageError(`cannot tell the format of ${file}: name it *.json, *.yaml or *.yml`);
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check the path`);
      }
      let def;
      try {
        def = parseSurveyFile(content, ext === '.json' ? 'json' : 'yaml');
      } catch (err) {
        if (!(err instanceof SurveyDefinitionError)) throw err;
        console.error(`${file} was not imported:`);
        for (const p of err.problems) console.error(`  ${p}`);
        console.error('Fix these and import the file again.');
        return 1;
      }
      const outcome = await serviceOf(await models()).importDefinition(def, { actor: 'admin-cli', at: new Date() });
      console.log(`${outcome} survey ${def.id}: ${def.questions.length} questions, ${def.anonymous ? 'anonymous' : 'named'}, open ${def.opensAt.toISOString()} – ${def.closesAt.toISOString()}`);
      return 0;
    },
  },

  'list-surveys': {
    usage: 'list-surveys',
    summary: 'list surveys with their dates and number of responses',
    async run({ args, models }) {
      if (args.length > 0) throw new UsageError('list-surveys takes no arguments');
      const service = serviceOf(await models());
      const now = new Date();
      const surveys = await service.list();
      if (surveys.length === 0) console.log('no surveys yet: npm run admin -- import-survey <file.yaml>');
      for (const s of surveys) {
        const responses = await service.surveyModels.SurveyResponse.countDocuments({ surveyId: s._id });
        const state = isOpen(s, now) ? 'open' : s.opensAt > now ? 'not yet open' : 'closed';
        console.log(`${s._id}\t${s.kind}\t${s.definition.anonymous ? 'anonymous' : 'named'}\t${state}\t${formatVnDate(s.opensAt)}–${formatVnDate(s.closesAt)}\t${responses} responses\t${textIn(s.definition.title, 'vi')}`);
      }
      return 0;
    },
  },

  'survey-results': {
    usage: 'survey-results <survey id> [--csv out.csv]',
    summary: 'print a survey’s results; --csv writes every table (UTF-8 with BOM, for Excel)',
    async run({ args, models }) {
      const [id, ...rest] = args;
      let csv: string | undefined;
      if (rest.length === 2 && rest[0] === '--csv') csv = rest[1];
      else if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`);
      if (!id || id.startsWith('--')) throw new UsageError('survey-results needs the survey id (see list-surveys)');
      const m = await models();
      const results = await serviceOf(m).results(id);
      if (!results) {
        console.error(`no survey "${id}": see npm run admin -- list-surveys`);
        return 1;
      }
      const t = new Translations('vi').for('en');
      console.log(summarize({ t, locale: 'en' }, results));
      if (csv) {
        await writeFile(csv, resultsToCsv(results, 'vi'));
        await new AuditLog(m).record({ actor: 'admin-cli', action: 'survey.results_exported', target: id, details: { file: resolve(csv) }, at: new Date() });
        console.log(`wrote ${resolve(csv)}`);
      }
      return 0;
    },
  },
};
