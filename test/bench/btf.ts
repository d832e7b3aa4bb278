// BTF benchmarks. `btf ID --c` and `--raw` as whole processes against bpftool's `btf dump id
// ID format c|raw` in the same run (taken in turn, medians, wall time and peak memory, with
// `node -e 0` as the floor), for vmlinux and for a program's BTF; where the time of a cold
// run goes inside the process (read, parse, index the records, print); formatting struct
// values to the UI tree. Needs root (the fixtures' program BTF) and GNU time. Run after
// `npm run build`:
//   node out/node/test/bench/btf.js [ROUNDS]      (default 7)
//
// A cold run is what a user gets: the printers run once, mostly before V8 has optimized them
// (after the first run of a process vmlinux prints as C in about a third of the time).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBtf } from '../../main/kernel/btf/btf.js';
import { formatCChunks } from '../../main/kernel/btf/c.js';
import { formatRawChunks } from '../../main/kernel/btf/raw.js';
import { ValueFormatter } from '../../main/kernel/btf/value.js';
import { KIND } from '../../main/kernel/btf/wire.js';
import { startFixtures } from '../helpers/fixtures.js';
import { median } from '../helpers/median.js';
import { measureInTurn, requireGnuTime, type PeerCommands } from '../helpers/process-run.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const HERE = fileURLToPath(import.meta.url);
// Compiled to out/node/test/bench: the source tree is four levels up.
const BIN = join(resolve(dirname(HERE), '../../../..'), 'bin/bpfscope.js');

/** One cold print of vmlinux in this process, phase by phase (run in a fresh process per sample). */
function coldPhases(format: 'c' | 'raw'): void {
  const t0 = performance.now();
  const bytes = new Uint8Array(readFileSync(VMLINUX));
  const t1 = performance.now();
  const btf = parseBtf(bytes);
  const t2 = performance.now();
  btf.records();
  const t3 = performance.now();
  let n = 0;
  for (const chunk of format === 'c' ? formatCChunks(btf) : formatRawChunks(btf)) n += chunk.length;
  const t4 = performance.now();
  console.log(JSON.stringify({ read: t1 - t0, parse: t2 - t1, records: t3 - t2, print: t4 - t3, bytes: n }));
}

interface Phases {
  read: number;
  parse: number;
  records: number;
  print: number;
  bytes: number;
}

function measurePhases(format: 'c' | 'raw', rounds: number): Phases {
  const runs = Array.from({ length: rounds }, () =>
    JSON.parse(execFileSync(process.execPath, [HERE, 'phases', format], { encoding: 'utf8' })) as Phases);
  const pick = (k: keyof Phases) => median(runs.map((r) => r[k]));
  return { read: pick('read'), parse: pick('parse'), records: pick('records'), print: pick('print'), bytes: pick('bytes') };
}

/** A 32-byte struct { u32 id; u32 flags: 3, kind: 5; u64 bytes; char comm[8]; u64 ts; } as BTF. */
function valueStructBtf(): Uint8Array {
  let strings = '\0';
  const str = (s: string) => { const o = strings.length; strings += s + '\0'; return o; };
  const w: number[] = [];
  w.push(str('u32'), KIND.INT << 24, 4, 32);
  w.push(str('u64'), KIND.INT << 24, 8, 64);
  w.push(str('char'), KIND.INT << 24, 1, (1 << 24) | 8);
  w.push(0, KIND.ARRAY << 24, 0, 3, 1, 8);
  w.push(str('event'), ((1 << 31) | (KIND.STRUCT << 24) | 6) >>> 0, 32,
    str('id'), 1, 0, str('flags'), 1, ((3 << 24) | 32) >>> 0, str('kind'), 1, ((5 << 24) | 35) >>> 0,
    str('bytes'), 2, 64, str('comm'), 4, 128, str('ts'), 2, 192);
  const types = Buffer.alloc(w.length * 4);
  w.forEach((x, i) => types.writeUInt32LE(x >>> 0, i * 4));
  const strs = Buffer.from(strings, 'latin1');
  const h = Buffer.alloc(24);
  h.writeUInt16LE(0xeb9f, 0); h[2] = 1; h.writeUInt32LE(24, 4);
  h.writeUInt32LE(0, 8); h.writeUInt32LE(types.length, 12); h.writeUInt32LE(types.length, 16); h.writeUInt32LE(strs.length, 20);
  return new Uint8Array(Buffer.concat([h, types, strs]));
}

