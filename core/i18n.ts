/**
 * i18next over the JSON files in locales/<language>/<namespace>.json. Adding a language is
 * only data: drop a folder next to vi/ and en/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n as I18n, type Resource } from 'i18next';

export const LOCALES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'locales');

/** Reads every locales/<lng>/<ns>.json into an i18next resource object. */
export function readLocaleFiles(dir = LOCALES_DIR): Resource {
  const resources: Resource = {};
  for (const lng of readdirSync(dir)) {
    resources[lng] = {};
    for (const file of readdirSync(join(dir, lng)).filter((f) => f.endsWith('.json'))) {
      resources[lng]![file.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(dir, lng, file), 'utf8'));
    }
  }
  return resources;
}

/** A translate function bound to one language. */
export type Translate = (key: string, vars?: Record<string, unknown>) => string;

/** The process's translations. */
export class Translations {
  readonly languages: string[];
  private readonly i18n: I18n;

  constructor(readonly defaultLocale: string, resources: Resource = readLocaleFiles()) {
    this.languages = Object.keys(resources).sort((a, b) => (a === defaultLocale ? -1 : b === defaultLocale ? 1 : a.localeCompare(b)));
    this.i18n = i18next.createInstance();
    void this.i18n.init({
      resources,
      lng: defaultLocale,
      fallbackLng: defaultLocale,
      ns: Object.keys(resources[defaultLocale] ?? {}),
      defaultNS: 'common',
      initAsync: false,
      interpolation: { escapeValue: false },
      returnNull: false,
    });
  }

  /** Picks a supported language from a platform hint such as "en-US", else the default. */
  pick(hint: string | undefined): string {
    const base = hint?.toLowerCase().split(/[-_]/)[0];
    return base && this.languages.includes(base) ? base : this.defaultLocale;
  }

  /** A translate function for one language. */
  for(locale: string): Translate {
    const t = this.i18n.getFixedT(this.languages.includes(locale) ? locale : this.defaultLocale);
    return (key, vars) => t(key, vars ?? {}) as string;
  }

  /** The value of a key in every language (e.g. the words that mean "menu"). */
  inAllLanguages(key: string): string[] {
    return this.languages.map((lng) => this.i18n.getFixedT(lng)(key) as string);
  }
}
