// The addon's batched prog_array read (progArrayBatch: show prog's search for the arrays that
// jump to a program) against bpftool's dump of each array, and against reading each array
// one page at a time; over batches that end at their limit and resume after their last map.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProgArrayBatch, type ProgArrayRecord } from '../../main/kernel/attach/index.js';
import { listProgArrays } from '../../main/hosts/attachments.js';
import type { Host } from '../../main/hosts/host.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { bpftoolJson } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
const u32 = (hex: string[]): number => Buffer.from(hex.map((x) => Number.parseInt(x, 16))).readUInt32LE();

/** bpftool's dump of a prog_array as slots; null when the map is gone. */
async function bpftoolSlots(id: number): Promise<Array<{ index: number; progId: number }> | null> {
  try {
    const dump = await bpftoolJson<Array<{ key: string[]; value: string[] }>>(['map', 'dump', 'id', String(id)]);
    return dump.map((e) => ({ index: u32(e.key), progId: u32(e.value) })).sort((a, b) => a.index - b.index);
  } catch (error) {
    if (/No such file or directory|not found/i.test(String(error))) return null;
    throw error;
  }
}

describe.skipIf(skip)('batched prog_array reads', () => {
  let fixtures: LoadedFixtures;
  const host = new LocalHost();

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps'] });
  });
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('reads every prog_array\'s filled slots as bpftool dumps them, a batch of maps at a time', async () => {
    const before = await bpftoolJson<Array<{ id: number; type: string }>>(['map', 'show']);
    const records: ProgArrayRecord[] = [];
    let batches = 0;
    for (let after = 0, more = true; more; batches++) {
      const batch = decodeProgArrayBatch(await host.progArrayBatch(after, 7));
      expect(batch.walked).toBeLessThanOrEqual(7);
      if (batch.more) expect(batch.walked).toBe(7);
      for (const record of batch.records) expect(record.id).toBeLessThanOrEqual(batch.lastId);
      records.push(...batch.records);
      more = batch.more;
      after = batch.lastId;
    }
    const after = await bpftoolJson<Array<{ id: number; type: string }>>(['map', 'show']);
    expect(batches).toBeGreaterThan(before.length / 7 - 1);
    // Other tests' maps come and go meanwhile: those present before and after must be there.
    const stayed = before.filter((m) => m.type === 'prog_array' && after.some((a) => a.id === m.id)).map((m) => m.id);
    const read = records.map((r) => r.id);
    expect(read).toEqual(read.toSorted((a, b) => a - b));
    expect(stayed.filter((id) => !read.includes(id))).toEqual([]);
    expect(read.filter((id) => after.some((m) => m.id === id && m.type !== 'prog_array'))).toEqual([]);

    let compared = 0;
    for (const record of records) {
      const reference = await bpftoolSlots(record.id);
      if (!reference) continue;
      expect(record.slots, `map ${record.id}`).toEqual(reference);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(stayed.length);
    const jumps = records.find((r) => r.id === fixtures.map('jump_table', 'maps').id);
    expect(jumps?.slots).toEqual([
      { index: 0, progId: fixtures.program('tail_a', 'maps').id },
      { index: 2, progId: fixtures.program('tail_b', 'maps').id },
    ]);
  });

  it('gives the same tail-call tables as reading each prog_array a page at a time', async () => {
    const oneByOne: Host = Object.assign(Object.create(host) as LocalHost, { progArrayBatch: undefined });
    const fixtureIds = new Set(fixtures.report.maps.map((m) => m.id));
    const pick = (arrays: Awaited<ReturnType<typeof listProgArrays>>) => arrays.filter((a) => fixtureIds.has(a.mapId));
    const batched = pick(await listProgArrays(host));
    expect(batched.map((a) => a.mapName)).toContain('jump_table');
    expect(batched).toEqual(pick(await listProgArrays(oneByOne)));
  });

  it('reads the arrays a batch marks partial a page at a time', async () => {
    // As the native walk marks an array whose slots it could not all read (a failed lookup,
    // a full batch): flags bit 0, the slots it holds are not to be used.
    const partial: Host = Object.assign(Object.create(host) as LocalHost, {
      async progArrayBatch(afterId: number, max: number) {
        const bytes = Buffer.from(await host.progArrayBatch(afterId, max));
        for (let i = 0, at = 16; i < bytes.readUInt32LE(0); i++) {
          bytes.writeUInt32LE(1, at + 12);
          at = ((at + 16 + bytes.readUInt32LE(at + 4) + 7) & ~7) + bytes.readUInt32LE(at + 8) * 8;
        }
        return bytes;
      },
    });
    const fixtureIds = new Set(fixtures.report.maps.map((m) => m.id));
    const pick = (arrays: Awaited<ReturnType<typeof listProgArrays>>) => arrays.filter((a) => fixtureIds.has(a.mapId));
    const paged = pick(await listProgArrays(partial));
    expect(paged.find((a) => a.mapName === 'jump_table')?.slots.length).toBe(2);
    expect(paged).toEqual(pick(await listProgArrays(host)));
  });

  it('refuses a batch size of 0 or past 4096, and a batch cut short', async () => {
    await expect(host.progArrayBatch(0, 0)).rejects.toThrow(/bad arguments/);
    await expect(host.progArrayBatch(0, 4097)).rejects.toThrow(/bad arguments/);
    const bytes = await host.progArrayBatch(0, 4096);
    const count = decodeProgArrayBatch(bytes).records.length;
    expect(count).toBeGreaterThan(0);
    expect(() => decodeProgArrayBatch(bytes.subarray(0, bytes.byteLength - 1))).toThrow(/runs past the end/);
  });
});
