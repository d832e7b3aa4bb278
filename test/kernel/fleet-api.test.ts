// The fleet view in the API: program drift across hosts, with failing hosts beside it.
import { describe, expect, it } from 'vitest';
import { driftsWith, programDrift } from '../../main/hosts/drift.js';
import { HostError } from '../../main/hosts/host-error.js';
import { createHostService } from '../../main/server/host-service.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
const signal = new AbortController().signal;

describe('program drift', () => {
  it('flags a name whose tags differ between hosts, and only that', () => {
    const drift = programDrift(
      new Map([
        ['a', [{ name: 'xdp_lb', tag: '1111' }, { name: 'same', tag: 'aaaa' }, { name: '', tag: 'ffff' }]],
        ['b', [{ name: 'xdp_lb', tag: '2222' }, { name: 'same', tag: 'aaaa' }, { name: 'only_b', tag: 'bbbb' }]],
      ]),
    );
    expect(drift).toEqual([{ name: 'xdp_lb', tags: { a: ['1111'], b: ['2222'] }, missing: { a: ['2222'], b: ['1111'] } }]);
  });

  it('compares the set of tags each host has for a name: the same tools on two hosts are no drift', () => {
    // Three tools each load a `sched_switch`: both hosts hold the same three tags.
    const tools = [{ name: 'sched_switch', tag: 't1' }, { name: 'sched_switch', tag: 't2' }, { name: 'sched_switch', tag: 't3' }];
    expect(programDrift(new Map([['a', tools], ['b', [...tools].reverse()]]))).toEqual([]);
    // A fourth tool on one host only: the other lacks its tag, and only that is named.
    const drift = programDrift(new Map([['a', tools], ['b', [...tools, { name: 'sched_switch', tag: 't4' }]]]));
    expect(drift).toEqual([{ name: 'sched_switch', tags: { a: ['t1', 't2', 't3'], b: ['t1', 't2', 't3', 't4'] }, missing: { a: ['t4'] } }]);
    expect(driftsWith(drift, 'sched_switch', 't4')).toBe(true);
    expect(driftsWith(drift, 'sched_switch', 't1')).toBe(false);
  });

  it.skipIf(skip)('answers through the API for live hosts, listing a host that fails', async () => {
    const service = createHostService({
      hosts: {
        one: async () => new HostSession(new LocalHost()),
        two: async () => new HostSession(new LocalHost()),
        broken: async () => {
          throw new HostError({ code: 'EDISCONNECTED', message: 'broken: connection closed' });
        },
      },
    });
    const result = await service.programDrift({ hosts: ['one', 'two', 'broken'] }, signal);
    // One kernel seen twice: nothing differs.
    expect(result.drift).toEqual([]);
    expect(result.failed).toEqual([{ host: 'broken', code: 'EDISCONNECTED', message: 'broken: connection closed' }]);
    await service.close();
  });
});
