// Map access of the clang-built access fixture read as an object file (no kernel needed): every
// program's maps and accesses match what its source says (test/helpers/access-fixture.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progFullName } from '../../../main/kernel/info/index.js';
import { HostSession } from '../../../main/hosts/host-session.js';
import { programSummary } from '../../../main/hosts/host-graph.js';
import { listPrograms } from '../../../main/hosts/inventory.js';
import { openHost } from '../../../main/hosts/open-host.js';
import { accessByName, ACCESS_DIRECT, ACCESS_EXPECTED, buildAccessFixture, mapNames } from '../../helpers/access-fixture.js';

let session: HostSession;

describe('map access of an object file, before it is loaded', () => {
  beforeAll(async () => {
    session = new HostSession(await openHost(`objfile:${buildAccessFixture()}`));
  });
  afterAll(async () => {
    await session?.close();
  });

  it('finds, for every program, the maps and accesses its source states', async () => {
    const names = await mapNames(session);
    const programs = await listPrograms(session);
    const seen: string[] = [];
    for (const show of programs) {
      const name = progFullName(show.info, show.firstFuncName);
      const expected = ACCESS_EXPECTED[name];
      expect(expected, `no expectation for ${name}`).toBeDefined();
      const found = await accessByName(session, show.info.id, names);
      expect(found.access, name).toEqual(expected);
      expect(found.direct, name).toEqual([...(ACCESS_DIRECT[name] ?? [])].sort());
      expect(found.untracked, name).toEqual([]);
      seen.push(name);
    }
    expect(seen.sort()).toEqual(Object.keys(ACCESS_EXPECTED).sort());
  });

  it('summarises an object file\'s program by its section, not as a loaded one', async () => {
    const [first] = await listPrograms(session);
    const summary = await programSummary(session, first!.info.id);
    expect(summary?.sentence).toBe('Not loaded (an object file); SEC("tracepoint/syscalls/sys_enter_getpid") says where it attaches · reads counts · writes counts');
    expect(summary?.section).toBe('tracepoint/syscalls/sys_enter_getpid');
  });
});
