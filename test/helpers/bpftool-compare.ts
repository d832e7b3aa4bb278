// Comparing bpfscope's `--json` objects with bpftool's `-j` ones: every key bpftool prints must
// be ours too, with the same value, types newer than bpftool 7.1 compared by number.
import { expect } from 'vitest';
import { typeJsonValue, type TypeKind } from '../../main/kernel/names/index.js';
import { bpftoolJson } from './cli.js';

export type JsonObj = Record<string, unknown> & { id: number };

/** Fields that legitimately move between two reads taken a moment apart. */
const VOLATILE = new Set(['run_time_ns', 'run_cnt', 'recursion_misses', 'loaded_at']);

function normalise(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
}

/** Type-valued keys: bpftool 7.1 prints types newer than Linux 6.1 as bare numbers, we name them. */
const TYPE_KEYS: Record<string, TypeKind> = { type: 'prog', owner_prog_type: 'prog', attach_type: 'attach' };

export function sameType(kind: TypeKind, ours: unknown, theirs: unknown): boolean {
  return typeof theirs === 'number' && ours === typeJsonValue(kind, theirs, 'linux-6.18');
}

/** Every key bpftool prints must be ours too, with the same value (numbers compared exactly as text). */
export function expectSuperset(ours: JsonObj, theirs: JsonObj, what: string, kind: 'prog' | 'map' | 'link'): void {
  for (const [key, value] of Object.entries(theirs)) {
    // Run statistics are printed once non-zero: a program can first run between the two reads.
    if (VOLATILE.has(key) && !(key in ours)) continue;
    expect(Object.keys(ours), `${what}: key ${key}`).toContain(key);
    const typeKind = key === 'type' ? kind : TYPE_KEYS[key];
    if (typeKind && sameType(typeKind, ours[key], value)) continue;
    if (key === 'loaded_at') {
      // bpftool and we each read the clocks once; the second can tick between.
      expect(Math.abs(Number(ours[key]) - Number(value)), `${what}: loaded_at`).toBeLessThanOrEqual(1);
    } else if (!VOLATILE.has(key)) {
      expect(JSON.stringify(ours[key], (_k, v) => normalise(v)), `${what}: ${key}`).toBe(JSON.stringify(value, (_k, v) => normalise(v)));
    }
  }
}

/**
 * One object of `ls … --json` against bpftool's list entry. bpftool 7.1's list mode keeps btf_id
 * from the previous map when a map has none; its single-object show is right, so a
 * disagreement is settled by that.
 */
export async function expectListedLikeBpftool(ours: JsonObj, listed: JsonObj, kind: 'prog' | 'map' | 'link'): Promise<void> {
  try {
    expectSuperset(ours, listed, `${kind} ${listed.id}`, kind);
  } catch {
    expectSuperset(ours, await bpftoolJson<JsonObj>([kind, 'show', 'id', String(listed.id)]), `${kind} ${listed.id}`, kind);
  }
}

/**
 * Our xlated text as bpftool 7.1 spells it, for the differences the README names: bpftool 7.1
 * carries Linux 6.1's disassembler, which prints the per-CPU address move (BPF_ADDR_PERCPU)
 * as a plain `rX = rX`; we print it as today's kernel does.
 */
export function asBpftool71(text: string): string {
  return text.replace(/= &\(void __percpu \*\)\((r\d+)\)/g, '= $1');
}

/**
 * A string as bpftool 7.1's JSON writer escapes it: it writes a backslash as `\n`, so a source
 * line holding `"%s\n"` reads back from bpftool's JSON with a newline where the backslash was
 * (the README names this difference; ours keeps the backslash).
 */
function bpftool71JsonString(text: string): string {
  return text.replace(/\\/g, '\n');
}

/**
 * `dump prog --json` against `bpftool prog dump xlated -j …`: each instruction's object starts
 * with bpftool's keys, in bpftool's order, with bpftool's values (our own keys follow).
 */
export function expectBpftoolListingJson(ours: readonly object[], theirs: readonly object[], what: string): void {
  expect(ours.length, `${what}: instructions`).toBe(theirs.length);
  theirs.forEach((insn, i) => {
    const keys = Object.keys(insn);
    const mine = ours[i] as Record<string, unknown>;
    expect(Object.keys(mine).slice(0, keys.length), `${what} insn ${i}: bpftool's keys first`).toEqual(keys);
    const prefix = Object.fromEntries(keys.map((k) => [k, k === 'disasm' ? asBpftool71(String(mine[k])) : k === 'src' ? bpftool71JsonString(String(mine[k])) : mine[k]]));
    expect(prefix, `${what} insn ${i}`).toEqual(insn);
  });
}
