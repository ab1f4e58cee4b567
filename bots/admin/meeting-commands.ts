/**
 * Branch meetings in the admin CLI: `meeting-create`, `meeting-list`, `meeting-show`. Times are
 * Vietnam time, read as in chat ("Chủ nhật 9:00", "sau ca sáng 14:30", "25/12/2026 08:00") and
 * shown in the one display format. The invitation and the deadline are queued in Redis; the
 * running app sends them (outside quiet hours).
 */
import { MAX_SLOTS, sendableAt } from '../../core/meetings/meeting-rules.js';
import { MeetingError, slotText, startOf, type MeetingDraft } from '../../core/meetings/meeting-service.js';
import type { MeetingDoc } from '../../core/meetings/models.js';
import { parseSlot, type SlotProblem } from '../../core/meetings/slot-parse.js';
import { Translations } from '../../core/i18n.js';
import { formatVnTime } from '../../core/vn-time.js';
import { UsageError, type Command } from './command.js';

const SLOT_PROBLEMS: Record<SlotProblem, string> = {
  no_time: 'has no time of day in it',
  bad_date: 'is not a real date',
  past: 'has already passed',
  too_far: 'is more than a year ahead',
};

const MEETING_PROBLEMS: Partial<Record<MeetingError['reason'], string>> = {
  empty_topic: '--topic is empty: say what the meeting is about',
  topic_too_long: '--topic is longer than 200 characters',
  empty_place: '--place is empty: give a place or an online link',
  place_too_long: '--place is longer than 300 characters',
  no_slots: 'give at least one --slot',
  too_many_slots: `give at most ${MAX_SLOTS} --slot options`,
  slot_past: 'a --slot has already passed',
  duplicate_slot: 'two --slot options are the same time',
  deadline_past: '--deadline has already passed',
  deadline_after_slot: '--deadline must be before the earliest --slot',
};

/** Reads `--flag value` pairs; flags in `many` may repeat. */
function options(args: string[], known: readonly string[], many: readonly string[] = []): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i]!, args[i + 1]];
    if (!known.includes(flag)) throw new UsageError(`unknown option ${flag}`);
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    if (out.has(flag) && !many.includes(flag)) throw new UsageError(`${flag} given twice`);
    out.set(flag, [...(out.get(flag) ?? []), value]);
  }
  return out;
}

const vi = new Translations('vi').for('vi');

function statusLine(m: MeetingDoc): string {
  const start = startOf(m);
  if (m.status === 'cancelled') return `cancelled${m.cancelledAt ? ` at ${formatVnTime(m.cancelledAt)}` : ''}`;
  return start ? `fixed: ${formatVnTime(start)} (${m.fixedHow === 'auto' ? 'most voted at the deadline' : 'by the organiser'})` : `voting until ${formatVnTime(m.deadline)}`;
}

