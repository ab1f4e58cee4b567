/**
 * The one CSV writer of every export (survey results, the concern report), on csv-stringify:
 * UTF-8 with a BOM so Excel reads Vietnamese, CRLF lines, RFC 4180 quoting, and protection
 * against formula injection — a text cell starting with =, +, -, @, a tab or a CR (or their
 * full-width forms) gets a leading apostrophe, so a spreadsheet shows it instead of running it.
 * Numbers are written as numbers (a negative number stays a number).
 */
import { stringify } from 'csv-stringify/sync';

/** A cell: text, a number, a boolean, a date (written as ISO 8601), or nothing (empty). */
export type CsvCell = string | number | boolean | Date | null | undefined;

/** The CSV text of `rows` (the first one is usually the header), BOM first, every line ended by CRLF. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return stringify(rows as CsvCell[][], {
    bom: true,
    record_delimiter: 'windows',
    // With a record delimiter given, csv-stringify quotes only cells holding all of it (\r\n);
    // a lone \n or \r in a text answer must be quoted too, or it would split the row.
    quote_record_delimiter: true,
    escape_formulas: true,
    cast: { boolean: (v) => String(v), date: (v) => v.toISOString() },
  });
}
