/** A text progress bar on stderr for the admin CLI's imports. */

/** Redrawn in place on a terminal; every 10 % as its own line otherwise (logs, CI). */
export function progressBar(label: string): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    const pct = total === 0 ? 1 : done / total;
    const bar = `[${'#'.repeat(Math.round(pct * 20)).padEnd(20, '-')}] ${done}/${total} ${label}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${bar}${done === total ? '\n' : ''}`);
    else if (Math.floor(pct * 10) !== lastTenth) process.stderr.write(`${bar}\n`);
    lastTenth = Math.floor(pct * 10);
  };
}
