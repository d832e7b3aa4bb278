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
import { buildFixtures, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { loadManyPrograms } from '../helpers/many-programs.js';

const skip = ensureKernelEnv();
const COUNT = 300;
const pinDir = `/sys/fs/bpf/bpfscope-test-batch-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'bpfscope-batch-'));

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

  it('refuses a batch whose records run past its end', async () => {
    const bytes = await host.progInfoBatch(0, 3);
    expect(() => decodeProgBatch(bytes.subarray(0, bytes.byteLength - 9))).toThrow(/runs past the end/);
    expect(() => decodeProgBatch(bytes.subarray(0, 4))).toThrow(/need at least 8/);
  });
});
