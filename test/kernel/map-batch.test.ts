// The addon's batched map info read (mapInfoBatch: the walks of every map for prog arrays and
// struct_ops) against its one-map read and bpftool: the same ids in the kernel's order and the
// same info, over batches that end at their limit and resume after their last id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMapInfo, type MapInfo } from '../../main/kernel/info/index.js';
import { decodeMapBatch, type MapBatchRecord } from '../../main/kernel/info/map-batch.js';
import type { Host } from '../../main/hosts/host.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { everyMapShape } from '../../main/hosts/map-shape.js';
import { bpftoolJson } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();

describe.skipIf(skip)('batched map info reads', () => {
  let fixtures: LoadedFixtures;
  const host = new LocalHost();

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps'] });
  });
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('reads every map as the one-map read does, a batch at a time, in bpftool\'s order', async () => {
    const records: MapBatchRecord[] = [];
    let batches = 0;
    for (let after = 0, more = true; more; batches++) {
      const batch = decodeMapBatch(await host.mapInfoBatch(after, 7));
      expect(batch.records.length).toBeLessThanOrEqual(7);
      if (batch.more) expect(batch.records.length).toBe(7);
      records.push(...batch.records);
      more = batch.more;
      after = batch.records.at(-1)?.id ?? after;
    }
    const fixtureIds = fixtures.report.maps.map((m) => m.id);
    expect(batches).toBeGreaterThan(fixtureIds.length / 7);
    expect(records.map((r) => r.id).filter((id) => fixtureIds.includes(id))).toEqual(fixtureIds.toSorted((a, b) => a - b));
    for (const record of records.filter((r) => fixtureIds.includes(r.id))) {
      expect(decodeMapInfo(record.info)).toEqual(decodeMapInfo((await host.mapInfo(record.id))!.info));
    }
    // Other tests' maps come and go meanwhile: the fixtures' are compared with bpftool.
    const listed = (await bpftoolJson<Array<{ id: number; name?: string; max_entries: number }>>(['map', 'show'])).filter((m) => fixtureIds.includes(m.id));
    const shapes = new Map((await everyMapShape(host)).map((info) => [info.id, info]));
    expect(listed.length).toBe(fixtureIds.length);
    for (const m of listed) expect({ id: m.id, name: m.name ?? '', maxEntries: m.max_entries }).toEqual({ id: shapes.get(m.id)!.id, name: shapes.get(m.id)!.name ?? '', maxEntries: shapes.get(m.id)!.maxEntries });
  });

  it('gives the same shapes without the batch read (one map at a time)', async () => {
    const oneByOne: Host = Object.assign(Object.create(host) as LocalHost, { mapInfoBatch: undefined });
    const fixtureIds = new Set(fixtures.report.maps.map((m) => m.id));
    const pick = (shapes: MapInfo[]) => shapes.filter((s) => fixtureIds.has(s.id));
    expect(pick(await everyMapShape(oneByOne))).toEqual(pick(await everyMapShape(host)));
  });

  it('refuses a batch whose records run past its end, and an empty batch size', async () => {
    const bytes = await host.mapInfoBatch(0, 3);
    expect(() => decodeMapBatch(bytes.subarray(0, bytes.byteLength - 9))).toThrow(/runs past the end/);
    expect(() => decodeMapBatch(bytes.subarray(0, 4))).toThrow(/need at least 8/);
    await expect(host.mapInfoBatch(0, 0)).rejects.toThrow(/bad arguments/);
  });
});
