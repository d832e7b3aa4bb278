// The pure live computations: the packed stats sample, rates, CPU lists, cost, id diffs,
// ring buffer levels and lifecycle text.
import { describe, expect, it } from 'vitest';
import {
  countCpuList,
  decodeProgStatsSample,
  encodeProgStatsSample,
  describeLifecycle,
  diffIds,
  estimateStatsCost,
  programRates,
  ringbufLevel,
  ringbufRates,
  PROG_STATS_FIELD,
  PROG_STATS_HEADER_SIZE,
  PROG_STATS_RECORD_SIZE,
} from '../../../main/kernel/live/index.js';
import { statsRecord } from './fake-host.js';

const prog = { id: 7, type: 5, name: 'count_getpid', runCnt: 1000n, runTimeNs: 85_000n, recursionMisses: 2n, verifiedInsns: 31 };

describe('decodeProgStatsSample', () => {
  it('reads every record, with the midpoint of the walk as its time', () => {
    const bytes = encodeProgStatsSample({ startNs: 1000, endNs: 3000, truncated: false, records: [statsRecord(prog), statsRecord({ ...prog, id: 9, name: '' })] });
    expect(bytes.byteLength).toBe(PROG_STATS_HEADER_SIZE + 2 * PROG_STATS_RECORD_SIZE);
    const sample = decodeProgStatsSample(bytes);
    expect(sample).toMatchObject({ count: 2, monotonicNs: 2000, walkNs: 2000, truncated: false });
    expect(sample.records).toEqual([
      { id: 7, type: 5, name: 'count_getpid', tag: '0102030405060707', runTimeNs: 85_000, runCnt: 1000, recursionMisses: 2, verifiedInsns: 31 },
      { id: 9, type: 5, name: '', tag: '0102030405060709', runTimeNs: 85_000, runCnt: 1000, recursionMisses: 2, verifiedInsns: 31 },
    ]);
    expect([sample.id(1), sample.runCnt(1), sample.fields(1)]).toEqual([9, 1000, 7]);
    expect([sample.tagWord(0, 0), sample.tagWord(0, 1)]).toEqual([0x01020304, 0x05060707]);
  });

  it('reads counters past 2^32 exactly and past 2^53 to within a microsecond', () => {
    const bytes = encodeProgStatsSample({ startNs: 0, endNs: 0, truncated: false, records: [{ ...statsRecord(prog), runCnt: 2 ** 40 + 7 }] });
    new DataView(bytes.buffer).setBigUint64(PROG_STATS_HEADER_SIZE + 8, 2n ** 60n + 12345n, true);
    const [decoded] = decodeProgStatsSample(bytes).records;
    expect(decoded!.runCnt).toBe(2 ** 40 + 7);
    expect(Math.abs(decoded!.runTimeNs! - 2 ** 60 - 12345)).toBeLessThan(1000);
  });

  it('leaves out counters an older kernel does not write', () => {
    const { runTimeNs: _t, runCnt: _c, recursionMisses: _m, verifiedInsns: _v, ...old } = statsRecord(prog);
    const bytes = encodeProgStatsSample({ startNs: 0, endNs: 0, truncated: false, records: [old, { ...old, runTimeNs: 5, runCnt: 1 }] });
    const [oldest, five] = decodeProgStatsSample(bytes).records;
    expect(oldest).toEqual({ id: 7, type: 5, name: 'count_getpid', tag: '0102030405060707' });
    expect(five).toEqual({ ...oldest, runTimeNs: 5, runCnt: 1 });
    expect(decodeProgStatsSample(bytes).fields(1)).toBe(PROG_STATS_FIELD.runTime);
  });

  it('reports truncation and refuses counts that overrun the buffer or a foreign record size', () => {
    const bytes = encodeProgStatsSample({ startNs: 0, endNs: 0, truncated: true, records: [statsRecord(prog)] });
    expect(decodeProgStatsSample(bytes).truncated).toBe(true);
    expect(() => decodeProgStatsSample(bytes.slice(0, bytes.byteLength - 16))).toThrow(/1 records do not fit in 80 bytes/);
    const lying = bytes.slice();
    new DataView(lying.buffer).setUint32(16, 2, true);
    expect(() => decodeProgStatsSample(lying)).toThrow(/2 records do not fit/);
    const wider = bytes.slice();
    new DataView(wider.buffer).setUint32(24, 72, true);
    expect(() => decodeProgStatsSample(wider)).toThrow(/record size 72, expected 64/);
    expect(() => decodeProgStatsSample(new Uint8Array(10))).toThrow(/need 32/);
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
