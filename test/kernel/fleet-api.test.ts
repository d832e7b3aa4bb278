// The fleet view in the API: program drift across hosts, with failing hosts beside it.
import { describe, expect, it } from 'vitest';
import { programDrift } from '../../main/hosts/drift.js';
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
    expect(drift).toEqual([{ name: 'xdp_lb', tags: { a: ['1111'], b: ['2222'] } }]);
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
