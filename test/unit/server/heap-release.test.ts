// After clients leave, serve gives the heap their load grew back: V8 alone collects only when
// the program allocates, so an idle server kept its peak heap (366 MB after the 50 x 100 load
// test, against 95 MB once collected).
import { describe, expect, it } from 'vitest';
import { HeapRelease } from '../../../main/server/heap-release.js';

describe('heap release', () => {
  it('collects once things settle, shrinking the heap that garbage grew', async () => {
    let garbage: Array<{ i: number; s: string }> | undefined = [];
    for (let i = 0; i < 1_500_000; i++) garbage.push({ i, s: `row ${i}` });
    garbage = undefined;
    const grown = process.memoryUsage().heapTotal;
    const release = new HeapRelease();
    release.soon();
    release.soon();
    await new Promise((r) => setTimeout(r, 6000));
    const after = process.memoryUsage();
    expect(after.heapUsed).toBeLessThan(grown / 2);
    expect(after.heapTotal).toBeLessThan(grown - 50 * 1024 * 1024);
    release.close();
  }, 15_000);
});