export const meetingCommands: Record<string, Command> = {
  'meeting-create': {
    usage: 'meeting-create --unit <unit id> --topic <text> --place <place or link> --slot <time> [--slot <time> …] --deadline <time> [--by <member id>]',
    summary: 'create a branch meeting with 1–4 candidate times; members of the unit are invited to choose',
    async run({ args, app }) {
      const o = options(args, ['--unit', '--topic', '--place', '--slot', '--deadline', '--by'], ['--slot']);
      for (const required of ['--unit', '--topic', '--place', '--slot', '--deadline']) if (!o.has(required)) throw new UsageError(`${required} is required`);
      const now = new Date();
      const slots = o.get('--slot')!.map((text) => {
        const r = parseSlot(text, now);
        if (!r.ok) throw new UsageError(`--slot "${text}" ${SLOT_PROBLEMS[r.problem]}: write it like "Chủ nhật 9:00", "sau ca sáng 14:30" or "25/12/2026 08:00"`);
        return r.slot;
      });
      const deadlineText = o.get('--deadline')![0]!;
      const deadline = parseSlot(deadlineText, now);
      if (!deadline.ok) throw new UsageError(`--deadline "${deadlineText}" ${SLOT_PROBLEMS[deadline.problem]}`);
      const a = await app();
      const unit = await a.services.org.get(o.get('--unit')![0]!, now);
      if (!unit) throw new UsageError(`no org unit "${o.get('--unit')![0]}" in force: use a unit id from the org tree (e.g. chidoan-phuc-thinh-may)`);
      const draft: MeetingDraft = { unitId: unit._id, topic: o.get('--topic')![0]!, place: o.get('--place')![0]!, slots, deadline: deadline.slot.at };
      let m: MeetingDoc;
      try {
        m = await a.services.meetings.create(draft, { operator: o.get('--by')?.[0] ?? 'admin-cli' }, now);
      } catch (err) {
        if (err instanceof MeetingError && MEETING_PROBLEMS[err.reason]) throw new UsageError(MEETING_PROBLEMS[err.reason]!);
        throw err;
      }
      const invite = sendableAt(now);
      console.log(`Meeting ${m._id} created for ${unit.name} (${unit._id}): "${m.topic}" at ${m.place}`);
      m.slots.forEach((s, i) => console.log(`  ${i + 1}. ${slotText(vi, s)}`));
      console.log(`Invitations go out ${invite.getTime() > now.getTime() ? `at ${formatVnTime(invite)} (after quiet hours)` : 'now'}, from the running app; voting closes ${formatVnTime(m.deadline)}.`);
      return 0;
    },
  },

  'meeting-list': {
    usage: 'meeting-list [--unit <unit id>]',
    summary: 'branch meetings, newest first (of a unit and the units under it)',
    async run({ args, app }) {
      const o = options(args, ['--unit']);
      const a = await app();
      const now = new Date();
      const unitId = o.get('--unit')?.[0];
      if (unitId && !(await a.services.org.get(unitId, now))) throw new UsageError(`no org unit "${unitId}" in force`);
      const list = await a.services.meetings.list(unitId, now);
      if (list.length === 0) {
        console.log('No meetings.');
        return 0;
      }
      for (const m of list) {
        const present = m.status === 'fixed' ? ` present ${await a.services.meetings.present(m)}/${m.counts?.invited ?? '?'}` : '';
        console.log(`${m._id}  ${m.unitId.padEnd(28)} ${statusLine(m).padEnd(60)} ${m.topic}${present}`);
      }
      return 0;
    },
  },

  'meeting-show': {
    usage: 'meeting-show <meeting id>',
    summary: 'one branch meeting: times and votes, status, invitations, attendance',
    async run({ args, app }) {
      const [id, ...extra] = args;
      if (!id || extra.length) throw new UsageError(id ? 'meeting-show takes one meeting id' : 'meeting-show needs a meeting id (see meeting-list)');
      const a = await app();
      const m = await a.services.meetings.get(id);
      if (!m) throw new UsageError(`no meeting "${id}": see meeting-list for the ids`);
      const unit = await a.services.org.get(m.unitId, new Date());
      const counts = await a.services.meetings.tally(m);
      console.log(`${m._id}: "${m.topic}"`);
      console.log(`Unit: ${unit?.name ?? m.unitId} (${m.unitId})`);
      console.log(`Place: ${m.place}`);
      console.log(`Status: ${statusLine(m)}`);
      console.log(`Voting deadline: ${formatVnTime(m.deadline)}; answered: ${await a.services.meetings.voters(m)}`);
      m.slots.forEach((s, i) => console.log(`  ${m.fixedSlot === i ? '*' : ' '}${i + 1}. ${slotText(vi, s).padEnd(40)} ${counts[i]} vote(s)`));
      const c = m.counts;
      console.log(c ? `Invited: ${c.invited} (skipped: ${c.optedOut} opted out, ${c.unreachable} unreachable, ${c.withdrawn} withdrawn)` : 'Invited: not yet sent');
      if (m.status === 'fixed') console.log(`Present: ${await a.services.meetings.present(m)}${m.code ? ' (check-in code issued)' : ''}`);
      console.log(`Created ${formatVnTime(m.createdAt)} by ${m.createdBy}`);
      return 0;
    },
  },
};
