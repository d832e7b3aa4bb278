// Test helpers: compile fixture C with clang, extract .BTF, run bpftool as the oracle.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const fixtureDir = resolve(here, '../../fixtures/btf');
export const buildDir = resolve(here, '../../fixtures/build/btf');

/** Compile test/fixtures/btf/<name>.c for BPF and return the path of the raw .BTF blob. */
export function compileFixtureBtf(name: string): string {
  mkdirSync(buildDir, { recursive: true });
  const obj = join(buildDir, `${name}.o`);
  const raw = join(buildDir, `${name}.btf`);
  execFileSync('clang', ['-target', 'bpf', '-g', '-O2', '-c', join(fixtureDir, `${name}.c`), '-o', obj]);
  execFileSync('llvm-objcopy', [`--dump-section=.BTF=${raw}`, obj]);
  return raw;
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

export function bpftool(args: string[]): string {
  return execFileSync('bpftool', args, { maxBuffer: 1 << 28 }).toString();
}

export function hasTool(tool: string): boolean {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Small deterministic PRNG (mulberry32) for the fuzz tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
