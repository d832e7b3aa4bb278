// The addon's batched program read (progInfoBatch, used by program listings) against its
// one-program read of the same programs: the same ids in the kernel's order, the same info,
// map ids and fdinfo, over batches that end at their limit and resume after their last id.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProgInfo, parseFdinfo } from '../../main/kernel/info/index.js';
import { decodeProgBatch, type ProgBatchRecord } from '../../main/kernel/info/prog-batch.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { expectListedLikeBpftool, type JsonObj } from '../helpers/bpftool-compare.js';
import { bpfscope, bpftoolJson, parseJsonExact } from '../helpers/cli.js';
import { buildFixtures, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { loadManyPrograms } from '../helpers/many-programs.js';

const skip = ensureKernelEnv();
const COUNT = 300;
const pinDir = `/sys/fs/bpf/bpfscope-test-batch-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'bpfscope-batch-'));

function byIdOf(list: JsonObj[]): Map<number, JsonObj> {
  return new Map(list.map((p) => [p.id, p]));
}

/** What cannot change between two reads of a program (its run counters can). */
function stable(info: Uint8Array, fdinfo: string) {
  const { runTimeNs: _t, runCnt: _c, recursionMisses: _m, ...rest } = decodeProgInfo(info);
  const fields = Object.fromEntries([...parseFdinfo(fdinfo).fields].filter(([key]) => !key.startsWith('run_') && key !== 'recursion_misses'));
  return { ...rest, fields };
}

describe.skipIf(skip)('batched program reads', () => {
  let fixtures: LoadedFixtures;
  const host = new LocalHost();

  beforeAll(async () => {
    buildFixtures();
    fixtures = await startFixtures();
    expect(loadManyPrograms(work, COUNT, pinDir, 'batch_')).toBe(COUNT);
  });

  afterAll(async () => {
    await fixtures?.stop();
    rmSync(pinDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('reads every program as the one-program read does, a batch at a time', async () => {
    const records: ProgBatchRecord[] = [];
    let batches = 0;
    for (let after = 0, more = true; more; batches++) {
      const batch = decodeProgBatch(await host.progInfoBatch(after, 97));
      expect(batch.records.length).toBeLessThanOrEqual(97);
      if (batch.more) expect(batch.records.length).toBe(97);
      records.push(...batch.records);
      more = batch.more;
      after = batch.records.at(-1)?.id ?? after;
    }
    expect(batches).toBeGreaterThan(COUNT / 97);
    const ids = await host.listIds('prog');
    // Programs other tests load or unload meanwhile aside, the same ids in the same order.
    const both = ids.filter((id) => records.some((r) => r.id === id));
    expect(both.length).toBeGreaterThan(ids.length - 10);
    expect(records.map((r) => r.id).filter((id) => both.includes(id))).toEqual(both);
    const withMaps = records.filter((r) => r.mapIds.byteLength > 0);
    expect(withMaps.length, 'the fixtures hold programs with maps').toBeGreaterThan(0);
    for (const record of records) {
      const one = await host.progInfo(record.id, false);
      if (!one) continue;
      expect(decodeProgInfo(record.info).id).toBe(record.id);
      expect(Array.from(record.mapIds)).toEqual(Array.from(one.mapIds));
      expect(stable(record.info, record.fdinfo)).toEqual(stable(one.info, one.fdinfo));
    }
  });

  it('starts after the id given, and an empty batch past the last program says no more', async () => {
    const ids = await host.listIds('prog');
    const from = ids[Math.floor(ids.length / 2)]!;
    const batch = decodeProgBatch(await host.progInfoBatch(from, 5));
    expect(batch.records.map((r) => r.id)).toEqual(ids.filter((id) => id > from).slice(0, 5));
    const end = decodeProgBatch(await host.progInfoBatch(0x7fff_fff0, 5));
    expect(end).toEqual({ records: [], more: false });
  });

  it('ls progs, handing each batch on as it is read, lists every program as bpftool does, owners included, in text and JSON', async () => {
    // Other tests may load or unload programs between the two listings: then once more.
    for (let attempt = 1; ; attempt++) {
      const ours = parseJsonExact<JsonObj[]>((await bpfscope(['ls', 'progs', '--json'])).stdout);
      const text = (await bpfscope(['ls', 'progs'])).stdout;
      const theirs = await bpftoolJson<JsonObj[]>(['prog', 'show']);
      const ids = theirs.map((p) => p.id);
      const textIds = [...text.matchAll(/^(\d+): /gm)].map((m) => Number(m[1]));
      if (attempt < 3 && (JSON.stringify(ours.map((p) => p.id)) !== JSON.stringify(ids) || JSON.stringify(textIds) !== JSON.stringify(ids))) continue;
      expect(ids.length, 'several batches of 128').toBeGreaterThan(2 * 128);
      expect(ours.map((p) => p.id)).toEqual(ids);
      expect(textIds).toEqual(ids);
      // bpftool 7.1 as Debian builds it lists no pids: every fixture program shows the loader holding it.
      const loader = fixtures.report.pid;
      const held = (p: JsonObj | undefined) => ((p?.pids ?? []) as Array<{ pid: number }>).some((o) => o.pid === loader);
      for (const p of fixtures.report.programs) expect(held(byIdOf(ours).get(p.id)), `${p.name} held by the loader`).toBe(true);
      expect(text).toContain(`pids bpfscope-fixtur(${loader})`);
      const byId = byIdOf(ours);
      for (const listed of theirs) await expectListedLikeBpftool(byId.get(listed.id)!, listed, 'prog');
      return;
    }
  });

  it('refuses a batch whose records run past its end', async () => {
    const bytes = await host.progInfoBatch(0, 3);
    expect(() => decodeProgBatch(bytes.subarray(0, bytes.byteLength - 9))).toThrow(/runs past the end/);
    expect(() => decodeProgBatch(bytes.subarray(0, 4))).toThrow(/need at least 8/);
  });
});
