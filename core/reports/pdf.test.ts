/**
 * HTML to PDF through Debian's chromium (skipped only where chromium is not installed, as on a
 * machine without the browser tests' chromium): a real PDF comes back, nothing is left behind,
 * and a missing binary is told apart from a failed print.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChromiumMissingError, chromiumPath, htmlToPdf } from './pdf.js';

const CHROMIUM = chromiumPath(process.env.CHROMIUM_PATH);

describe.skipIf(!CHROMIUM)('htmlToPdf (chromium)', () => {
  it('prints a self-contained page with Vietnamese text and inline SVG to a PDF', async () => {
    // Its own temporary folder (os.tmpdir() reads TMPDIR), to see that nothing is left in it.
    const tmp = mkdtempSync(join(tmpdir(), 'dh-pdf-test-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const page = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>@page { size: A4; margin: 14mm } .b { break-before: page }</style></head>
<body><h1>Báo cáo gửi Ban chỉ đạo — Tháng 11/2026</h1><svg width="200" height="40"><rect width="120" height="20" fill="#0b5cab"/></svg><p class="b">Trang hai</p></body></html>`;
    let pdf: Buffer;
    try {
      pdf = await htmlToPdf(page);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(tmp, { recursive: true, force: true });
    }
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // Two A4 pages (the page break), each 595 × 842 points.
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(2);
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox\s*\[0 0 594\.9\d* 841\.9\d*\]/);
  }, 60_000);
});

describe('htmlToPdf without chromium', () => {
  it('says chromium is missing', async () => {
    await expect(htmlToPdf('<p>x</p>', { chromium: '/nonexistent/chromium' })).rejects.toBeInstanceOf(ChromiumMissingError);
  });
});
