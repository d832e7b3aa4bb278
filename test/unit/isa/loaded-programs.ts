// Test support: compiles the C fixtures, loads them into the running kernel with bpftool
// and collects what bpftool and the kernel say about each program (the oracle).

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BpftoolListingJson } from '../../../main/kernel/isa/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../../..');
export const FIXTURES = join(ROOT, 'test/fixtures/isa');
export const BUILD = join(ROOT, 'test/fixtures/build/isa');

function run(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Compiles `test/fixtures/isa/<name>.c` for BPF; returns the object path. */
export function compileFixture(name: string, cpu = 'v3'): string {
  mkdirSync(BUILD, { recursive: true });
  const out = join(BUILD, `${name}-${cpu}.o`);
  run('clang', ['-O2', '-g', '-target', 'bpf', `-mcpu=${cpu}`, '-I/usr/include/x86_64-linux-gnu',
    '-c', join(FIXTURES, `${name}.c`), '-o', out]);
  return out;
}

/** Why programs cannot be loaded here, or undefined when they can. */
export function loadBlocker(): string | undefined {
  if (process.getuid?.() !== 0) return 'loading programs needs root';
  try {
    run('bpftool', ['version']);
  } catch {
    return 'bpftool is not installed';
  }
  return undefined;
}

function ensureBpffs(): void {
  const mounts = readFileSync('/proc/mounts', 'utf8');
  if (!/ \/sys\/fs\/bpf bpf /.test(mounts)) run('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf']);
}

export interface ProgShow {
  readonly id: number;
  readonly name: string;
  readonly tag: string;
  readonly map_ids?: number[];
}

export interface LoadedObject {
  readonly pinDir: string;
  readonly programs: ReadonlyMap<string, ProgShow>;
  unload(): void;
}

/** `bpftool prog loadall` into a fresh bpffs directory; `unload` removes the pins (and so the programs). */
export function loadObject(objectPath: string, label: string): LoadedObject {
  ensureBpffs();
  const pinDir = `/sys/fs/bpf/isatest-${label}-${process.pid}`;
  rmSync(pinDir, { recursive: true, force: true });
  run('bpftool', ['prog', 'loadall', objectPath, pinDir]);
  const programs = new Map<string, ProgShow>();
  for (const pin of run('ls', [pinDir]).split('\n').filter(Boolean)) {
    programs.set(pin, JSON.parse(run('bpftool', ['prog', 'show', 'pinned', join(pinDir, pin), '-j'])) as ProgShow);
  }
  return { pinDir, programs, unload: () => rmSync(pinDir, { recursive: true, force: true }) };
}

/** What `bpftool prog dump xlated -j linum` prints for an instruction: the first keys of ours. */
export type BpftoolJsonInsn = Pick<BpftoolListingJson, 'proto' | 'src' | 'file' | 'line_num' | 'line_col' | 'disasm'>;

export interface JitInfo {
  readonly jited: string;
  readonly jitedKsyms: string[];
  readonly jitedFuncLens: number[];
}

/** Everything bpftool shows for a program, plus its raw xlated bytes and JIT image. */
export function programOracle(id: number) {
  const file = join(tmpdir(), `isa-xlated-${process.pid}-${id}.bin`);
  run('bpftool', ['prog', 'dump', 'xlated', 'id', String(id), 'file', file]);
  const xlated = new Uint8Array(readFileSync(file));
  rmSync(file, { force: true });
  const jit = JSON.parse(run('python3', [join(FIXTURES, 'prog_info.py'), String(id)])) as JitInfo;
  return {
    xlated,
    text: run('bpftool', ['prog', 'dump', 'xlated', 'id', String(id)]),
    linum: run('bpftool', ['prog', 'dump', 'xlated', 'id', String(id), 'linum']),
    opcodes: run('bpftool', ['prog', 'dump', 'xlated', 'id', String(id), 'opcodes']),
    json: JSON.parse(run('bpftool', ['prog', 'dump', 'xlated', 'id', String(id), '-j', 'linum'])) as BpftoolJsonInsn[],
    jsonOpcodes: JSON.parse(run('bpftool', ['prog', 'dump', 'xlated', 'id', String(id), '-j', 'opcodes'])) as object[],
    visual: run('bpftool', ['prog', 'dump', 'xlated', 'id', String(id), 'visual']),
    jit,
  };
}

export interface MapShow {
  readonly id: number;
  readonly name?: string;
  readonly type: string;
}

export function mapShow(): MapShow[] {
  return JSON.parse(run('bpftool', ['map', 'show', '-j'])) as MapShow[];
}

export function kallsymsText(): string {
  return readFileSync('/proc/kallsyms', 'utf8');
}
