/**
 * A survey definition's text (YAML or JSON, as pasted or uploaded on the web console) checked
 * with the same validator as the admin CLI (`validateSurvey`, definition.ts), each problem tied
 * to the line it is about: the text is also read as a YAML document (YAML reads JSON too) whose
 * nodes know where they start, and a problem's path (`questions[3].options`) is walked in it to
 * the deepest node that exists — the key's line for a mapping entry, the item's line for a list
 * entry, the mapping's line when a required key is missing.
 *
 * What is validated is exactly what the CLI validates: JSON text read by `JSON.parse`, YAML text
 * by the yaml package (its `parse` is `parseDocument(…).toJS()`, which is what is done here).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { SurveyDefinitionError, validateSurvey, type SurveyDefinition } from './definition.js';

/** One problem: the line it is about (1-based; none when the text as a whole is at fault), its path and what is wrong. */
export interface SourceProblem {
  line?: number;
  /** As the CLI prints it: `questions[3].showIf.question`, `(root)`, `(file)`. */
  path: string;
  message: string;
}

export type SourceCheck = { ok: true; definition: SurveyDefinition; format: 'json' | 'yaml'; lineOf: (path: string) => number | undefined } | { ok: false; format: 'json' | 'yaml'; problems: SourceProblem[] };

/** `questions[3].showIf.question` back into `['questions', 3, 'showIf', 'question']`. */
export function parsePath(path: string): (string | number)[] {
  if (path === '(root)' || path === '(file)') return [];
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]!);
  return out;
}

const keyOf = (k: unknown) => (isScalar(k) ? String(k.value) : String(k));

/** The line (1-based) of what `path` points to in the document, or of its deepest ancestor there. */
export function lineOfPath(doc: Document, lines: LineCounter, path: readonly (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let at = (node as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => keyOf(p.key) === String(seg));
      if (!pair) break;
      at = (pair.key as Node | null)?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? at;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item?.range) break;
      at = item.range[0];
      node = item;
    } else break;
  }
  return at === undefined ? undefined : lines.linePos(at).line;
}

/** `path: message` lines of SurveyDefinitionError into problems with lines; an unknown key points at the key itself. */
function locate(problems: readonly string[], doc: Document, lines: LineCounter): SourceProblem[] {
  return problems.map((p) => {
    const cut = p.indexOf(': ');
    const path = cut < 0 ? '(root)' : p.slice(0, cut);
    const message = cut < 0 ? p : p.slice(cut + 2);
    const segs = parsePath(path);
    const unknown = /^Unrecognized keys?: "([^"]+)"/.exec(message);
    if (unknown) segs.push(unknown[1]!);
    return { line: lineOfPath(doc, lines, segs), path, message };
  });
}

/**
 * The 1-based line of a JSON.parse error: "at position 42" or "(line 3 column 5)" where the
 * message says so; else (Node 20: `Unexpected token '}', ..." "title": }" is not valid JSON`)
 * where its excerpt — up to 10 characters either side of the error — lies in the text.
 */
export function jsonErrorLine(text: string, err: Error): number | undefined {
  const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
  const lc = /line (\d+) column \d+/.exec(err.message);
  if (lc) return Number(lc[1]);
  const pos = /at position (\d+)/.exec(err.message);
  if (pos) return lineOf(Number(pos[1]));
  if (/Unexpected end of JSON input/.test(err.message)) return lineOf(text.trimEnd().length);
  const excerpt = /, (\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON$/.exec(err.message);
  if (!excerpt?.[2]) return undefined;
  const at = text.indexOf(excerpt[2]);
  if (at < 0) return undefined;
  return lineOf(at + (excerpt[1] ? Math.min(10, excerpt[2].length - 1) : 0));
}

/** A YAML parser message without the trailing " at line N, column M:" and the code excerpt (the line is given apart). */
const shortYamlMessage = (m: string) => m.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');

/**
 * Checks a definition's text. `format` as the file's name says (`.json`, `.yaml`/`.yml`); without
 * it, text starting with `{` that JSON reads is JSON, anything else YAML.
 */
export function checkDefinitionText(text: string, format?: 'json' | 'yaml'): SourceCheck {
  const source = text.replace(/^\uFEFF/, '');
  let data: unknown;
  let kind: 'json' | 'yaml' = format ?? 'yaml';
  if (format === 'json' || (!format && source.trimStart().startsWith('{'))) {
    try {
      data = JSON.parse(source);
      kind = 'json';
    } catch (err) {
      if (format === 'json') {
        const message = (err as Error).message.replace(/\s+/g, ' ');
        return { ok: false, format: 'json', problems: [{ line: jsonErrorLine(source, err as Error), path: '(file)', message: `not valid JSON: ${message}` }] };
      }
    }
  }
  const lines = new LineCounter();
  // Duplicate keys: JSON.parse keeps the last, so a JSON text is only read here for its lines.
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: kind !== 'json' });
  if (kind === 'yaml') {
    if (doc.errors.length > 0) {
      return { ok: false, format: 'yaml', problems: doc.errors.map((e) => ({ line: e.linePos?.[0].line, path: '(file)', message: `not valid YAML: ${shortYamlMessage(e.message)}` })) };
    }
    data = doc.toJS();
  }
  try {
    const definition = validateSurvey(data);
    // Checks made after validation (the web console's: units, scope) point at lines too.
    return { ok: true, definition, format: kind, lineOf: (path) => lineOfPath(doc, lines, parsePath(path)) };
  } catch (err) {
    if (!(err instanceof SurveyDefinitionError)) throw err;
    return { ok: false, format: kind, problems: locate(err.problems, doc, lines) };
  }
}
