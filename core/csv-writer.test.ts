import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { toCsv } from './csv-writer.js';

describe('toCsv', () => {
  it('starts with the UTF-8 BOM and ends every line with CRLF', () => {
    const csv = toCsv([
      ['đơn vị', 'số'],
      ['Công ty May Phúc Thịnh', 7],
    ]);
    expect(csv).toBe('\uFEFFđơn vị,số\r\nCông ty May Phúc Thịnh,7\r\n');
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('puts an apostrophe before text that a spreadsheet would read as a formula', () => {
    const cells = ['=HYPERLINK("http://evil.example","bấm vào")', '+84912345678', '-1+1', '@SUM(A1:A2)', '\t=1', '\r=1', '＝1+1'];
    const csv = toCsv([cells]);
    expect(parse(csv, { bom: true })).toEqual([cells.map((c) => `'${c}`)]);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""bấm vào"")"`);
  });

  it('leaves numbers, harmless text and a formula character later in the text alone', () => {
    const csv = toCsv([[-3, 0, 63.6, 'a=b', 'Nhà trọ', 'x-y', '<5']]);
    expect(csv).toBe('\uFEFF-3,0,63.6,a=b,Nhà trọ,x-y,<5\r\n');
  });

  it('quotes commas, quotes and line breaks, writes nothing for null and undefined, and ISO dates', () => {
    const rows = [['a,b', 'say "hi"', 'two\nlines', 'cr\ronly', null, undefined, true, new Date('2026-11-25T02:00:00Z')]];
    const csv = toCsv(rows);
    expect(csv).toBe('\uFEFF"a,b","say ""hi""","two\nlines","cr\ronly",,,true,2026-11-25T02:00:00.000Z\r\n');
    expect(parse(csv, { bom: true })).toEqual([['a,b', 'say "hi"', 'two\nlines', 'cr\ronly', '', '', 'true', '2026-11-25T02:00:00.000Z']]);
  });
});
