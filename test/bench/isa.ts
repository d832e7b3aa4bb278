// Bytecode benchmarks: listing, text, CFG and DOT of a 1 M-instruction synthetic program (the
// verifier's ceiling), plus kallsyms indexing (done once per host). Run after
// `npx tsc -p tsconfig.json`:
//   node out/node/test/bench/isa.js

import { KallsymsIndex } from '../../main/kernel/proc/kallsyms.js';
import { existsSync, readFileSync } from 'node:fs';
import {
  buildCfg, buildListing, listingJsonText, listingToJson, renderCfgDot, renderListingText,
  type FuncInfoRecord, type LineInfoRecord,
} from '../../main/kernel/isa/index.js';
import { ListingPages } from '../../main/server/listing-pages.js';
import { ListingSearch } from '../../main/server/listing-search.js';
import { median } from '../helpers/median.js';

const TARGET_INSNS = 1_000_000;
const LIMIT_MS = 1000;


function time<T>(runs: number, fn: () => T): { ms: number; result: T } {
  const ms: number[] = [];
  let result = fn();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), result };
}

function slot(code: number, dst: number, src: number, off: number, imm: number): number[] {
  return [code, (src << 4) | dst, off & 0xff, (off >> 8) & 0xff, imm & 0xff, (imm >> 8) & 0xff, (imm >> 16) & 0xff, (imm >>> 24) & 0xff];
}

/** A block of 16 slots shaped like compiled code: loads, ALU, a map lookup, a branch, atomics. */
const BLOCK = [
  ...slot(0xbf, 6, 1, 0, 0), // r6 = r1
  ...slot(0x61, 2, 6, 112, 0), // r2 = *(u32 *)(r6 +112)
  ...slot(0x63, 10, 2, -4, 0), // *(u32 *)(r10 -4) = r2
  ...slot(0xbf, 2, 10, 0, 0), // r2 = r10
  ...slot(0x07, 2, 0, 0, -4), // r2 += -4
  ...slot(0x18, 1, 1, 0, 12), ...slot(0, 0, 0, 0, 0), // r1 = map[id:12]
  ...slot(0x85, 0, 0, 0, 1), // call bpf_map_lookup_elem#1
  ...slot(0x15, 0, 0, 2, 0), // if r0 == 0x0 goto pc+2
  ...slot(0xb7, 1, 0, 0, 1), // r1 = 1
  ...slot(0xdb, 0, 1, 0, 0), // lock *(u64 *)(r0 +0) += r1
  ...slot(0xb4, 0, 0, 0, 0), // w0 = 0
  ...slot(0xc6, 2, 0, 1, -5), // if w2 s< 0xfffffffb goto pc+1
  ...slot(0xdc, 2, 0, 0, 32), // r2 = be32 r2
  ...slot(0x05, 0, 0, 0, 0), // goto pc+0
  ...slot(0x77, 2, 0, 0, 24), // r2 >>= 24
];
const BLOCK_SLOTS = BLOCK.length / 8;

function syntheticProgram(): { insns: Uint8Array; funcInfo: FuncInfoRecord[]; lineInfo: LineInfoRecord[] } {
  const blocks = Math.ceil((TARGET_INSNS - 1) / BLOCK_SLOTS);
  const insns = new Uint8Array((blocks * BLOCK_SLOTS + 1) * 8);
  for (let b = 0; b < blocks; b++) insns.set(BLOCK, b * BLOCK.length);
  insns.set(slot(0x95, 0, 0, 0, 0), blocks * BLOCK.length);
  const lineInfo: LineInfoRecord[] = [];
  for (let b = 0; b < blocks; b++) {
    for (const at of [0, 1, 5, 7, 9]) {
      lineInfo.push({ insnOff: b * BLOCK_SLOTS + at, fileName: 'bench.c', lineText: `\tvalue = lookup(&counts, &key); /* ${b} */`, line: b, col: 3 });
    }
  }
  return { insns, funcInfo: [{ insnOff: 0, text: 'int bench(struct __sk_buff * skb)' }], lineInfo };
}

/**
 * What this machine does right now, so figures taken on a loaded machine can be judged:
 * allocating 1 M small objects takes ~50-100 ms on an idle core.
 */
