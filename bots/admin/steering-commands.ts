/**
 * The steering committee's monthly report in the admin CLI:
 * `steering-report --unit X --month YYYY-MM [--html out.html] [--pdf out.pdf] [--lang en] [--as <member id>] [--at <ISO time>]`.
 * Prints the key figures (in the report's language) and writes the printable page and/or its PDF
 * (Debian's chromium, core/reports/pdf.ts). The operator sees every unit, as with the other
 * commands; `--as` answers for a member instead, within their secretariat/admin scope (the one
 * check, `AccessScope.allows`, audited when it refuses). A month not begun is refused; the current
 * month is reported "so far" (figures until now, marked so in the report).
 * Exit codes: 0 done, 1 refused (outside the member's scope) or the PDF could not be made, 2 usage.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { STAFF_ROLES } from '../../core/members/access-scope.js';
import { ChromiumMissingError, htmlToPdf, PdfFailedError } from '../../core/reports/pdf.js';
import { parseReportMonth, SteeringReportReader, steeringSummary } from '../../core/reports/steering-report.js';
import { formatVnDate, formatVnTime } from '../../core/vn-time.js';
import { renderSteeringReport } from '../web/steering-report-html.js';
import { UsageError, type Command } from './command.js';

const USAGE = 'steering-report --unit <unit id> --month <YYYY-MM> [--html out.html] [--pdf out.pdf] [--lang vi|en] [--as <member id>] [--at <ISO time>]';
const FLAGS = ['--unit', '--month', '--html', '--pdf', '--lang', '--as', '--at'] as const;

export const steeringCommands: Record<string, Command> = {
  'steering-report': {
    usage: USAGE,
    summary: "the steering committee's monthly report of a unit: key figures, printable HTML (--html) and PDF (--pdf)",
    async run({ args, app }) {
      const o = new Map<string, string>();
      for (let i = 0; i < args.length; i += 2) {
        const [flag, value] = [args[i]!, args[i + 1]];
        if (!(FLAGS as readonly string[]).includes(flag)) throw new UsageError(`unknown option ${flag}`);
        if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
        if (o.has(flag)) throw new UsageError(`${flag} is given twice`);
        o.set(flag, value);
      }
      const unitId = o.get('--unit');
      if (!unitId) throw new UsageError('--unit is required: the id of the unit to report on (its subtree is included)');
      const monthText = o.get('--month');
      if (!monthText) throw new UsageError('--month is required: the calendar month, e.g. --month 2026-11');
      let now = new Date();
      if (o.has('--at')) {
        // As of another moment (which month is current), for tests and to reproduce a report.
        now = new Date(o.get('--at')!);
        if (Number.isNaN(now.getTime())) throw new UsageError(`--at "${o.get('--at')}" is not a time: write it like 2026-12-01T07:00:00+07:00`);
      }
      const parsed = parseReportMonth(monthText, now);
      if ('problem' in parsed) {
        if (parsed.problem === 'malformed') throw new UsageError(`--month "${monthText}" is not a month: write it as YYYY-MM, e.g. 2026-11`);
        throw new UsageError(`${monthText} has not begun yet (today is ${formatVnDate(now)} in Vietnam): there is no report for it; the current month can be reported so far`);
      }
      const a = await app();
      const languages = a.services.i18n.languages;
      const lang = o.get('--lang') ?? a.config.DEFAULT_LOCALE;
      if (!languages.includes(lang)) throw new UsageError(`--lang "${lang}" is not a language of the app: use one of ${languages.join(', ')}`);
      const unit = await a.services.org.get(unitId, now);
      if (!unit) throw new UsageError(`no org unit "${unitId}": use a unit id from the org tree (e.g. the city's code)`);
      const actor = o.get('--as');
      if (actor) {
        const member = await a.services.members.get(actor);
        if (!member || member.status !== 'active') throw new UsageError(`no active member "${actor}"`);
        if (!(await a.services.access.allows(member, STAFF_ROLES, unit._id, now, 'cli.steering_report'))) {
          const scope = await a.services.access.resolve(member, STAFF_ROLES, now);
          const where = scope.whole ? 'the whole tree' : scope.units.length ? scope.units.join(', ') : 'no unit (no secretariat or admin role)';
          console.error(`refused: ${unit.name} (${unit._id}) is outside the scope of member ${actor}, whose secretariat/admin scope is ${where}`);
          return 1;
        }
      }
      const report = await new SteeringReportReader({ ...a.services, models: a.models }).read({ unitId: unit._id, month: parsed.month, now });
      const t = a.services.i18n.for(lang);
      console.log(steeringSummary(t, report, lang));
      if (report.soFar) console.error(`note: ${parsed.month.month} is not over yet: the figures run until ${formatVnTime(report.asOf)} and the report says "so far"`);
      const page = renderSteeringReport(report, { t, locale: lang });
      const by = actor ?? 'admin-cli';
      const htmlOut = o.get('--html');
      if (htmlOut) {
        await writeFile(htmlOut, page);
        console.log(`wrote ${resolve(htmlOut)}`);
      }
      const pdfOut = o.get('--pdf');
      if (pdfOut) {
        try {
          await writeFile(pdfOut, await htmlToPdf(page, { chromium: a.config.CHROMIUM_PATH }));
        } catch (err) {
          if (!(err instanceof ChromiumMissingError || err instanceof PdfFailedError)) throw err;
          console.error(`no PDF written: ${err.message}`);
          return 1;
        }
        console.log(`wrote ${resolve(pdfOut)}`);
      }
      if (htmlOut || pdfOut) {
        await a.services.audit.record({ actor: by, action: 'report.steering_exported', target: unit._id, details: { month: parsed.month.month, format: [htmlOut && 'html', pdfOut && 'pdf'].filter(Boolean).join('+'), via: 'cli' }, at: now });
      }
      return 0;
    },
  },
};