function valueTreeRate(): string {
  const time = (fn: () => void): number => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  const eventBtf = parseBtf(valueStructBtf());
  const formatter = new ValueFormatter(eventBtf);
  const values = Array.from({ length: 1024 }, (_, i) => {
    const v = new Uint8Array(32);
    new DataView(v.buffer).setUint32(0, i, true);
    v.set([0x62, 0x61, 0x73, 0x68, 0], 16);
    return v;
  });
  const structId = 5;
  let nodes = 0;
  const N = 1_000_000;
  const treeMs = median([1, 2, 3].map(() => time(() => {
    for (let i = 0; i < N; i++) nodes += formatter.format(structId, values[i & 1023]!).children!.length;
  })));
  return `${(N / (treeMs / 1000) / 1e6).toFixed(2)} M values/s (budget 1 M/s; ${nodes} nodes)`;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 7);
  requireGnuTime('btf');
  const vmlinux = parseBtf(new Uint8Array(readFileSync(VMLINUX)));
  console.log(`vmlinux BTF: ${(vmlinux.bytes.length / 1e6).toFixed(1)} MB, ${vmlinux.typeCount} types`);

  console.log(`\ninside one cold process (median of ${rounds}), ms:`);
  console.log(`${'vmlinux as'.padEnd(12)} ${'read'.padStart(6)} ${'parse'.padStart(6)} ${'records'.padStart(8)} ${'print'.padStart(7)}  output`);
  for (const format of ['c', 'raw'] as const) {
    const p = measurePhases(format, rounds);
    console.log(`${format.padEnd(12)} ${p.read.toFixed(1).padStart(6)} ${p.parse.toFixed(1).padStart(6)} ${p.records.toFixed(1).padStart(8)} ${p.print.toFixed(1).padStart(7)}  ${(p.bytes / 1e6).toFixed(1)} MB`);
  }

  const work = mkdtempSync(join(tmpdir(), 'bpfscope-bench-btf-'));
  const fixtures = await startFixtures({ only: ['maps'] });
  try {
    const prog = fixtures.program('count_getpid');
    const progBtf = (JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show', 'id', String(prog.id)], { encoding: 'utf8' })) as { btf_id: number }).btf_id;
    const vmlinuxId = (JSON.parse(execFileSync('bpftool', ['-j', 'btf', 'show'], { encoding: 'utf8', maxBuffer: 1 << 26 })) as Array<{ id: number; name?: string }>)
      .find((b) => b.name === 'vmlinux')?.id;
    if (vmlinuxId === undefined) throw new Error('no vmlinux BTF object loaded');
    const rows: Array<PeerCommands & { what: string; peer: string[] }> = [];
    for (const [what, id] of [['vmlinux', vmlinuxId], [`program ${prog.name}`, progBtf]] as const) {
      rows.push({ what: `${what} --c`, ours: ['btf', String(id), '--c'], peer: ['btf', 'dump', 'id', String(id), 'format', 'c'] });
      rows.push({ what: `${what} --raw`, ours: ['btf', String(id), '--raw'], peer: ['btf', 'dump', 'id', String(id), 'format', 'raw'] });
    }
    const m = measureInTurn(rows, rounds, BIN, work);
    console.log(`\nwhole process (median of ${rounds}, in turn with bpftool); ratio: bpftool ms / bpfscope ms, above 1 bpfscope is faster`);
    console.log(`${'btf ID'.padEnd(32)} ${'bpftool ms'.padStart(10)} ${'bpfscope ms'.padStart(11)} ${'ratio'.padStart(6)} ${'peak MB bpftool / ours'.padStart(23)}`);
    for (const [label, floor] of [['node -e 0, as bpfscope (floor)', m.floor], ['node -e 0, plain', m.plainFloor]] as const) {
      console.log(`${label.padEnd(32)} ${''.padStart(10)} ${floor.ms.toFixed(1).padStart(11)} ${''.padStart(6)} ${floor.mb.toFixed(1).padStart(23)}`);
    }
    rows.forEach((row, i) => {
      const ours = m.ours[i]!;
      const peer = m.peers[i]!;
      console.log(`${row.what.padEnd(32)} ${peer.ms.toFixed(1).padStart(10)} ${ours.ms.toFixed(1).padStart(11)} ${`${(peer.ms / ours.ms).toFixed(2)}x`.padStart(6)} ${`${peer.mb.toFixed(1)} / ${ours.mb.toFixed(1)}`.padStart(23)}`);
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
    await fixtures.stop();
  }

  console.log(`\nvalue tree (32-byte struct, 6 fields): ${valueTreeRate()}`);
}

if (process.argv[2] === 'phases') coldPhases(process.argv[3] === 'raw' ? 'raw' : 'c');
else await main();
