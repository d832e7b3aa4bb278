// The comparisons the corpus tests make on each object a real tool loaded, whatever the tool:
// bpfscope's output against bpftool's for the same object, JIT images against GNU objdump.
// The tools keep running meanwhile, so values that move (run statistics, map contents) are
// compared where both reads saw them alike.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { asBpftool71, expectBpftoolListingJson, expectListedLikeBpftool, expectSuperset, type JsonObj } from './bpftool-compare.js';
import { bpfscope, bpftoolJson, parseJsonExact, runCommand } from './cli.js';
import { expectJitTextLikeObjdump, jitImageOf } from './objdump.js';

/** Records how many comparisons of a kind were made (the corpus report's figures). */
export type Count = (what: string, n?: number) => void;

/** Runs `fn` over `items`, `limit` at a time (the machine has two cores). */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** bpfscope's output for `args`, which must succeed without a word on stderr. */
export async function ok(args: string[]): Promise<string> {
  const result = await bpfscope(args);
  expect(result.stderr, `bpfscope ${args.join(' ')}`).toBe('');
  expect(result.code, `bpfscope ${args.join(' ')}`).toBe(0);
  return result.stdout;
}

export async function bpftool(args: string[]): Promise<string> {
  const result = await runCommand('bpftool', args);
  expect(result.code, `bpftool ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** Run statistics move between two reads when something has stats enabled: masked in both texts. */
export function maskStats(text: string): string {
  return text.replace(/run_time_ns \d+ run_cnt \d+/g, 'run_time_ns N run_cnt N').replace(/recursion_misses \d+/g, 'recursion_misses N');
}

/** Text with its numbers (decimal, hex, hex bytes) masked. */
export const maskNumbers = (text: string): string => text.replace(/\b(0x)?[0-9a-f]+\b/gi, '#');

/** `show prog ID` in both modes: bpftool's keys and values in the JSON, bpftool's text first in the text; returns our JSON. */
export async function expectProgShownLikeBpftool(id: number, count: Count): Promise<JsonObj> {
  const ours = parseJsonExact<JsonObj>(await ok(['show', 'prog', String(id), '--json']));
  expectSuperset(ours, await bpftoolJson<JsonObj>(['prog', 'show', 'id', String(id)]), `prog ${id}`, 'prog');
  const text = maskStats(await ok(['show', 'prog', String(id)]));
  expect(text.startsWith(maskStats(await bpftool(['prog', 'show', 'id', String(id)]))), `prog ${id} text:\n${text}`).toBe(true);
  count('show prog', 2);
  return ours;
}

/** `show map ID` in both modes, as expectProgShownLikeBpftool. */
export async function expectMapShownLikeBpftool(id: number, count: Count): Promise<void> {
  const ours = parseJsonExact<JsonObj>(await ok(['show', 'map', String(id), '--json']));
  expectSuperset(ours, await bpftoolJson<JsonObj>(['map', 'show', 'id', String(id)]), `map ${id}`, 'map');
  const text = await ok(['show', 'map', String(id)]);
  expect(text.startsWith(await bpftool(['map', 'show', 'id', String(id)])), `map ${id} text:\n${text}`).toBe(true);
  count('show map', 2);
}

/**
 * `dump prog ID`, plain, `--linum` and `--opcodes`, as text and as JSON, against bpftool prog
 * dump xlated; returns the source lines the listings carry.
 */
export async function expectProgDumpsLikeBpftool(id: number, what: string, count: Count): Promise<number> {
  let sourceLines = 0;
  for (const options of [[], ['linum'], ['opcodes']]) {
    const flags = options.map((o) => `--${o}`);
    const text = await ok(['dump', 'prog', String(id), ...flags]);
    expect(asBpftool71(text), `${what}: dump prog ${options.join(' ')}`).toBe(await bpftool(['prog', 'dump', 'xlated', 'id', String(id), ...options]));
    sourceLines += (text.match(/^; /gm) ?? []).length;
    const json = JSON.parse(await ok(['dump', 'prog', String(id), '--json', ...flags])) as object[];
    expectBpftoolListingJson(json, await bpftoolJson<object[]>(['prog', 'dump', 'xlated', 'id', String(id), ...options]), `${what}: dump prog --json ${options.join(' ')}`);
    count('dump prog (text)');
    count('dump prog (JSON)');
  }
  return sourceLines;
}

/** `dump prog ID --jited --opcodes` as objdump -D -b binary -m i386:x86-64 reads the image bytes. */
export async function expectJitLikeObjdump(id: number, what: string, count: Count): Promise<void> {
  const { image, ksyms, funcLens } = jitImageOf(id);
  expect(image.length, `${what} is JIT-ed`).toBeGreaterThan(0);
  count('JIT lines vs objdump', expectJitTextLikeObjdump(await ok(['dump', 'prog', String(id), '--jited', '--opcodes']), image, ksyms, funcLens, what));
}

/**
 * `bpftool map dump id ID`'s text. bpftool 7.1 exits non-zero without a word where a map has no
 * keys to walk (a ring buffer), having printed `Found 0 elements`; bpfscope prints the same and
 * exits 0 (README).
 */
async function bpftoolDump(id: number): Promise<string> {
  const result = await runCommand('bpftool', ['map', 'dump', 'id', String(id)]);
  const keyless = result.code !== 0 && result.stderr === '' && result.stdout === 'Found 0 elements\n';
  expect(result.code === 0 || keyless, `bpftool map dump id ${id}: ${result.stderr}`).toBe(true);
  return result.stdout;
}

type DumpEntry = { key: string[]; value?: unknown; values?: unknown; formatted?: unknown };

/**
 * `dump map ID` in both modes against bpftool map dump, on a map its tool updates all the
 * time: JSON entries are matched by key and compared where both reads saw the same bytes; text
 * (which has no bytes) is retried until a read of ours falls between two equal reads of
 * bpftool's, compared with the numbers masked where our read never matches, and not at all
 * where bpftool's two reads never agree. Returns the JSON entries compared.
 */
export async function expectMapDumpLikeBpftool(id: number, count: Count): Promise<number> {
  const raw = (e: DumpEntry): string => JSON.stringify([e.key, e.value, e.values]);
  const peer = await runCommand('bpftool', ['map', 'dump', 'id', String(id), '-j']);
  const ours = await bpfscope(['dump', 'map', String(id), '--json']);
  expect(ours.code, `dump map ${id} --json: ${ours.stderr}`).toBe(0);
  const theirs = new Map((JSON.parse(peer.stdout) as DumpEntry[]).map((e) => [raw(e), JSON.stringify(e)]));
  let compared = 0;
  for (const e of JSON.parse(ours.stdout) as DumpEntry[]) {
    const entry = theirs.get(raw(e));
    if (entry === undefined) continue;
    expect(JSON.stringify(e), `map ${id} entry ${JSON.stringify(e.key)}`).toBe(entry);
    compared++;
  }
  count('dump map --json entries', compared);
  /** bpftool's text reads, cut into entries only where ours differs in more than numbers. */
  const peerReads: string[] = [];
  for (let attempt = 0; ; attempt++) {
    const before = await bpftoolDump(id);
    const text = (await bpfscope(['dump', 'map', String(id)])).stdout;
    const after = await bpftoolDump(id);
    peerReads.push(before, after);
    if (before !== after && attempt < 5) continue;
    if (text !== before && before === after && attempt < 5) continue;
    if (before === after && text !== before && maskNumbers(text) === maskNumbers(before)) {
      // A value that follows whoever reads it (a min or max of every process's write sizes,
      // which each reader's own writes move) never reads alike for both tools: the layout is
      // compared with the numbers masked; the values were compared as JSON where both reads
      // saw them alike.
      count('dump map text (values moving)');
    } else if (before === after && text !== before) {
      // Entries that come and go (a timestamp per task while it waits for a CPU): ours may hold
      // one more or less than bpftool's reads; each of its entries, numbers masked, is one
      // bpftool printed in some read.
      const shapesSeen = new Set(peerReads.flatMap(entryShapes));
      for (const shape of entryShapes(text)) expect(shapesSeen, `dump map ${id} text: an entry bpftool never printed like this`).toContain(shape);
      count('dump map text (entries moving)');
    } else if (before === after) {
      count('dump map text');
    }
    return compared;
  }
}

/**
 * A map dump's text cut into its entries with their numbers masked: at each of bpftool's
 * `},{` between BTF-formatted entries and each `key` line of the hex form; the opening stays
 * with the first entry, the closing and the element count are pieces of their own.
 */
function entryShapes(text: string): string[] {
  return maskNumbers(text).split(/\n(?=\s*\},\{\n|\s*\}\n\]|key[: ]|Found )/);
}

/** expectMapDumpLikeBpftool on every map of `ids`, two at a time; some entries must have read alike. */
export async function expectMapDumpsLikeBpftool(ids: readonly number[], count: Count): Promise<void> {
  let comparedEntries = 0;
  await eachLimited(ids, 2, async (id) => {
    comparedEntries += await expectMapDumpLikeBpftool(id, count);
  });
  expect(comparedEntries, 'entries both reads saw alike').toBeGreaterThan(0);
}

export type PerfEntry = Record<string, unknown> & { pid: number; fd: number };

/**
 * `ls perf --json`: the perf events of the processes `pids` that bpftool perf list names
 * (BPF_TASK_FD_QUERY answers for them) listed with bpftool's keys and values, at least `least`
 * of them. Returns everything ls perf lists for those processes.
 */
export async function expectPerfListedLikeBpftool(pids: ReadonlySet<number>, least: number, count: Count): Promise<PerfEntry[]> {
  const listed = parseJsonExact<PerfEntry[]>(await ok(['ls', 'perf', '--json'])).filter((e) => pids.has(e.pid));
  const ours = listed.filter((e) => e.prog_id !== undefined);
  const theirs = (await bpftoolJson<PerfEntry[]>(['perf', 'list'])).filter((e) => pids.has(e.pid));
  expect(theirs.length).toBeGreaterThanOrEqual(least);
  const key = (e: PerfEntry) => `${e.pid}:${String(e.fd)}`;
  expect(new Set(ours.map(key))).toEqual(new Set(theirs.map(key)));
  const byKey = new Map(ours.map((e) => [key(e), e]));
  for (const entry of theirs) {
    expectSuperset({ ...byKey.get(key(entry))!, id: 0 }, { ...entry, id: 0 }, `perf ${key(entry)}`, 'prog');
    count('ls perf');
  }
  return listed;
}

/** `ls progs|maps|links --json` lists each of `ids` as bpftool's list does. */
export async function expectListedLikeBpftoolAll(kind: 'prog' | 'map' | 'link', ids: readonly number[], count: Count): Promise<void> {
  const ours = new Map(parseJsonExact<JsonObj[]>(await ok(['ls', `${kind}s`, '--json'])).map((o) => [o.id, o]));
  const wanted = new Set(ids);
  const theirs = (await bpftoolJson<JsonObj[]>([kind, 'show'])).filter((o) => wanted.has(o.id));
  expect(theirs.map((o) => o.id)).toEqual([...ids].sort((a, b) => a - b));
  for (const listed of theirs) {
    expect(ours.has(listed.id), `${kind} ${listed.id} listed`).toBe(true);
    await expectListedLikeBpftool(ours.get(listed.id)!, listed, kind);
    count(`ls ${kind}s`);
  }
}

/**
 * The BTF of each of the programs `progIds` as `bpftool btf dump`, raw and C, the C compiled by
 * clang (its header written into `dir`); returns how many BTF objects were compared.
 */
export async function expectProgramsBtfLikeBpftool(progIds: readonly number[], dir: string, count: Count): Promise<number> {
  const progs = await bpftoolJson<Array<JsonObj & { btf_id?: number }>>(['prog', 'show']);
  const btfIds = [...new Set(progs.filter((p) => progIds.includes(p.id)).map((p) => p.btf_id))];
  for (const btfId of btfIds) {
    expect(btfId, 'a program with BTF').toBeDefined();
    for (const format of ['raw', 'c'] as const) {
      const ours = await ok(['btf', String(btfId), `--${format}`]);
      expect(ours, `btf ${btfId} --${format}`).toBe(await bpftool(['btf', 'dump', 'id', String(btfId), 'format', format]));
      count(`btf ${format}`);
      if (format !== 'c') continue;
      const header = join(dir, `btf-${btfId}.h`);
      writeFileSync(header, ours);
      const compiled = await runCommand('clang', ['-target', 'bpf', '-fsyntax-only', '-x', 'c', header]);
      expect(compiled.code, `btf ${btfId} C: ${compiled.stderr.slice(0, 2000)}`).toBe(0);
    }
  }
  return btfIds.length;
}
