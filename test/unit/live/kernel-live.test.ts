// The pure live computations: the packed stats sample, rates, CPU lists, cost, id diffs,
// ring buffer levels and lifecycle text.
import { describe, expect, it } from 'vitest';
import {
  countCpuList,
  decodeProgStatsSample,
  describeLifecycle,
  diffIds,
  estimateStatsCost,
  programRates,
  ringbufLevel,
  ringbufRates,
} from '../../../main/kernel/live/index.js';
import { packProgInfoAll, progInfoBytes } from './fake-host.js';

const prog = { id: 7, type: 5, name: 'count_getpid', runCnt: 1000n, runTimeNs: 85_000n, recursionMisses: 2n, verifiedInsns: 31 };

describe('decodeProgStatsSample', () => {
  it('reads every record, with the midpoint of the walk as its time', () => {
    const bytes = packProgInfoAll([progInfoBytes(prog), progInfoBytes({ ...prog, id: 9, name: '' })], 1000n, 3000n);
    const sample = decodeProgStatsSample(bytes);
    expect(sample).toMatchObject({ monotonicNs: 2000, walkNs: 2000, truncated: false });
    expect(sample.records).toEqual([
      { id: 7, type: 5, name: 'count_getpid', tag: '0102030405060707', runTimeNs: 85_000, runCnt: 1000, recursionMisses: 2, verifiedInsns: 31 },
      { id: 9, type: 5, name: '', tag: '0102030405060709', runTimeNs: 85_000, runCnt: 1000, recursionMisses: 2, verifiedInsns: 31 },
    ]);
  });

  it('reads counters past 2^32 exactly and past 2^53 to within a microsecond', () => {
    const big = { ...prog, runCnt: 2n ** 40n + 7n, runTimeNs: 2n ** 60n + 12345n };
    const [record] = decodeProgStatsSample(packProgInfoAll([progInfoBytes(big)], 0n, 0n)).records;
    expect(record!.runCnt).toBe(2 ** 40 + 7);
    expect(Math.abs(record!.runTimeNs! - 2 ** 60 - 12345)).toBeLessThan(1000);
  });

  it('leaves out counters an older kernel does not write (short info_len)', () => {
    const short = progInfoBytes(prog).slice(0, 192);
    const [record] = decodeProgStatsSample(packProgInfoAll([short], 0n, 0n)).records;
    expect(record).toEqual({ id: 7, type: 5, name: 'count_getpid', tag: '0102030405060707' });
  });

  it('reports truncation and refuses records that overrun the buffer', () => {
    const bytes = packProgInfoAll([progInfoBytes(prog)], 0n, 0n, true);
    expect(decodeProgStatsSample(bytes).truncated).toBe(true);
    expect(() => decodeProgStatsSample(bytes.slice(0, bytes.byteLength - 16))).toThrow(/record 0 \(id 7\): bad info_len/);
    const lying = bytes.slice();
    new DataView(lying.buffer).setUint32(16, 2, true);
    expect(() => decodeProgStatsSample(lying)).toThrow(/record 1 of 2 truncated/);
    expect(() => decodeProgStatsSample(new Uint8Array(10))).toThrow(/need 24/);
  });
});

describe('programRates', () => {
  const before = { runCnt: 1000, runTimeNs: 100_000, recursionMisses: 1 };

  it('derives events/s, average run time and CPU % of all online CPUs', () => {
    const after = { runCnt: 3000, runTimeNs: 300_000, recursionMisses: 4 };
    const rates = programRates(before, after, 500_000_000, 2);
    expect(rates).toEqual({ eventsPerSec: 4000, avgRunNs: 100, cpuPercent: 0.02, recursionMisses: 3, runs: 2000, runTimeNs: 200_000 });
  });

  it('gives zero rates when counters went backwards, no time passed or no runs happened', () => {
    expect(programRates(before, { runCnt: 10, runTimeNs: 10, recursionMisses: 0 }, 1e9, 2).eventsPerSec).toBe(0);
    expect(programRates(before, before, 0, 2).eventsPerSec).toBe(0);
    expect(programRates(before, before, 1e9, 2).avgRunNs).toBe(0);
  });
});

describe('countCpuList', () => {
  it.each([
    ['0', 1],
    ['0-1\n', 2],
    ['0-3,8,10-11', 7],
  ])('%j → %d', (text, count) => expect(countCpuList(text)).toBe(count));

  it('refuses what is not a cpu list', () => {
    expect(() => countCpuList('0-a')).toThrow(/bad range/);
    expect(() => countCpuList('3-1')).toThrow(/bad range/);
  });
});

describe('estimateStatsCost', () => {
  it('states both per-run figures and their share of a core at the run rate', () => {
    const cost = estimateStatsCost(1_000_000, 2);
    expect(cost.perRunNs).toEqual({ bareMetal: 20, measuredVm: 85 });
    expect(cost.oneCorePercent.bareMetal).toBeCloseTo(2, 9);
    expect(cost.oneCorePercent.measuredVm).toBeCloseTo(8.5, 9);
    expect(cost.hostPercent.measuredVm).toBeCloseTo(4.25, 9);
    expect(cost.text).toBe(
      'run statistics are on host-wide: ~20 ns per program run on bare metal (kernel figure), ~85 ns measured on a VM; ' +
        'at 1.0 M runs/s that is 2.00–8.50% of one core',
    );
  });
});

describe('diffIds', () => {
  it('finds appeared and vanished ids', () => {
    expect(diffIds([1, 2, 3], [2, 3, 4, 5])).toEqual({ appeared: [4, 5], vanished: [1] });
    expect(diffIds([], [])).toEqual({ appeared: [], vanished: [] });
  });
});

describe('ring buffer arithmetic', () => {
  it('fill is unconsumed bytes over the data size; rates are position deltas', () => {
    expect(ringbufLevel({ consumerPos: 40n, producerPos: 1064n, dataSize: 4096 })).toEqual({ pendingBytes: 1024, fill: 0.25 });
    const rates = ringbufRates({ consumerPos: 0n, producerPos: 0n, dataSize: 4096 }, { consumerPos: 400n, producerPos: 800n, dataSize: 4096 }, 2e9);
    expect(rates).toEqual({ pendingBytes: 400, fill: 400 / 4096, producedBytes: 800, consumedBytes: 400, producedBytesPerSec: 400, consumedBytesPerSec: 200 });
  });
});

describe('describeLifecycle', () => {
  it('reads like a log line', () => {
    const owners = [{ pid: 901, comm: 'cilium-agent' }];
    expect(describeLifecycle({ kind: 'prog', id: 412, name: 'xdp_lb', type: 'xdp', owners }, 'loaded')).toBe(
      "prog 412 'xdp_lb' (xdp) loaded by pid 901 (cilium-agent)",
    );
    expect(describeLifecycle({ kind: 'map', id: 77, name: '', type: 'hash', owners: [] }, 'gone')).toBe('map 77 (hash) gone');
    expect(describeLifecycle({ kind: 'link', id: 5, name: '', type: 'tracing', progId: 412, owners }, 'gone')).toBe(
      'link 5 (tracing) for prog 412 gone (was held by pid 901 (cilium-agent))',
    );
  });
});
