// Dumping every loaded program: bpftool one by one (`prog dump xlated id N`, which rereads
// /proc/kallsyms each time) against one bpfscope session that reads and indexes kallsyms
// once. Run after `npm run build`: node out/node/test/bench/bytecode.js
// Lists whatever is loaded on this machine (run the fixture loader first for more).
import { execFileSync, spawnSync } from 'node:child_process';
import { renderListingText } from '../../main/kernel/isa/index.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { programCode } from '../../main/hosts/program-code.js';

async function main(): Promise<void> {
  const ids = (JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' })) as Array<{ id: number }>).map((p) => p.id);
  if (ids.length === 0) throw new Error('no programs loaded: nothing to compare');

  let t0 = performance.now();
  let bpftoolLines = 0;
  for (const id of ids) {
    const r = spawnSync('bpftool', ['prog', 'dump', 'xlated', 'id', String(id)], { encoding: 'utf8' });
    bpftoolLines += r.stdout.split('\n').length;
  }
  const bpftoolMs = performance.now() - t0;

  t0 = performance.now();
  const session = new HostSession(new LocalHost());
  let ourLines = 0;
  for (const id of ids) {
    const code = await programCode(session, id);
    if (code) ourLines += renderListingText(code.listing).split('\n').length;
  }
  const oursMs = performance.now() - t0;

  console.log(`programs: ${ids.length}`);
  console.log(`bpftool prog dump xlated, one by one: ${bpftoolMs.toFixed(0)} ms (${(bpftoolMs / ids.length).toFixed(1)} ms/program, ${bpftoolLines} lines)`);
  console.log(`bpfscope, one session:                ${oursMs.toFixed(0)} ms (${(oursMs / ids.length).toFixed(1)} ms/program, ${ourLines} lines)`);
  console.log(`ratio: ${(bpftoolMs / oursMs).toFixed(1)}x faster (target >= 10x)`);
}

await main();
