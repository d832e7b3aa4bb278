// bpf_map_entries of a large hash map: the walk that counts it is spread over refreshes when
// it outlasts the budget (ending at bpftool's count), and the map is not walked again until
// its duty-cycle gap has passed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../main/hosts/local-host.js';
import { EntryCounts } from '../../main/metrics/entry-counts.js';
import { bpftoolJson } from '../helpers/cli.js';
import { deleteKeys, loadBigHash, type BigHash } from '../helpers/big-hash.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
const ENTRIES = 40_000;
const PAGE = 4096;

describe.skipIf(skip !== undefined)(`map entry counts${skip ? ` (skipped: ${skip})` : ''}`, { timeout: 120_000 }, () => {
  let big: BigHash;
  const host = new LocalHost();
  // big_hash: u32 keys, 32-byte values, sized to its entries.
  const map = () => ({ id: big.id, maxEntries: ENTRIES, entryBytes: 36 });

  beforeAll(async () => {
    big = await loadBigHash(ENTRIES);
  });

  afterAll(async () => {
    await big?.stop();
  });

  it('pauses a walk at the budget and resumes it at the next refresh, ending at bpftool\'s count', async () => {
    const counts = new EntryCounts(host, { budgetMs: 0, pageEntries: PAGE });
    let refreshes = 0;
    while (counts.entries(big.id) === undefined && refreshes < 100) {
      await counts.refresh([map()]);
      refreshes++;
    }
    // A budget of 0 lets one page (at most PAGE entries) through per refresh.
    expect(refreshes).toBeGreaterThanOrEqual(Math.ceil(ENTRIES / PAGE));
    expect(refreshes).toBeLessThan(100);
    const dumped = await bpftoolJson<unknown[]>(['map', 'dump', 'id', String(big.id)]);
    expect(counts.entries(big.id)).toBe(dumped.length);
    expect(dumped.length).toBe(ENTRIES);
  });

  it('recounts a map only once the duty-cycle gap after its last walk has passed', async () => {
    let skew = 0;
    const counts = new EntryCounts(host, { duty: 0.01, now: () => performance.now() + skew });
    await counts.refresh([map()]);
    expect(counts.entries(big.id)).toBe(ENTRIES);
    deleteKeys(big.id, [new Uint8Array([1, 0, 0, 0]), new Uint8Array([2, 0, 0, 0])]);
    await counts.refresh([map()]);
    expect(counts.entries(big.id)).toBe(ENTRIES);
    // A walk of 40 000 entries takes well under 10 s; at 1 % it is due again 1000 s later.
    skew = 1_000_000;
    await counts.refresh([map()]);
    expect(counts.entries(big.id)).toBe(ENTRIES - 2);
  });

  it('forgets maps that are gone', async () => {
    const counts = new EntryCounts(host);
    await counts.refresh([map(), { id: 0x7fffffff, maxEntries: 1, entryBytes: 8 }]);
    expect(counts.entries(0x7fffffff)).toBeUndefined();
    await counts.refresh([]);
    expect(counts.entries(big.id)).toBeUndefined();
  });
});
