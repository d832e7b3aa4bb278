// `npm run bench`: runs every benchmark script in this folder, one after another (they share
// two cores with nothing else), each printing its figures and ratios against its peer.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .filter((f) => only.length === 0 || only.includes(basename(f, '.js')))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`\n== ${basename(script, '.js')} ==`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, script)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`${script}: exited with ${result.status ?? result.signal}`);
  }
}
process.exitCode = failed ? 1 : 0;
