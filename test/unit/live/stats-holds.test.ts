// RunStatsSwitch: one fd for many leases, other holders from the owner scan, and the
// sysctl left alone (read, never written).
import { describe, expect, it } from 'vitest';
import { RunStatsSwitch, findStatsHolders } from '../../../main/live/stats-holds.js';
import { FakeHost } from './fake-host.js';

describe('RunStatsSwitch', () => {
  it('enables once for concurrent leases and releases with the last', async () => {
    const host = new FakeHost();
    const stats = new RunStatsSwitch(host, 1);
    const [a, b] = await Promise.all([stats.acquire(), stats.acquire()]);
    expect(host.statsEnables).toBe(1);
    expect(await stats.status()).toMatchObject({ on: true, heldByUs: true, leases: 2, sysctl: false, holders: [{ pid: 1, self: true }] });
    await Promise.all([a.release(), b.release(), b.release()]);
    expect(host.statsFds).toBe(0);
    expect(await stats.status()).toMatchObject({ on: false, heldByUs: false, leases: 0, holders: [] });
  });

  it('works without an fd where the sysctl already has stats on, and fails where it does not', async () => {
    const refusing = new FakeHost();
    refusing.enableStats = async () => {
      throw Object.assign(new Error('BPF_ENABLE_STATS: Invalid argument'), { code: 'EINVAL' });
    };
    await expect(new RunStatsSwitch(refusing).acquire()).rejects.toThrow(/EN?ABLE_STATS/);
    const sysctlOn = Object.assign(Object.create(refusing) as FakeHost, {
      readFile: async () => new TextEncoder().encode('1\n'),
    });
    const stats = new RunStatsSwitch(sysctlOn);
    const lease = await stats.acquire();
    expect(await stats.status()).toMatchObject({ on: true, heldByUs: false, sysctl: true });
    await lease.release();
  });

  it('names other processes holding a stats fd', () => {
    const fds = [
      { pid: 10, fd: 4, comm: 'bpftop', target: 'anon_inode:bpf-stats', fdinfo: '' },
      { pid: 11, fd: 5, comm: 'loader', target: 'anon_inode:bpf-prog', fdinfo: 'prog_id:\t3\n' },
    ];
    expect(findStatsHolders(fds, 99)).toEqual([{ pid: 10, comm: 'bpftop', fd: 4, self: false }]);
  });
});
