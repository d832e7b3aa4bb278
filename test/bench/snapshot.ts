// Snapshot of a big map vs its peer, in the same run: `bpfscope snapshot --maps ID
// --max-entries N -o FILE` (a whole process: every program, map, link, BTF, attachment query,
// then the map's contents, gzip'd) against `bpftool map dump id ID -j` of the same map (to
// /dev/null). The fixture's big_hash: u32 key, 32-byte BTF struct value. Run after tsc:
//   node out/node/test/bench/snapshot.js [ENTRIES]     (default 1000000)
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SnapshotHost } from '../../main/hosts/snapshot-host.js';
import { loadBigHash } from '../helpers/big-hash.js';
import { median } from '../helpers/median.js';

const ENTRIES = Number(process.argv[2] ?? 1_000_000);
const RUNS = 3;
// Compiled to out/node/test/bench: the source tree is four levels up.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(ROOT, 'bin/bpfscope.js');


function timedSync(runs: number, fn: () => void): number[] {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

const big = await loadBigHash(ENTRIES);
const file = join(tmpdir(), `bpfscope-bench-${process.pid}.snapshot`);
try {
  const id = big.id;
  console.log(`big_hash: ${ENTRIES} entries (u32 key, 32-byte struct value), map id ${id}, median of ${RUNS}, alternating`);

  // Alternate the two so that load on the shared cores hits both alike.
  const bpftool: number[] = [];
  const snapshot: number[] = [];
  let lastErr = '';
  for (let i = 0; i < RUNS; i++) {
    bpftool.push(...timedSync(1, () => {
      const r = spawnSync('bpftool', ['map', 'dump', 'id', String(id), '-j'], { stdio: ['ignore', 'ignore', 'ignore'] });
      if (r.status !== 0) throw new Error('bpftool failed');
    }));
    snapshot.push(...timedSync(1, () => {
      const r = spawnSync(BIN, ['snapshot', '--maps', String(id), '--max-entries', String(ENTRIES), '-o', file], {
        stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`bpfscope snapshot failed: ${r.stderr}`);
      lastErr = r.stderr;
    }));
  }

  // The file holds the whole map: reopen it and count.
  const host = await SnapshotHost.open(file);
  const content = host.manifest.mapContents[String(id)];
  if (!content || content.count !== ENTRIES || !content.complete) {
    throw new Error(`snapshot recorded ${content?.count ?? 0} entries of map ${id}, expected ${ENTRIES}`);
  }
  const mapLine = lastErr.split('\n').find((l) => l.startsWith(`snapshot: map ${id} `));
  const tb = median(bpftool);
  const ts = median(snapshot);
  console.log(`bpftool map dump id ${id} -j (to /dev/null)       ${seconds(tb).padStart(9)}   runs ${bpftool.map((m) => seconds(m)).join(', ')}`);
  console.log(`bpfscope snapshot --maps ${id} (process, whole)  ${seconds(ts).padStart(9)}   runs ${snapshot.map((m) => seconds(m)).join(', ')}`);
  if (mapLine) console.log(`  of which the map read: ${mapLine.replace(/^snapshot: /, '')}`);
  console.log(`  file ${(statSync(file).size / 2 ** 20).toFixed(1)} MB gzip'd, ${host.manifest.ids.prog.length} programs, ` +
    `${host.manifest.ids.map.length} maps, ${host.manifest.ids.btf.length} BTF objects recorded alongside`);
  console.log(`ratio: snapshot ${(tb / ts).toFixed(2)}x faster than bpftool map dump -j (${ts < tb ? 'less' : 'MORE'} time)`);
  if (ts >= tb) process.exitCode = 1;
} finally {
  rmSync(file, { force: true });
  await big.stop();
}
