// A busy host for the graph view: `programs` socket filters and `maps` array maps in clang
// objects of CHUNK programs each (clang's time grows faster than linearly with one object's
// size), each program looking up three maps of its object (reading one, writing the others),
// loaded and pinned under pinDir by bpftool. Held by no process once bpftool exits: the pins
// keep the programs, and the programs their maps.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureKernelEnv } from './kernel-env.js';

const CHUNK = 100;

function objectSource(programs: number, maps: number, prefix: string): string {
  let source = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\n';
  source += 'struct slot { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); };\n';
  for (let m = 0; m < maps; m++) source += `struct slot ${prefix}m${m} SEC(".maps");\n`;
  for (let p = 0; p < programs; p++) {
    const [a, b, c] = [0, 1, 2].map((i) => `${prefix}m${(3 * p + i) % maps}`);
    source += `SEC("socket") int ${prefix}p${p}(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&${a}, &k); __u64 n = v ? *v : 0;`
      + ` v = bpf_map_lookup_elem(&${b}, &k); if (v) *v = n; v = bpf_map_lookup_elem(&${c}, &k); if (v) __sync_fetch_and_add(v, 1); return 0; }\n`;
  }
  return source;
}

/** Loads the objects; returns how many programs were pinned. The caller removes pinDir (which unloads everything). */
export function loadBusyHost(work: string, programs: number, maps: number, pinDir: string, prefix: string): number {
  const problem = ensureKernelEnv();
  if (problem) throw new Error(`busy host: ${problem}`);
  mkdirSync(pinDir);
  const chunks = Math.ceil(programs / CHUNK);
  let pinned = 0;
  for (let c = 0; c < chunks; c++) {
    const chunkPrograms = Math.min(CHUNK, programs - c * CHUNK);
    const chunkMaps = Math.max(1, Math.round((maps * chunkPrograms) / programs));
    const name = `${prefix}${c}_`;
    writeFileSync(join(work, `${name}.bpf.c`), objectSource(chunkPrograms, chunkMaps, name));
    execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', join(work, `${name}.bpf.c`), '-o', join(work, `${name}.bpf.o`)]);
    const dir = join(pinDir, String(c));
    mkdirSync(dir);
    execFileSync('bpftool', ['prog', 'loadall', join(work, `${name}.bpf.o`), dir], { maxBuffer: 1 << 26 });
    pinned += readdirSync(dir).length;
  }
  return pinned;
}