function calibrationMs(): number {
  return time(3, () => {
    const objects: { index: number; code: number; text: string }[] = [];
    for (let i = 0; i < TARGET_INSNS; i++) objects.push({ index: i, code: i & 0xff, text: 'r1 = r2' });
    return objects.length;
  }).ms;
}

const calibration = calibrationMs();
console.log(`calibration: 1 M small objects in ${calibration.toFixed(0)} ms (idle core: ~50-100 ms)`);
const program = syntheticProgram();
const slots = program.insns.length / 8;
console.log(`synthetic program: ${slots} instruction slots, ${program.lineInfo.length} line_info records`);

const listing = time(5, () => buildListing(program, { callBase: 0n, kernelSymbol: () => undefined }));
console.log(`buildListing (decode + targets + lines, the structure every view pages through): ${listing.ms.toFixed(0)} ms (limit ${LIMIT_MS} ms) ${listing.ms < LIMIT_MS ? 'OK' : 'TOO SLOW'}`);
console.log(`buildListing / calibration: ${(listing.ms / calibration).toFixed(1)} (under 10 means under 1 s on an idle core)`);
// Rows are made on demand: what producing every row's text costs, so no work hides in laziness.
const rowTexts = time(3, () => {
  let chars = 0;
  for (let p = 0; p < listing.result.length; p++) chars += listing.result.text(p).length;
  return chars;
});
console.log(`text of all ${listing.result.length} rows: ${rowTexts.ms.toFixed(0)} ms; build + all rows: ${(listing.ms + rowTexts.ms).toFixed(0)} ms`);
const page = time(5, () => listingToJson(listing.result, 500_000, 500_200));
console.log(`one page of 200 rows as JSON (mid-program): ${page.ms.toFixed(2)} ms`);
const text = time(3, () => renderListingText(listing.result));
console.log(`renderListingText: ${text.ms.toFixed(0)} ms (${(text.result.length / 1e6).toFixed(1)} MB)`);
const json = time(3, () => listingJsonText(listing.result));
console.log(`listingJsonText (dump prog --json): ${json.ms.toFixed(0)} ms (${(json.result.length / 1e6).toFixed(1)} MB)`);
const cfg = time(3, () => buildCfg(listing.result));
console.log(`buildCfg: ${cfg.ms.toFixed(0)} ms (${cfg.result.blocks.length} blocks, ${cfg.result.edges.length} edges)`);
const dot = time(3, () => renderCfgDot(listing.result, cfg.result));
console.log(`renderCfgDot: ${dot.ms.toFixed(0)} ms`);

// Search in the bytecode view: the server scans rows for a text and counts matches (up to
// 10 000). Peer: the whole listing rendered as text and its lines searched, as a client
// holding the text (or `bpftool prog dump xlated | grep -c`) would.
const pages = new ListingPages(listing.result);
async function searchMs(query: string): Promise<{ ms: number; matches: string; nextMs: number }> {
  const ms: number[] = [];
  const nextMs: number[] = [];
  let matches = '';
  for (let run = 0; run < 3; run++) {
    const search = new ListingSearch(listing.result, pages);
    let t0 = performance.now();
    const first = await search.search({ query });
    ms.push(performance.now() - t0);
    matches = `${first.matches}${first.more ? '+' : ''}`;
    t0 = performance.now();
    await search.search({ query, from: first.line });
    nextMs.push(performance.now() - t0);
  }
  return { ms: median(ms), matches, nextMs: median(nextMs) };
}
for (const query of ['/* 31250 */', 'bpf_trace_printk', 'lock *(u64 *)']) {
  const ours = await searchMs(query);
  const peer = time(2, () => renderListingText(listing.result).split('\n').filter((line) => line.includes(query)).length);
  console.log(`search '${query}' (${ours.matches} lines): first match and count ${ours.ms.toFixed(0)} ms, next ${ours.nextMs.toFixed(2)} ms; peer (whole text, then its lines) ${peer.ms.toFixed(0)} ms (${peer.result} lines): ${(peer.ms / ours.ms).toFixed(1)}x`);
}

if (existsSync('/proc/kallsyms')) {
  const kallsyms = readFileSync('/proc/kallsyms', 'utf8');
  const index = time(5, () => KallsymsIndex.parse(kallsyms));
  console.log(`kallsyms index (once per host): ${index.ms.toFixed(1)} ms for ${index.result.size} symbols; bpftool rereads it per program`);
}
if (listing.ms >= LIMIT_MS) process.exitCode = 1;
