// The fixture loader's big_hash (u32 key, 32-byte struct value) for benchmarks and tests of
// map watches, and a way to change its values from outside: the loader holds the map and
// never writes it again, and bpfscope never writes at all, so one bpftool batch does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtures } from './fixtures.js';

export interface BigHash {
  id: number;
  stop(): Promise<void>;
}

/** The loader's big_hash with `entries` entries, built first where it is not (a fresh clone). */
export async function loadBigHash(entries: number): Promise<BigHash> {
  const fixtures = await startFixtures({ only: ['big'], bigHash: entries });
  return { id: fixtures.map('big_hash').id, stop: () => fixtures.stop() };
}

/** Sets the 32-byte values of `keys` to round-specific bytes, in one bpftool process. */
export function changeValues(id: number, keys: readonly Uint8Array[], round: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-big-hash-'));
  const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  const value = new Uint8Array(32);
  new DataView(value.buffer).setUint32(0, 0xbe000000 + round, true);
  writeFileSync(join(dir, 'batch'), keys.map((k) => `map update id ${id} key hex ${hex(k)} value hex ${hex(value)}\n`).join(''));
  const r = spawnSync('bpftool', ['batch', 'file', join(dir, 'batch')], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`bpftool batch: ${r.stderr}`);
}

/** Deletes `keys` from the map (bpftool batch, like changeValues). */
export function deleteKeys(id: number, keys: readonly Uint8Array[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-big-hash-'));
  const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  writeFileSync(join(dir, 'batch'), keys.map((k) => `map delete id ${id} key hex ${hex(k)}\n`).join(''));
  const r = spawnSync('bpftool', ['batch', 'file', join(dir, 'batch')], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`bpftool batch: ${r.stderr}`);
}
