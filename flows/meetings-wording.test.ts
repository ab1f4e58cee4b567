/** The meetings' words: organisers read "anh/chị", members "bạn"; nothing tells anyone in chat to run a command. */
import { describe, expect, it } from 'vitest';
import { readLocaleFiles } from '../core/i18n.js';

const resources = readLocaleFiles();
const strings = (lng: string): [string, string][] => {
  const walk = (o: unknown, prefix: string): [string, string][] =>
    typeof o === 'string' ? [[prefix, o]] : Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => walk(v, prefix ? `${prefix}.${k}` : k));
  return walk(resources[lng]!.meetings, '');
};
const BAN = /(^|[^\p{L}])bạn([^\p{L}]|$)/iu;
/** What organisers read, and what members read (problem.* is split by who meets it). */
const STAFF = [/^create\./, /^manage\./, /^slot_problem\./, /^problem\.(empty_topic|topic_too_long|empty_place|place_too_long|no_slots|too_many_slots|slot_past|duplicate_slot|deadline_past|deadline_after_slot|unknown_unit|not_allowed|already_started|code_too_early|code_too_late)$/];
const MEMBERS = [/^home_/, /^item_/, /^vote_/, /^fixed_detail$/, /^checkin/, /^notice\./, /^problem\.(not_member|vote_closed)$/];

describe('meetings wording', () => {
  it('addresses organisers as "anh/chị" and members as "bạn"', () => {
    const all = strings('vi');
    const staff = all.filter(([k]) => STAFF.some((r) => r.test(k)));
    const members = all.filter(([k]) => MEMBERS.some((r) => r.test(k)));
    expect(staff.length).toBeGreaterThan(30);
    expect(members.length).toBeGreaterThan(15);
    for (const [key, text] of staff) expect(text, key).not.toMatch(BAN);
    for (const [key, text] of members) expect(text, key).not.toMatch(/anh\/chị/i);
  });

  it('has the same keys in English, and names no command', () => {
    expect(strings('en').map(([k]) => k).sort()).toEqual(strings('vi').map(([k]) => k).sort());
    for (const lng of ['vi', 'en']) for (const [key, text] of strings(lng)) expect(text, `${lng} ${key}`).not.toMatch(/npm run|admin --/);
  });
});
