// The all-hosts program list (listFleetPrograms) over real object-file hosts: rows of every
// host with drift flagged where a name has different tags, a host that cannot open listed
// with its error (then skipped once it has failed), and a host that never answers cut off
// by the per-host timeout without holding up the others.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostError } from '../../../main/hosts/host-error.js';
import { HostSession } from '../../../main/hosts/host-session.js';
import { openHost } from '../../../main/hosts/open-host.js';
import { listFleetPrograms } from '../../../main/server/fleet-service.js';
import { createHostService } from '../../../main/server/host-service.js';
import { buildDriftObjects, DRIFTING_PROGRAM, STEADY_PROGRAM } from '../../helpers/drift-objects.js';

const signal = new AbortController().signal;
const dir = mkdtempSync(join(tmpdir(), 'bpfscope-fleet-'));
const objects = buildDriftObjects(dir);
const objfile = (path: string) => async () => new HostSession(await openHost(`objfile:${path}`));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('listFleetPrograms', () => {
  it('lists the programs of every host with drift flagged, and a host that fails beside them', async () => {
    const service = createHostService({
      hosts: {
        rolled: objfile(objects.rolled),
        behind: objfile(objects.behind),
        broken: async () => {
          throw new HostError({ code: 'EDISCONNECTED', message: 'broken: connection closed' });
        },
      },
    });
    const fleet = await service.listFleetPrograms({}, signal);
    const row = (host: string, name: string) => fleet.programs.find((p) => p.host === host && p.program.name === name);
    for (const host of ['rolled', 'behind']) {
      // The same rows the host's own Programs tab gets.
      expect(fleet.programs.filter((p) => p.host === host).map((p) => p.program)).toEqual(await service.listPrograms({ host }, signal));
    }
    expect(row('rolled', DRIFTING_PROGRAM)!.program.tag).not.toBe(row('behind', DRIFTING_PROGRAM)!.program.tag);
    expect(row('rolled', DRIFTING_PROGRAM)!.drift).toBe(true);
    expect(row('behind', DRIFTING_PROGRAM)!.drift).toBe(true);
    expect(row('rolled', STEADY_PROGRAM)!.program.tag).toBe(row('behind', STEADY_PROGRAM)!.program.tag);
    expect(row('rolled', STEADY_PROGRAM)!.drift).toBe(false);
    expect(fleet.hosts).toEqual([
      { host: 'rolled', label: 'rolled', programs: 2 },
      { host: 'behind', label: 'behind', programs: 2 },
    ]);
    expect(fleet.failed).toEqual([{ host: 'broken', label: 'broken', code: 'EDISCONNECTED', message: 'broken: connection closed' }]);
    expect(fleet.skipped).toEqual([]);

    // Now known to have failed: skipped and named, not asked again.
    const again = await service.listFleetPrograms({}, signal);
    expect(again.failed).toEqual([]);
    expect(again.skipped).toEqual([{ host: 'broken', label: 'broken', status: 'failed' }]);
    expect(again.programs).toHaveLength(4);
    await service.close();
  });

  it('cuts off a host that never answers after the per-host timeout; the others are listed', async () => {
    let giveUp: (error: Error) => void = () => {};
    const service = createHostService({ hosts: { rolled: objfile(objects.rolled), hung: () => new Promise<HostSession>((_, reject) => (giveUp = reject)) } });
    const started = performance.now();
    const fleet = await listFleetPrograms(await service.listHosts({}, signal), (host) => service.listPrograms({ host }, signal), { timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(fleet.programs.map((p) => [p.host, p.program.name]).sort()).toEqual([
      ['rolled', DRIFTING_PROGRAM],
      ['rolled', STEADY_PROGRAM],
    ]);
    expect(fleet.failed).toEqual([{ host: 'hung', label: 'hung', code: 'ETIMEDOUT', message: 'hung: no program list within 0.3 s' }]);
    // Closing waits for every session being opened.
    giveUp(new Error('test over'));
    await service.close();
  });
});
