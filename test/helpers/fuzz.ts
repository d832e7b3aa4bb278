// A time-bounded fuzz loop: case after case from a seeded PRNG until the budget is spent. Each
// case has its own seed (the run's seed + its number), printed with any failure so the case
// runs again alone: BPFSCOPE_FUZZ_SEED=<seed> BPFSCOPE_FUZZ_CASES=1 npx vitest run <file>.
// BPFSCOPE_FUZZ_MS sets the time per suite (default 20 s). A case that kills its process (out
// of memory) prints nothing: the case under way is kept in a file (fuzzCaseFile) until the loop
// ends, and CI prints what such files are left.
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { prng } from './prng.js';

export type Random = () => number;

export interface FuzzResult {
  cases: number;
  seed: number;
}

/** Cases per second are slow when a case hangs: a case over this fails as a hang. */
const CASE_TIMEOUT_MS = 15_000;

export function fuzzBudgetMs(fallback = 20_000): number {
  const set = Number(process.env.BPFSCOPE_FUZZ_MS);
  return Number.isFinite(set) && set > 0 ? set : fallback;
}

/** Where the loop named `name` keeps the case it is running. */
function fuzzCaseFile(name: string): string {
  return join(tmpdir(), `bpfscope-fuzz-${name.replace(/[^A-Za-z0-9]+/g, '-')}.case`);
}

export async function fuzz(name: string, run: (random: Random, seed: number) => Promise<void>, budgetMs = fuzzBudgetMs()): Promise<FuzzResult> {
  const fixed = process.env.BPFSCOPE_FUZZ_SEED;
  const seed = fixed !== undefined ? Number(fixed) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
  const maxCases = Number(process.env.BPFSCOPE_FUZZ_CASES ?? Infinity);
  const started = Date.now();
  const caseFile = fuzzCaseFile(name);
  let cases = 0;
  while (cases < maxCases && (cases === 0 || Date.now() - started < budgetMs)) {
    const caseSeed = (seed + cases) >>> 0;
    writeFileSync(caseFile, `fuzz ${name}: case ${cases} under way: BPFSCOPE_FUZZ_SEED=${caseSeed} BPFSCOPE_FUZZ_CASES=1\n`);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        run(prng(caseSeed), caseSeed),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no outcome within ${CASE_TIMEOUT_MS} ms (a hang)`)), CASE_TIMEOUT_MS))),
      ]);
    } catch (error) {
      const e = error as Error;
      throw new Error(`fuzz ${name}: case ${cases} failed; reproduce with BPFSCOPE_FUZZ_SEED=${caseSeed} BPFSCOPE_FUZZ_CASES=1\n${e.stack ?? e.message}`);
    } finally {
      clearTimeout(timer);
    }
    cases++;
  }
  rmSync(caseFile, { force: true });
  return { cases, seed };
}

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
export const int = (random: Random, below: number): number => Math.floor(random() * below);

export function randomBytes(random: Random, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => int(random, 256));
}

/** Messages of engine errors: a decoder or a check trusted something it should not have. */
export const ENGINE_ERROR = /is not (iterable|a function|defined)|Cannot (read|set) propert|Cannot convert|Maximum call stack|Invalid (typed )?array length|outside the bounds|out of (bounds|range)|allocation failed|Invalid string length/i;

export function expectClear(what: string, error: { code: string; message: string }): void {
  expect(error.code, `${what}: ${error.message}`).not.toBe('EBADRESULT');
  expect(error.message, `${what} (${error.code})`).not.toMatch(ENGINE_ERROR);
  expect(error.message.length, what).toBeGreaterThan(0);
}

/** A value of a random JSON type, sometimes nested, sometimes extreme. */
export function randomJson(random: Random, depth = 0): unknown {
  switch (int(random, depth > 3 ? 6 : 8)) {
    case 0: return null;
    case 1: return pick(random, [0, -1, 1, 2 ** 32, 2 ** 53, -(2 ** 31), 1.5, 1e308]);
    case 2: return pick(random, ['', 'x', 'done', '-1', 'a'.repeat(300), '../../etc/passwd']);
    case 3: return random() < 0.5;
    case 4: return int(random, 100);
    case 5: return String(int(random, 1000));
    case 6: return Array.from({ length: int(random, 4) }, () => randomJson(random, depth + 1));
    default: return Object.fromEntries(Array.from({ length: int(random, 4) }, (_, i) => [pick(random, ['count', 'keySize', 'stride', 'state', 'size', 'sha256', `k${i}`]), randomJson(random, depth + 1)]));
  }
}

/** Replaces, deletes or retypes one value somewhere in the manifest. */
export function mutateJson(random: Random, value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 6 || random() < 0.15) return randomJson(random);
  const keys = Object.keys(value);
  if (keys.length === 0) return randomJson(random);
  const key = pick(random, keys);
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as Record<string, unknown>) };
  if (random() < 0.15 && !Array.isArray(value)) delete copy[key];
  else copy[key] = mutateJson(random, (value as Record<string, unknown>)[key], depth + 1);
  return copy;
}
