// A long program for the paged bytecode view: clang-built C with `functions` noinline
// subprograms of `linesPerFunction` source lines each (four instructions per line), called
// in a chain from one socket filter, loaded and pinned with bpftool. Straight-line code
// verifies in one pass; splitting it into functions keeps clang's time linear (one
// 30 000-line function takes clang minutes).
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BigProgram {
  id: number;
  /** Instructions the kernel holds (xlated). */
  insns: number;
  unload(): void;
}

function source(functions: number, linesPerFunction: number, branches: boolean): string {
  let c = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\n';
  for (let f = 0; f < functions; f++) {
    c += `static __attribute__((noinline)) __u64 step${f}(__u64 v)\n{\n`;
    for (let i = 0; i < linesPerFunction; i++) {
      const shift = ((i + f) % 31) + 1;
      // A branch per line: a basic block or two each, for a graph too large to draw
      // (a helper call, so that clang cannot turn it into branch-free arithmetic).
      c += branches ? `\tif (v & ${1 << (i % 30)}) v ^= bpf_get_prandom_u32(); v += ${i};\n` : `\tv ^= v >> ${shift}; v += ${i};\n`;
    }
    c += '\treturn v;\n}\n';
  }
  c += 'SEC("socket") int big_listing(struct __sk_buff *skb)\n{\n\t__u64 v = skb->len;\n';
  for (let f = 0; f < functions; f++) c += `\tv = step${f}(v);\n`;
  return `${c}\treturn v & 1;\n}\n`;
}

/** Compiles in `work` and pins the program at `pin` (bpffs must be mounted); `branches`: a conditional on every line. */
export function loadBigProgram(work: string, pin: string, functions: number, linesPerFunction: number, branches = false): BigProgram {
  const c = join(work, `big-listing-${functions}x${linesPerFunction}.bpf.c`);
  const object = c.replace(/\.c$/, '.o');
  writeFileSync(c, source(functions, linesPerFunction, branches));
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', c, '-o', object]);
  execFileSync('bpftool', ['prog', 'load', object, pin]);
  const show = JSON.parse(execFileSync('bpftool', ['prog', 'show', 'pinned', pin, '-j'], { encoding: 'utf8' })) as { id: number; bytes_xlated: number };
  return { id: show.id, insns: show.bytes_xlated / 8, unload: () => rmSync(pin, { force: true }) };
}
