/**
 * The one way the web console writes HTML: a tagged template (`html\`<p>${text}</p>\``) that
 * escapes every value it is given, unless the value is itself SafeHtml (made by `html` or, for
 * constants written in code only, `trusted`). Arrays are joined; null, undefined and false write nothing.
 */

/** HTML that is already safe to write as it is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template may be given. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text as HTML text or a quoted attribute value: & < > " ' ` replaced by entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

function render(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.value;
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/** Builds HTML from a template, escaping every interpolated value. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Marks a constant written in code as HTML. Never give it anything a person or the database supplied. */
export function trusted(constant: string): SafeHtml {
  return new SafeHtml(constant);
}
