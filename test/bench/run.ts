// `npm run bench`: runs every benchmark script in this folder, one after another (they share
// two cores with nothing else), each printing its figures and ratios against its peer.
// Works on a fresh clone after `npm ci && npm run build`: the kernel mounts and the BPF
// fixtures the benchmarks load are made here first, as the kernel tests make them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .filter((f) => only.length === 0 || only.includes(basename(f, '.js')))
  .sort();

const problem = ensureKernelEnv();
if (problem) {
  console.error(`bench: ${problem}`);
  process.exit(1);
}
buildFixtures();

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
