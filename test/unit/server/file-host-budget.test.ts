// What a client can make the server hold by opening files and comparing hosts: snapshot and
// object file hosts count their bytes against one budget (a host past it fails with EBUSY and
// frees what it read; removing a host gives its share back), uploads in progress against
// another; a comparison reads a bounded number of entries, and few run at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostSession } from '../../../main/hosts/host-session.js';
import { ObjectFileHost } from '../../../main/hosts/objfile-host.js';
import { HostRegistry } from '../../../main/server/host-registry.js';
import { Comparisons, SnapshotUploads } from '../../../main/server/snapshot-service.js';
import { readHostState } from '../../../main/hosts/snapshot-compare.js';
import { buildFixtures, FIXTURE_BUILD_DIR } from '../../helpers/fixtures.js';

describe('memory held for clients’ files', () => {
  it('file hosts share a byte budget; one that does not fit fails, and removing one makes room', async () => {
    buildFixtures();
    const bytes = new Uint8Array(readFileSync(join(FIXTURE_BUILD_DIR, 'maps.bpf.o')));
    let closed = 0;
    const open = async (): Promise<HostSession> => {
      const session = new HostSession(ObjectFileHost.fromBytes(bytes, 'maps.bpf.o', 0));
      const close = session.close.bind(session);
      session.close = async () => {
        closed++;
        await close();
      };
      return session;
    };
    const registry = new HostRegistry({}, bytes.length * 2);
    for (const id of ['a', 'b', 'c']) registry.add(id, open);
    await registry.session('a');
    await registry.session('b');
    await expect(registry.session('c')).rejects.toMatchObject({ code: 'EBUSY', message: expect.stringMatching(/^objfile:maps\.bpf\.o holds 1 MiB; open snapshots and object files may hold \d+ MiB and \d+ MiB are taken$/) });
    expect(closed).toBe(1);
    expect(registry.list().find((h) => h.id === 'c')).toMatchObject({ status: 'failed', error: { code: 'EBUSY' } });
    await registry.remove('a');
    await expect(registry.session('c')).resolves.toBeInstanceOf(HostSession);
    await registry.close();
  });

  it('uploads in progress are bounded in total, not only in number', () => {
    const uploads = new SnapshotUploads();
    uploads.begin({ name: 'a.bpfsnap', size: 700 * 1024 ** 2 });
    expect(() => uploads.begin({ name: 'b.bpfsnap', size: 400 * 1024 ** 2 })).toThrow(expect.objectContaining({ code: 'EBUSY', message: expect.stringMatching(/does not fit until they finish/) }));
    uploads.begin({ name: 'c.bpfsnap', size: 300 * 1024 ** 2 });
    uploads.close();
  });

  it('a comparison reads a bounded number of entries per side (maps past it are partial), and only two run at once', async () => {
    buildFixtures();
    const session = new HostSession(ObjectFileHost.fromBytes(new Uint8Array(readFileSync(join(FIXTURE_BUILD_DIR, 'maps.bpf.o'))), 'maps.bpf.o', 0));
    const entries = (state: Awaited<ReturnType<typeof readHostState>>) => [...state.contents.values()].reduce((sum, c) => sum + c.size, 0);
    const whole = await readHostState(session, 100);
    expect(entries(whole)).toBeGreaterThanOrEqual(2);
    const bounded = await readHostState(session, 100, 1);
    expect(entries(bounded)).toBe(1);
    const left = [...whole.contents.keys()].filter((id) => !bounded.contents.has(id));
    expect(left.length).toBeGreaterThan(0);
    for (const id of left) expect(bounded.partial!.has(id)).toBe(true);

    let open!: (s: HostSession) => void;
    const waiting = new Promise<HostSession>((resolve) => (open = resolve));
    const comparisons = new Comparisons(() => waiting);
    const running = [comparisons.compare({ before: 'a', after: 'b' }), comparisons.compare({ before: 'a', after: 'b' })];
    await expect(comparisons.compare({ before: 'a', after: 'b' })).rejects.toMatchObject({ code: 'EBUSY', message: "2 comparisons are running, the server's limit" });
    open(session);
    await Promise.all(running);
    await expect(comparisons.compare({ before: 'a', after: 'b' })).resolves.toMatchObject({ before: 'objfile:maps.bpf.o' });
  });
});
