// Copies what the compiled code reads at run time (locales, sample data) next to it in dist/.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

cpSync('locales', 'dist/locales', { recursive: true });
// The web console's stylesheet (bots/web/web-console.ts reads it beside the code).
cpSync('bots/web/assets', 'dist/bots/web/assets', { recursive: true });
// Every `sample/` folder under core/ (org tree, surveys, …).
function copySamples(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    if (name === 'sample') cpSync(p, join('dist', p), { recursive: true });
    else copySamples(p);
  }
}
if (existsSync('core')) copySamples('core');
