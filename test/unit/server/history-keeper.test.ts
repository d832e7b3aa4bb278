// Which hosts the service keeps sampling: live hosts once connected (not snapshots or
// object files), released when removed, tried again after a refused start.
import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../../../main/api/records.js';
import { HistoryKeeper } from '../../../main/server/history-keeper.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('HistoryKeeper', () => {
  it('holds connected live hosts once, releases removed ones, and retries a refused start on the next connect', async () => {
    const calls: string[] = [];
    const released: string[] = [];
    let refuse = new Set(['ssh']);
    const keeper = new HistoryKeeper(async (id) => {
      calls.push(id);
      if (refuse.has(id)) throw new Error('EPERM');
      return async () => void released.push(id);
    });
    const local: HostSummary = { id: 'local', label: 'local', status: 'connected' };
    const ssh: HostSummary = { id: 'ssh', label: 'box', status: 'connected' };
    const offline: HostSummary[] = [
      { id: 'snap', label: 'snap', status: 'connected', snapshot: { source: 'x', createdAt: '2025-01-01T00:00:00Z' } },
      { id: 'obj', label: 'obj', status: 'connected', objectFile: { file: 'a.o' } },
    ];
    keeper.update([{ ...local, status: 'connecting' }, ...offline]);
    expect(calls).toEqual([]);
    keeper.update([local, ssh, ...offline]);
    keeper.update([local, ssh, ...offline]);
    await tick();
    expect(calls).toEqual(['local', 'ssh']);
    expect(keeper.holding()).toEqual(['local']);
    refuse = new Set();
    keeper.update([local, ssh]);
    await tick();
    expect(calls).toEqual(['local', 'ssh', 'ssh']);
    expect(keeper.holding().sort()).toEqual(['local', 'ssh']);
    keeper.update([local]);
    expect(released).toEqual(['ssh']);
    await keeper.close();
    expect(released).toEqual(['ssh', 'local']);
  });
});
