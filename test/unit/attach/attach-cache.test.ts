// One collection of every view serves every program of a session within the TTL.
import { describe, expect, it } from 'vitest';
import { allAttachPoints, ATTACH_POINTS_TTL_MS } from '../../../main/hosts/attachments.js';
import { HostSession } from '../../../main/hosts/host-session.js';
import type { Host } from '../../../main/hosts/host.js';

function countingHost(): { host: Host; netnsCalls: () => number } {
  let calls = 0;
  const empty = async (): Promise<never[]> => [];
  const host = {
    label: 'fake',
    listIds: empty,
    netnsList: async () => {
      calls++;
      return [];
    },
    rtnlDump: async () => new Uint8Array(),
    netProgQuery: async () => new Uint8Array(),
    cgroupQuery: empty,
    taskFds: empty,
    readFile: async () => new TextEncoder().encode('none /sys/fs/cgroup/unified cgroup2 rw 0 0\n'),
  } as unknown as Host;
  return { host, netnsCalls: () => calls };
}

describe('attach points cache', () => {
  it('collects once per session within the TTL, again after it', async () => {
    const { host, netnsCalls } = countingHost();
    const session = new HostSession(host);
    await allAttachPoints(session, 1000);
    await allAttachPoints(session, 1000 + ATTACH_POINTS_TTL_MS - 1);
    expect(netnsCalls()).toBe(1);
    await allAttachPoints(session, 1000 + ATTACH_POINTS_TTL_MS);
    expect(netnsCalls()).toBe(2);
    await allAttachPoints(new HostSession(host), 1000);
    expect(netnsCalls()).toBe(3);
  });
});
