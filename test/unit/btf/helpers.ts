// Test helpers: compile fixture C with clang, extract .BTF, run bpftool as the oracle.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const fixtureDir = resolve(here, '../../fixtures/btf');
export const buildDir = resolve(here, '../../fixtures/build/btf');

/** Writes a file of a test under the build directory (made on first use) and returns its path. */
export function writeBuildFile(name: string, bytes: Uint8Array | string): string {
  mkdirSync(buildDir, { recursive: true });
  const path = join(buildDir, name);
  writeFileSync(path, bytes);
  return path;
}

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

export { prng as rng } from '../../helpers/prng.js';
