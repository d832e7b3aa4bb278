// BTF benchmarks: index vmlinux, print it as C and raw (against bpftool in the same run),
// format struct values to the UI tree. Run after `npx tsc -p tsconfig.json`:
//   node out/node/test/bench/btf.js

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseBtf } from '../../main/kernel/btf/btf.js';
import { formatC } from '../../main/kernel/btf/c.js';
import { formatRaw } from '../../main/kernel/btf/raw.js';
import { ValueFormatter } from '../../main/kernel/btf/value.js';
import { KIND } from '../../main/kernel/btf/wire.js';
import { median } from '../helpers/median.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';


function time(runs: number, fn: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

function bpftoolMs(args: string[], runs: number): number {
  return time(runs, () => execFileSync('bpftool', args, { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }));
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

const bytes = new Uint8Array(readFileSync(VMLINUX));
const indexMs = time(9, () => parseBtf(bytes));
const btf = parseBtf(bytes);
const cMs = time(3, () => formatC(parseBtf(bytes)));
const rawMs = time(3, () => formatRaw(parseBtf(bytes)));
const bpftoolCMs = bpftoolMs(['btf', 'dump', 'file', VMLINUX, 'format', 'c'], 3);
const bpftoolRawMs = bpftoolMs(['btf', 'dump', 'file', VMLINUX, 'format', 'raw'], 3);

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
const treeMs = time(3, () => {
  for (let i = 0; i < N; i++) nodes += formatter.format(structId, values[i & 1023]!).children!.length;
});

console.log(`vmlinux BTF: ${(bytes.length / 1e6).toFixed(1)} MB, ${btf.typeCount} types`);
console.log(`index vmlinux:          ${indexMs.toFixed(1)} ms (budget 100 ms)`);
console.log(`format c, vmlinux:      ${cMs.toFixed(0)} ms; bpftool ${bpftoolCMs.toFixed(0)} ms; ratio ${(cMs / bpftoolCMs).toFixed(2)} (budget 2)`);
console.log(`format raw, vmlinux:    ${rawMs.toFixed(0)} ms; bpftool ${bpftoolRawMs.toFixed(0)} ms; ratio ${(rawMs / bpftoolRawMs).toFixed(2)}`);
console.log(`value tree (32-byte struct, 6 fields): ${(N / (treeMs / 1000) / 1e6).toFixed(2)} M values/s (budget 1 M/s; ${nodes} nodes)`);
