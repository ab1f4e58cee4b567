/**
 * "You said, we did" in the admin CLI (the operator acts on the whole tree, as "admin-cli"):
 * - `survey-feedback <survey> --draft`: the draft of what was heard, from the suppressed results;
 * - `survey-feedback <survey> --doing "…" [--heard "…" | --heard-file f]`: publishes it (what
 *   was heard defaults to the draft) to everyone the survey invited;
 * - `feedback-list [--kind survey|outcome] [--status s]`: publications and outcome notes, with reach;
 * - `outcome-note publish|set-aside <id>`: the secretariat's decision on an agreed note.
 * Refusals are the service's, in English (the operator's language here).
 */
import { readFile } from 'node:fs/promises';
import { BroadcastInputError, broadcastErrorText } from '../../core/broadcasts/broadcast-errors.js';
import type { Actor } from '../../core/broadcasts/broadcast-service.js';
import { FeedbackInputError, feedbackErrorText } from '../../core/feedback/feedback-errors.js';
import { FEEDBACK_STATUSES, type FeedbackDoc } from '../../core/feedback/models.js';
import type { App } from '../../app/app.js';
import { UsageError, type Command } from './command.js';

const OPERATOR: Actor = { id: 'admin-cli', roles: 'operator' };
const iso = (d: Date | undefined) => (d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') : '—');

/** Options as `--name value` pairs (every option takes a value, except the listed flags). */
function options(args: string[], allowed: string[], flags: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!;
    if (!name.startsWith('--') || ![...allowed, ...flags].includes(name.slice(2))) throw new UsageError(`unknown option ${name.slice(0, 40)}`);
    if (flags.includes(name.slice(2))) {
      out[name.slice(2)] = 'yes';
      continue;
    }
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
    out[name.slice(2)] = value;
  }
  return out;
}

/** Runs a service call; a refusal is printed in English and exits 1. */
async function refusalsAsExit(a: App, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    const t = a.services.i18n.for('en');
    if (err instanceof FeedbackInputError) console.error(feedbackErrorText(t, err));
    else if (err instanceof BroadcastInputError) console.error(broadcastErrorText(t, err));
    else throw err;
    return 1;
  }
}

async function line(a: App, f: FeedbackDoc): Promise<string> {
  const r = await a.services.feedback.reach(f);
  const what = f.kind === 'survey' ? `survey ${f.surveyId}` : `${f.category} at ${f.unitId}${f.concernCode ? ` (${f.concernCode})` : ''}`;
  const reach = f.status === 'published' ? `reached ${r.sent}/${r.targeted}, failed ${r.failed}, opted out ${r.optedOut}` : '';
  return `${f._id.padEnd(22)} ${f.status.padEnd(17)} ${what.padEnd(40)} ${iso(f.publishedAt ?? f.createdAt)}  ${reach}`;
}

export const feedbackCommands: Record<string, Command> = {
  'survey-feedback': {
    usage: 'survey-feedback <survey id> (--draft [--lang vi|en] | --doing "what will be done" [--heard "what was heard" | --heard-file f] [--lang vi])',
    summary: '"you said, we did" after a survey closes: print the draft of what was heard, or publish it with what will be done to everyone invited',
    async run({ args, app }) {
      const [surveyId, ...rest] = args;
      if (!surveyId || surveyId.startsWith('--')) throw new UsageError('name the survey first, e.g. survey-feedback o-tro-2026 --draft');
      const o = options(rest, ['doing', 'heard', 'heard-file', 'lang'], ['draft']);
      const lang = o.lang ?? 'vi';
      const a = await app();
      if (!a.services.i18n.languages.includes(lang)) throw new UsageError(`--lang ${lang.slice(0, 10)}: the bot speaks ${a.services.i18n.languages.join(', ')}`);
      return refusalsAsExit(a, async () => {
        if (o.draft) {
          console.log(await a.services.feedback.draftHeard(surveyId, lang));
          return 0;
        }
        if (o.doing === undefined) throw new UsageError('--doing "what will be done" is required to publish (or --draft to see the draft first)');
        if (o.heard !== undefined && o['heard-file'] !== undefined) throw new UsageError('give --heard or --heard-file, not both');
        const heard = o['heard-file'] !== undefined ? await readFile(o['heard-file'], 'utf8') : (o.heard ?? (await a.services.feedback.draftHeard(surveyId, lang)));
        const doc = await a.services.feedback.publishSurvey({ surveyId, heard, doing: o.doing, locale: lang }, OPERATOR, new Date());
        console.log(`published ${doc._id}: material ${doc.materialId}, broadcasts ${doc.broadcastIds!.join(', ')} (see broadcast-status for the counts)`);
        return 0;
      });
    },
  },
  'feedback-list': {
    usage: 'feedback-list [--kind survey|outcome] [--status ' + FEEDBACK_STATUSES.join('|') + ']',
    summary: '"you said, we did": survey feedback and outcome notes, newest first, with their reach',
    async run({ args, app }) {
      const o = options(args, ['kind', 'status']);
      if (o.kind !== undefined && o.kind !== 'survey' && o.kind !== 'outcome') throw new UsageError('--kind is survey or outcome');
      if (o.status !== undefined && !(FEEDBACK_STATUSES as readonly string[]).includes(o.status)) throw new UsageError(`--status is one of ${FEEDBACK_STATUSES.join(', ')}`);
      const a = await app();
      const list = await a.services.feedback.list({ kind: o.kind as FeedbackDoc['kind'] | undefined, status: o.status as FeedbackDoc['status'] | undefined });
      if (list.length === 0) console.log('nothing yet');
      for (const f of list) console.log(await line(a, f));
      return 0;
    },
  },
  'outcome-note': {
    usage: 'outcome-note publish|set-aside|show <note id>',
    summary: 'an outcome note the reporter agreed to: show it, publish it to the workers of its unit, or set it aside',
    async run({ args, app }) {
      const [action, id] = args;
      if (!['publish', 'set-aside', 'show'].includes(action ?? '') || !id || args.length !== 2) throw new UsageError('outcome-note takes publish, set-aside or show, and a note id like on-1a2b3c4d5e (see feedback-list)');
      const a = await app();
      return refusalsAsExit(a, async () => {
        const now = new Date();
        if (action === 'show') {
          const note = await a.services.feedback.get(id);
          if (!note || note.kind !== 'outcome') {
            console.error(`no outcome note "${id.slice(0, 40)}": see feedback-list`);
            return 1;
          }
          console.log(await line(a, note));
          console.log(note.summary);
          return 0;
        }
        const note = action === 'publish' ? await a.services.feedback.publishOutcome(id, OPERATOR, now) : await a.services.feedback.setAside(id, OPERATOR, now);
        console.log(`${note._id}: ${note.status}${note.broadcastIds ? ` (broadcast ${note.broadcastIds.join(', ')})` : ''}`);
        return 0;
      });
    },
  },
};
