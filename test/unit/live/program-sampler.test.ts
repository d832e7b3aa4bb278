// ProgramSampler over an in-memory host: rates against the host's clock, history rings,
// totals, programs appearing and vanishing, the stats lease, and the one-by-one fallback.
import { describe, expect, it } from 'vitest';
import { ProgramSampler } from '../../../main/live/program-sampler.js';
import { SeriesRing } from '../../../main/live/series-ring.js';
import { FakeHost } from './fake-host.js';

describe('ProgramSampler', () => {
  it('computes rates from counter deltas over the host clock and keeps history', async () => {
    const host = new FakeHost();
    const a = host.addProgram(1, 'alpha');
    host.addProgram(2, '');
    let now = 1000;
    const sampler = new ProgramSampler(host, { intervalMs: 1000, historyMs: 3000, now: () => now });
    expect(await sampler.sample()).toBeNull();
    for (let i = 1; i <= 5; i++) {
      a.runCnt += 2000n;
      a.runTimeNs += 200_000n;
      host.monotonicNs += 1_000_000_000n;
      now += 1000;
      const sample = (await sampler.sample())!;
      expect(sample.intervalMs).toBe(1000);
      expect(sample.programs.find((p) => p.id === 1)).toMatchObject({
        name: 'alpha', type: 'tracepoint', eventsPerSec: 2000, avgRunNs: 100, cpuPercent: 0.01, runCnt: 2000 * i,
        owners: [{ pid: 4242, comm: 'loader' }], verifiedInsns: 10,
      });
      expect(sample.programs.find((p) => p.id === 2)).toMatchObject({ name: '', eventsPerSec: 0 });
      expect(sample.totals).toMatchObject({ programs: 2, eventsPerSec: 2000, cpuPercent: 0.01 });
    }
    // 3 s of history at 1 s: the last three points.
    expect(sampler.history(1)).toEqual({
      timeMs: [4000, 5000, 6000], eventsPerSec: [2000, 2000, 2000], avgRunNs: [100, 100, 100],
      cpuPercent: [expect.closeTo(0.01, 6), expect.closeTo(0.01, 6), expect.closeTo(0.01, 6)], recursionMisses: [0, 0, 0],
    });
    expect(sampler.totalsSeries().programs).toEqual([2, 2, 2]);

    host.programs.delete(2);
    host.addProgram(3);
    host.monotonicNs += 1_000_000_000n;
    const changed = (await sampler.sample())!;
    expect(changed).toMatchObject({ appeared: [3], vanished: [2] });
    expect(changed.programs.map((p) => p.id)).toEqual([1]);
    expect(sampler.history(2)).toBeUndefined();
  });

  it('reuses the slot of a vanished program for a new one, with none of its history', async () => {
    const host = new FakeHost();
    for (let id = 1; id <= 3; id++) host.addProgram(id);
    let now = 0;
    const sampler = new ProgramSampler(host, { intervalMs: 1000, historyMs: 10_000, now: () => now });
    const step = async () => {
      host.monotonicNs += 1_000_000_000n;
      now += 1000;
      for (const p of host.programs.values()) p.runCnt += BigInt(p.id * 100);
      return (await sampler.sample())!;
    };
    await sampler.sample();
    await step();
    host.programs.delete(2);
    host.addProgram(9, 'newcomer');
    const changed = await step();
    expect(changed).toMatchObject({ appeared: [9], vanished: [2] });
    expect(sampler.history(9)).toBeUndefined();
    const next = await step();
    expect(next.programs.map((p) => [p.id, p.name, p.eventsPerSec])).toEqual([[1, 'prog_1', 100], [3, 'prog_3', 300], [9, 'newcomer', 900]]);
    expect(sampler.history(9)).toMatchObject({ timeMs: [3000], eventsPerSec: [900] });
    expect(sampler.history(1)?.eventsPerSec).toEqual([100, 100, 100]);
  });

  it('grows past the programs of its first sample and keeps every history', async () => {
    const host = new FakeHost();
    host.addProgram(1);
    let now = 0;
    const sampler = new ProgramSampler(host, { intervalMs: 1000, now: () => now });
    await sampler.sample();
    for (let round = 1; round <= 4; round++) {
      for (let id = round * 10; id < round * 10 + round * 3; id++) host.addProgram(id);
      host.programs.get(1)!.runCnt += 1000n;
      host.monotonicNs += 1_000_000_000n;
      now += 1000;
      await sampler.sample();
    }
    expect(sampler.history(1)?.eventsPerSec).toEqual([1000, 1000, 1000, 1000]);
    expect(sampler.history(10)?.timeMs).toEqual([2000, 3000, 4000]);
    expect(sampler.history(40)).toBeUndefined();
    expect(sampler.latest?.totals.programs).toBe(1 + 3 + 6 + 9);
  });

  it('treats an id whose tag changed as another program', async () => {
    const host = new FakeHost();
    const p = host.addProgram(4, 'first');
    const sampler = new ProgramSampler(host, { intervalMs: 1000 });
    await sampler.sample();
    p.runCnt = 5000n;
    host.monotonicNs += 1_000_000_000n;
    expect((await sampler.sample())!.programs[0]).toMatchObject({ name: 'first', eventsPerSec: 5000 });
    const original = host.progInfoAll.bind(host);
    host.progInfoAll = async (max: number) => {
      const bytes = await original(max);
      bytes[32 + 40] ^= 0xff;
      return bytes;
    };
    p.name = 'second';
    host.monotonicNs += 1_000_000_000n;
    expect(await sampler.sample()).toMatchObject({ appeared: [4], vanished: [4], programs: [] });
    host.monotonicNs += 1_000_000_000n;
    expect((await sampler.sample())!.programs[0]).toMatchObject({ name: 'second', tag: 'fe02030405060704' });
  });

  it("passes the last sample's ids to the next walk, and walks without them about every 10 s", async () => {
    const host = new FakeHost();
    host.addProgram(3);
    host.addProgram(8);
    const sampler = new ProgramSampler(host, { intervalMs: 5000 });
    for (let i = 0; i < 4; i++) {
      await sampler.sample();
      if (i === 1) host.addProgram(12);
    }
    expect(host.knownIdsSeen).toEqual([undefined, [3, 8], undefined, [3, 8, 12]]);
    const hourly = new FakeHost();
    hourly.addProgram(1);
    const slow = new ProgramSampler(hourly, { intervalMs: 60_000 });
    await slow.sample();
    await slow.sample();
    expect(hourly.knownIdsSeen).toEqual([undefined, undefined]);
  });

  it('holds a stats lease from start to stop, shared by samplers of the same host', async () => {
    const host = new FakeHost();
    const one = new ProgramSampler(host, { intervalMs: 60_000 });
    const two = new ProgramSampler(host, { intervalMs: 60_000 });
    await one.start();
    await two.start();
    expect(host.statsFds).toBe(1);
    await one.stop();
    expect(host.statsFds).toBe(1);
    await two.stop();
    await two.stop();
    expect(host.statsFds).toBe(0);
    expect(host.statsEnables).toBe(1);
  });

  it('says in each sample whether run statistics are on and who holds them', async () => {
    const host = new FakeHost();
    host.addProgram(1);
    const sampler = new ProgramSampler(host, { intervalMs: 60_000 });
    await sampler.start();
    const held = (await sampler.sample())!;
    expect(held.stats).toMatchObject({ on: true, heldByUs: true, leases: 1, sysctl: false });
    expect(held.stats.holders.map((h) => h.comm)).toEqual(['bpfscope']);
    await sampler.stop();
    // Not held by us and no scan since: the last scan's holders, our own hold as it is now.
    const after = (await sampler.sample())!;
    expect(after.stats).toMatchObject({ heldByUs: false, leases: 0 });
  });

  it('refuses intervals outside 250 ms – 60 s', () => {
    expect(() => new ProgramSampler(new FakeHost(), { intervalMs: 100 })).toThrow(/between 250 ms and 60 s/);
    expect(() => new ProgramSampler(new FakeHost(), { intervalMs: 61_000 })).toThrow(RangeError);
  });

  it('falls back to one info call per program on hosts without progInfoAll', async () => {
    const host = new FakeHost();
    host.addProgram(5, 'old_agent');
    const legacy = Object.assign(Object.create(host) as FakeHost, { progInfoAll: undefined });
    const sampler = new ProgramSampler(legacy, { intervalMs: 250 });
    await sampler.sample();
    const sample = (await sampler.sample())!;
    expect(sample.programs.map((p) => p.name)).toEqual(['old_agent']);
  });
});

describe('SeriesRing', () => {
  it('keeps the newest samples in order and reports its fixed size', () => {
    const ring = new SeriesRing(['a', 'b'] as const, 3);
    for (let t = 1; t <= 5; t++) ring.push(t, { a: t * 10, b: -t });
    expect(ring.length).toBe(3);
    expect(ring.toColumns()).toEqual({ timeMs: [3, 4, 5], a: [30, 40, 50], b: [-3, -4, -5] });
    expect(ring.toColumns(5)).toEqual({ timeMs: [5], a: [50], b: [-5] });
    expect(ring.byteLength).toBe(3 * 8 + 2 * 3 * 4);
    expect(() => new SeriesRing(['a'], 0)).toThrow(RangeError);
  });
});
