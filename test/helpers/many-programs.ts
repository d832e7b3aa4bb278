// Many tiny programs loaded at once, for benchmarks that need a busy host: one clang
// object with `count` socket filters, loaded and pinned under pinDir in one bpftool run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureKernelEnv } from './kernel-env.js';

/** Returns how many programs were pinned; the caller removes pinDir afterwards. */
export function loadManyPrograms(work: string, count: number, pinDir: string, namePrefix: string): number {
  let source = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\n';
  for (let i = 0; i < count; i++) source += `SEC("socket") int ${namePrefix}${i}(struct __sk_buff *skb) { return ${i}; }\n`;
  writeFileSync(join(work, 'many.bpf.c'), source);
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', join(work, 'many.bpf.c'), '-o', join(work, 'many.bpf.o')]);
  // Mounts bpffs only where none is: a second mount on top would hide these pins from the
  // caller's cleanup, and the programs would stay loaded.
  const problem = ensureKernelEnv();
  if (problem) throw new Error(`many programs: ${problem}`);
  mkdirSync(pinDir);
  execFileSync('bpftool', ['prog', 'loadall', join(work, 'many.bpf.o'), pinDir]);
  return readdirSync(pinDir).length;
}
