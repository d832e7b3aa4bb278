// Two compiled BPF objects for drift across hosts: `fleet_rollout` is built with different
// code in each (its tag differs, as on a host that missed a rollout), `fleet_steady` with
// the same code in both. Opened as `objfile:` hosts they need no kernel.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DRIFTING_PROGRAM = 'fleet_rollout';
export const STEADY_PROGRAM = 'fleet_steady';

function build(dir: string, name: string, rolloutReturns: number): string {
  const source = [
    '#include <linux/bpf.h>',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    `SEC("socket") int ${DRIFTING_PROGRAM}(struct __sk_buff *skb) { return ${rolloutReturns}; }`,
    `SEC("socket") int ${STEADY_PROGRAM}(struct __sk_buff *skb) { return 0; }`,
    '',
  ].join('\n');
  const c = join(dir, `${name}.bpf.c`);
  const object = join(dir, `${name}.bpf.o`);
  writeFileSync(c, source);
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', c, '-o', object]);
  return object;
}

/** Paths of the two objects, built in `dir`: `rolled` has the new `fleet_rollout`, `behind` the old one. */
export function buildDriftObjects(dir: string): { rolled: string; behind: string } {
  return { rolled: build(dir, 'rolled', 1), behind: build(dir, 'behind', 0) };
}
