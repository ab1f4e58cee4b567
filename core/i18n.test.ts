/** Every word a person reads comes from locales/: keys must exist in every language, and every key the code uses must exist. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES_DIR, readLocaleFiles, Translations } from './i18n.js';

function keysOf(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

const resources = readLocaleFiles();
const languages = Object.keys(resources);
const namespaces = [...new Set(languages.flatMap((l) => Object.keys(resources[l]!)))];

/** i18next's plural forms (`age_one`, `age_other`): each language has its own (Vietnamese only `other`). */
const PLURAL = /_(zero|one|two|few|many|other)$/;

function rawKeys(lng: string): string[] {
  return Object.entries(resources[lng]!).flatMap(([ns, tree]) => keysOf(tree).map((k) => `${ns}:${k}`));
}

/** A key is plural when English has both its `_one` and `_other` forms (a name like `too_many` is not). */
const pluralBases = new Set(rawKeys('en').filter((k) => k.endsWith('_one') && rawKeys('en').includes(k.replace(/_one$/, '_other'))).map((k) => k.replace(/_one$/, '')));
const baseOf = (k: string) => (pluralBases.has(k.replace(PLURAL, '')) ? k.replace(PLURAL, '') : k);

/** Every key of a language, a plural key once under its base name (`age` for `age_one`, `age_other`). */
function allKeys(lng: string): Set<string> {
  return new Set(rawKeys(lng).map(baseOf));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('locales', () => {
  it('has Vietnamese and English', () => {
    expect(languages).toEqual(expect.arrayContaining(['vi', 'en']));
  });

  it.each(languages)('%s has exactly the keys of every other language', (lng) => {
    const mine = allKeys(lng);
    for (const other of languages) {
      const missing = [...allKeys(other)].filter((k) => !mine.has(k));
      expect(missing, `${lng} lacks keys that ${other} has`).toEqual([]);
    }
  });

  it.each(languages)('%s has every plural form its language needs for each plural key', (lng) => {
    const needed = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
    const forms = new Map<string, Set<string>>();
    for (const k of rawKeys(lng)) {
      const base = baseOf(k);
      if (base !== k) forms.set(base, (forms.get(base) ?? new Set()).add(PLURAL.exec(k)![1]!));
    }
    for (const [key, have] of forms) expect([...needed].filter((c) => !have.has(c)), `${lng} ${key}`).toEqual([]);
  });

  it('defines every key the code uses', () => {
    const root = join(LOCALES_DIR, '..');
    const used = new Map<string, string>();
    const pattern = new RegExp(`['"\`](${namespaces.join('|')}):([A-Za-z0-9_.]+)['"\`]`, 'g');
    for (const dir of ['bots', 'core', 'flows', 'workers']) {
      for (const file of sourceFiles(join(root, dir))) {
        for (const m of readFileSync(file, 'utf8').matchAll(pattern)) used.set(`${m[1]}:${m[2]}`, file);
      }
    }
    expect(used.size).toBeGreaterThan(40);
    for (const lng of languages) {
      const defined = allKeys(lng);
      const missing = [...used.keys()].filter((k) => !defined.has(k));
      expect(missing, `keys used in code but missing from ${lng}`).toEqual([]);
    }
  });

  it('has no empty strings', () => {
    for (const lng of languages) {
      const t = new Translations(lng, resources).for(lng);
      for (const key of allKeys(lng)) expect(t(key).trim().length, `${lng} ${key}`).toBeGreaterThan(0);
    }
  });

  it('picks a language from a platform hint', () => {
    const i18n = new Translations('vi', resources);
    expect(i18n.pick('en-US')).toBe('en');
    expect(i18n.pick('km')).toBe('vi');
    expect(i18n.pick(undefined)).toBe('vi');
    expect(i18n.for('en')('common:language_name')).toBe('English');
  });
});
