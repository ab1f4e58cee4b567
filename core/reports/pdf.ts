/**
 * HTML to PDF through Debian's chromium in headless print mode — the browser the web tests drive
 * (test/support/web-browser.ts finds it here too). Chromium is run as a plain child process
 * (`chromium --headless --print-to-pdf=… file://…`), not through playwright-core, which is only a
 * devDependency: production needs the `chromium` package (the Dockerfile installs it), nothing
 * from npm. Each call gets its own temporary folder (the page, the profile, the PDF), removed
 * afterwards. The page is expected to be self-contained (the steering report is: its stylesheet
 * and charts inline), so nothing is fetched while printing.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where Debian puts chromium: the launcher script's real binary first, then the launcher. */
const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

/** Debian's chromium: `configured` (CHROMIUM_PATH) when given, else the first installed candidate; undefined when absent. */
export function chromiumPath(configured?: string): string | undefined {
  if (configured) return configured;
  return CANDIDATES.find((p) => existsSync(p));
}

/** Chromium is not installed (nor named by CHROMIUM_PATH). */
export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
  constructor() {
    super("chromium is not installed: apt-get install chromium (Debian's package), or set CHROMIUM_PATH");
  }
}

/** Chromium ran but produced no PDF (crashed, timed out). */
export class PdfFailedError extends Error {
  override name = 'PdfFailedError';
}

export interface PdfOptions {
  /** The chromium binary (default: `chromiumPath()`). */
  chromium?: string;
  /** Gives up (and stops chromium) after this long; default 60 s. */
  timeoutMs?: number;
}

/**
 * Chromium processes printing at once in this process (each takes a second or two and a couple of
 * hundred MB): further prints wait their turn, so a burst of "Print / PDF" clicks cannot exhaust
 * the web role's memory.
 */
const MAX_PRINTING = 2;
let printing = 0;
const waiting: (() => void)[] = [];

async function turn<T>(fn: () => Promise<T>): Promise<T> {
  if (printing >= MAX_PRINTING) await new Promise<void>((go) => waiting.push(go));
  else printing++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else printing--;
  }
}

/** Prints a self-contained HTML page to PDF (A4 unless its CSS says otherwise); returns the PDF's bytes. */
export async function htmlToPdf(html: string, o: PdfOptions = {}): Promise<Buffer> {
  const binary = o.chromium ?? chromiumPath();
  if (!binary) throw new ChromiumMissingError();
  return turn(() => print(binary, html, o));
}

async function print(binary: string, html: string, o: PdfOptions): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'dh-pdf-'));
  try {
    const page = join(dir, 'report.html');
    const out = join(dir, 'report.pdf');
    await writeFile(page, html);
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      '--disable-background-networking',
      '--disable-sync',
      '--mute-audio',
      `--user-data-dir=${join(dir, 'profile')}`,
      '--no-pdf-header-footer',
      `--print-to-pdf=${out}`,
      pathToFileURL(page).href,
    ];
    await run(binary, args, o.timeoutMs ?? 60_000);
    const pdf = await readFile(out).catch(() => undefined);
    if (!pdf || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new PdfFailedError('chromium wrote no PDF');
    return pdf;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs chromium in its own process group, so a timeout stops it and every helper process it started. */
function run(binary: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 4000) stderr += b.toString();
    });
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      fail(new PdfFailedError(`chromium did not finish printing within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail((err as NodeJS.ErrnoException).code === 'ENOENT' ? new ChromiumMissingError() : err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) done();
      else fail(new PdfFailedError(`chromium exited with ${code}: ${stderr.split('\n').filter((l) => !/dbus|Fontconfig/i.test(l)).slice(-3).join(' ').trim()}`));
    });
  });
}
