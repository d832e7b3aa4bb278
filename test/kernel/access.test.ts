// Map access of programs the kernel loaded: the access fixture (every access kind, as its source
// states them) and the fixture loader's own programs, read from their xlated code.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progFullName } from '../../main/kernel/info/index.js';
import { openLocalHost } from '../../main/hosts/host-access.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { listPrograms } from '../../main/hosts/inventory.js';
import { openHost } from '../../main/hosts/open-host.js';
import { accessByName, ACCESS_DIRECT, ACCESS_EXPECTED, ACCESS_OBJECT, loadAccessFixture, mapNames } from '../helpers/access-fixture.js';
import { bpftoolJson } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
let session: HostSession;
let pinDir: string;
let loaded: Map<string, number>;
let fixtures: LoadedFixtures;

describe.skipIf(skip)('map access of loaded programs', () => {
  beforeAll(async () => {
    pinDir = mkdtempSync(join('/sys/fs/bpf', 'bpfscope-access-'));
    rmSync(pinDir, { recursive: true });
    loaded = loadAccessFixture(pinDir);
    fixtures = await startFixtures({ only: ['maps', 'tracing', 'stream'] });
    session = new HostSession(await openLocalHost());
  });
  afterAll(async () => {
    await session?.close();
    await fixtures?.stop();
    if (pinDir) rmSync(pinDir, { recursive: true, force: true });
  });

  it('finds in the xlated code of every fixture program the accesses its source states', async () => {
    const names = await mapNames(session);
    expect([...loaded.keys()].sort()).toEqual(Object.keys(ACCESS_EXPECTED).sort());
    for (const [name, id] of loaded) {
      const found = await accessByName(session, id, names);
      expect(found.access, name).toEqual(ACCESS_EXPECTED[name]);
      expect(found.direct, name).toEqual([...(ACCESS_DIRECT[name] ?? [])].sort());
      expect(found.untracked, name).toEqual([]);
    }
  });

  it('links callbacks into object-file programs as libbpf does: the tags equal the loaded programs\'', async () => {
    const object = new HostSession(await openHost(`objfile:${ACCESS_OBJECT}`));
    try {
      for (const show of await listPrograms(object)) {
        const name = progFullName(show.info, show.firstFuncName);
        const loadedTag = (await bpftoolJson<{ tag: string }>(['prog', 'show', 'id', String(loaded.get(name))])).tag;
        expect(show.info.tag, name).toBe(loadedTag);
      }
    } finally {
      await object.close();
    }
  });

  it('reads the loader fixtures as maps.bpf.c, tracing.bpf.c and stream.bpf.c say', async () => {
    const names = await mapNames(session);
    // libbpf names global data maps after 8 characters of the object name (internal_map_name).
    const bss = (object: string) => `${`${object}_bpf`.slice(0, 8)}.bss`;
    const expected: Record<string, Record<string, string[]>> = {
      // getpid_calls (atomic) and target_tgid (read) in .bss; percpu_array and getpid_counts looked up and written; a tail call.
      count_getpid: { percpu_array: ['read', 'write'], getpid_counts: ['read', 'write'], jump_table: ['jump'], [bss('maps')]: ['read', 'write'] },
      tail_a: { [bss('maps')]: ['write'] },
      // ring reserve+submit, perf output, get_stackid into stacks, stack_counts looked up, bumped or inserted.
      emit_getppid: { ring: ['emit'], perf_events: ['emit'], stacks: ['write'], stack_counts: ['read', 'write'], [bss('maps')]: ['read', 'write'] },
      raw_sys_enter: { [bss('tracing')]: ['read', 'write'] },
      // The task iterator prints with a format string kept in .rodata.
      iter_tasks: { 'tracing_.rodata': ['read'] },
      // ++runs and the two results in .bss; the kfunc bpf_stream_vprintk_impl reads its format (const char *fmt__str), a string
      // literal clang puts in .rodata.str1.1, which libbpf makes a map of its own.
      stream_say: { [bss('stream')]: ['read', 'write'], '.rodata.str1.1': ['read'] },
    };
    for (const [name, access] of Object.entries(expected)) {
      const prog = fixtures.program(name);
      const found = await accessByName(session, prog.id, names);
      expect(found.access, name).toEqual(access);
      expect(found.untracked, name).toEqual([]);
    }
  });
});
