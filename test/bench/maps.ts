// Map reading benchmarks on the fixture's BTF-typed big_hash (u32 key, 32-byte struct):
// bpftool map dump -j into a file, the addon's batch loop in one call (the C limit through
// our binding), our paged raw read, the next-key fallback, and `bpfscope dump map --json >
// file` end to end (its output checked byte for byte against bpftool's) with its peak heap.
// The figures are for a million entries, which also amortises process start-up.
// Run after `npx tsc -p tsconfig.json`:
//   node out/node/test/bench/maps.js [ENTRIES]     (default 1000000)
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { main } from '../../main/cli.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { MapStream, type MapStreamOptions } from '../../main/hosts/map-stream.js';
import { loadNativeAddon, type NativeHandle } from '../../main/hosts/native-addon.js';
import { loadBigHash } from '../helpers/big-hash.js';
import { median } from '../helpers/median.js';

const ENTRIES = Number(process.argv[2] ?? 1_000_000);
// Compiled to out/node/test/bench: the source tree is four levels up.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(ROOT, 'bin/bpfscope.js');
const RUNS = 3;


async function timed(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function rawRead(host: LocalHost, id: number, options: MapStreamOptions): Promise<number> {
  const stream = await MapStream.open(host, id, options);
  let n = 0;
  for await (const page of stream!.pages()) n += page.count;
  if (n !== ENTRIES) throw new Error(`read ${n} entries, expected ${ENTRIES}`);
  return n;
}

const line = (name: string, ms: number, extra = ''): void =>
  console.log(`${name.padEnd(44)} ${(ms / 1000).toFixed(3).padStart(8)} s  ${((ENTRIES / ms) * 1000 / 1e6).toFixed(2).padStart(6)} M entries/s${extra}`);

// The fixture loader (built by build/fixtures.sh where it is not, as the kernel tests do) holds the map until stopped.
const big = await loadBigHash(ENTRIES);
try {
  const id = big.id;
  const host = new LocalHost();
  const addon = loadNativeAddon();
  console.log(`big_hash: ${ENTRIES} entries (u32 key, 32-byte struct value), map id ${id}, median of ${RUNS}`);

  const peerFile = join(tmpdir(), `bpfscope-bench-${process.pid}.bpftool.json`);
  const bpftool = await timed(RUNS, () => {
    const fd = openSync(peerFile, 'w');
    const r = spawnSync('bpftool', ['map', 'dump', 'id', String(id), '-j'], { stdio: ['ignore', fd, 'ignore'] });
    closeSync(fd);
    if (r.status !== 0) throw new Error('bpftool failed');
  });
  line('bpftool map dump -j > file', bpftool);

  const cLimit = await timed(RUNS, () => {
    const handle = addon.mapOpen(id) as NativeHandle;
    let cursor: Buffer | null = null;
    let n = 0;
    for (;;) {
      const page = addon.mapLookupBatch(handle, cursor, 4, 32, ENTRIES + 1024);
      n += page.count;
      cursor = page.cursor;
      if (page.done) break;
    }
    addon.close(handle);
    if (n !== ENTRIES) throw new Error(`batch read ${n}`);
  });
  line('addon batch, one call for the whole map', cLimit);

  const raw = await timed(RUNS, () => rawRead(host, id, {}));
  line('MapStream raw read (4 MiB pages, auto)', raw, `   ${((cLimit / raw) * 100).toFixed(0)}% of the one-call batch rate`);
  const next = await timed(1, () => rawRead(host, id, { mode: 'next' }));
  line('MapStream next-key + lookup fallback', next);

  const file = join(tmpdir(), `bpfscope-bench-${process.pid}.json`);
  const e2e = await timed(RUNS, () => {
    const fd = openSync(file, 'w');
    const r = spawnSync(BIN, ['dump', 'map', String(id), '--json'], { stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    if (r.status !== 0) throw new Error('bpfscope dump failed');
  });
  const identical = readFileSync(file).equals(readFileSync(peerFile));
  unlinkSync(peerFile);
  line('bpfscope dump map --json > file (process)', e2e, `   ${(bpftool / e2e).toFixed(1)}x bpftool, ${identical ? 'byte-identical' : 'DIFFERENT'} to bpftool's`);
  if (!identical) process.exitCode = 1;

  // The same dump in this process, sampling the heap at every page written.
  let peak = 0;
  const fd = openSync(file, 'w');
  const base = getHeapStatistics().used_heap_size;
  const inProcess = await timed(1, () =>
    main(['dump', 'map', String(id), '--json'], {
      out: (text) => {
        writeSync(fd, text);
      },
      outBytes: async (bytes) => {
        writeSync(fd, bytes);
        peak = Math.max(peak, getHeapStatistics().used_heap_size);
      },
      err: (text) => process.stderr.write(text),
    }),
  );
  closeSync(fd);
  line('bpfscope dump map --json (in process)', inProcess, `   peak heap ${(peak / 2 ** 20).toFixed(0)} MB (${((peak - base) / 2 ** 20).toFixed(0)} MB above start), file ${(statSync(file).size / 2 ** 20).toFixed(0)} MB`);
  unlinkSync(file);
  console.log(`ratios: raw read ${(bpftool / raw).toFixed(1)}x faster than bpftool; end to end ${(bpftool / e2e).toFixed(1)}x; raw/C-batch ${(cLimit / raw).toFixed(2)}`);
} finally {
  await big.stop();
}
