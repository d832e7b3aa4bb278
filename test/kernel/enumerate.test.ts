// `bpfscope ls/show … --json` against `bpftool … show -j` on the same objects: every
// object loaded on the machine, ours (the fixtures) and anything else.
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtures, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { bpfscope, bpftoolJson, parseJsonExact, runCommand } from '../helpers/cli.js';
import { expectListedLikeBpftool, expectSuperset, type JsonObj } from '../helpers/bpftool-compare.js';
import { objectIdOf } from '../../main/cli/object-ref.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { LocalHost } from '../../main/hosts/local-host.js';

type Obj = JsonObj;

/** Opens the pin argv[1] names (BPF_OBJ_GET), prints the fd, and holds it until killed. */
const REOPEN_PIN = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
path = ctypes.create_string_buffer(sys.argv[1].encode())
attr = (ctypes.c_uint64 * 16)()
attr[0] = ctypes.addressof(path)
NR_BPF = {'x86_64': 321, 'aarch64': 280}[os.uname().machine]
while not os.path.exists(sys.argv[1]):
    time.sleep(0.02)
fd = libc.syscall(NR_BPF, 7, attr, ctypes.sizeof(attr))
print(fd, flush=True)
time.sleep(120)
`;

const skip = ensureKernelEnv();
let fixtures: LoadedFixtures;

async function both(kind: 'prog' | 'map' | 'link'): Promise<{ ours: Obj[]; theirs: Obj[] }> {
  // Objects can come and go between the two commands: retry until both see the same ids.
  for (let attempt = 0; ; attempt++) {
    const result = await bpfscope(['ls', `${kind}s`, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const ours = parseJsonExact<Obj[]>(result.stdout);
    const theirs = await bpftoolJson<Obj[]>([kind, 'show']);
    const same = JSON.stringify(ours.map((o) => o.id)) === JSON.stringify(theirs.map((o) => o.id));
    if (same || attempt === 2) return { ours, theirs };
  }
}

describe.skipIf(skip)('enumeration matches bpftool', () => {
  beforeAll(async () => {
    buildFixtures();
    fixtures = await startFixtures();
  });
  afterAll(async () => {
    await fixtures?.stop();
  });

  for (const kind of ['prog', 'map', 'link'] as const) {
    it(`ls ${kind}s --json agrees with bpftool ${kind} show -j on every object`, async () => {
      const { ours, theirs } = await both(kind);
      expect(ours.map((o) => o.id)).toEqual(theirs.map((o) => o.id));
      const byId = new Map(ours.map((o) => [o.id, o]));
      for (const listed of theirs) await expectListedLikeBpftool(byId.get(listed.id)!, listed, kind);
    });
  }

  it('lists every fixture object with the name and type bpftool shows', async () => {
    const progs = parseJsonExact<Obj[]>((await bpfscope(['ls', 'progs', '--json'])).stdout);
    const maps = parseJsonExact<Obj[]>((await bpfscope(['ls', 'maps', '--json'])).stdout);
    const links = parseJsonExact<Obj[]>((await bpfscope(['ls', 'links', '--json'])).stdout);
    const ids = (list: Obj[]) => new Map(list.map((o) => [o.id, o]));
    const [progById, mapById, linkById] = [ids(progs), ids(maps), ids(links)];
    expect(fixtures.report.programs.length).toBeGreaterThan(20);
    for (const p of fixtures.report.programs) {
      const ours = progById.get(p.id);
      expect(ours, `program ${p.name}`).toBeDefined();
      expect(ours!.name).toBe(p.name);
    }
    for (const m of fixtures.report.maps) expect(mapById.get(m.id)?.name, `map ${m.name}`).toBe(m.name);
    for (const l of fixtures.report.links) expect(linkById.get(l.id)?.prog_id, `link ${l.id}`).toBe(l.prog_id);
  });

  it('shows single objects like bpftool, and a clear error for one that is gone', async () => {
    const prog = fixtures.report.programs[0];
    const map = fixtures.report.maps[0];
    const link = fixtures.report.links[0];
    for (const [kind, id] of [['prog', prog.id], ['map', map.id], ['link', link.id]] as const) {
      const ours = parseJsonExact<Obj>((await bpfscope(['show', kind, String(id), '--json'])).stdout);
      expectSuperset(ours, await bpftoolJson<Obj>([kind, 'show', 'id', String(id)]), `${kind} ${id}`, kind);
      const text = await bpfscope(['show', kind, String(id)]);
      expect(text.stdout.startsWith(`${id}: `)).toBe(true);
      // bpftool's own words for the same object (`prog show id ID`) name the same object.
      expect((await bpfscope(['show', kind, 'id', String(id)])).stdout).toBe(text.stdout);
    }
    const gone = await bpfscope(['show', 'prog', '4294967295']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/prog 4294967295: not loaded/);
  });

  it('finds a program by name (the full name where the kernel cut it) or tag and a map by name, as bpftool does', async () => {
    const progs = await bpftoolJson<Obj[]>(['prog', 'show']);
    const alone = (key: 'name' | 'tag', p: Obj) => progs.filter((q) => q[key] === p[key]).length === 1;
    const ours = new Set(fixtures.report.programs.map((p) => p.id));
    const short = progs.find((p) => ours.has(p.id as number) && (p.name as string).length < 15 && alone('name', p) && alone('tag', p))!;
    const long = progs.find((p) => ours.has(p.id as number) && (p.name as string).length > 15 && alone('name', p))!;
    const named: Array<[Obj, string[]]> = [[short, ['name', String(short.name)]], [short, ['tag', String(short.tag)]], [long, ['name', String(long.name)]]];
    for (const [prog, words] of named) {
      const byId = await bpfscope(['show', 'prog', String(prog.id)]);
      expect(byId.code).toBe(0);
      expect((await bpfscope(['show', 'prog', ...words])).stdout, words.join(' ')).toBe(byId.stdout);
    }
    expect((await bpfscope(['dump', 'prog', 'name', long.name as string])).stdout).toBe((await bpfscope(['dump', 'prog', String(long.id)])).stdout);
    const none = await bpfscope(['show', 'prog', 'name', 'no_such_prog']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^bpfscope: no prog with name no_such_prog on local/);
  });

  it('looks a name or a tag up without a walk of /proc for owners or a read of metadata maps', async () => {
    const local = new LocalHost();
    const asked: string[] = [];
    // The host's calls counted; everything else is the local host's own.
    const counted = new Proxy(local, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          asked.push(String(key));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const session = new HostSession(counted);
    const count = fixtures.program('count_getpid');
    expect(await objectIdOf(session, { by: 'name', value: 'count_getpid' }, 'prog')).toBe(count.id);
    expect(asked).toContain('progInfoBatch');
    // count_getpid uses maps: its metadata would be read from them (a mapInfo each).
    expect(asked.filter((call) => call === 'owners' || call === 'mapInfo')).toEqual([]);
    asked.length = 0;
    expect(await objectIdOf(session, { by: 'name', value: 'getpid_counts' }, 'map')).toBe(fixtures.map('getpid_counts').id);
    expect(asked).toContain('mapInfo');
    expect(asked).not.toContain('owners');
  });

  it('finds a map by name, and says which ids share a name rather than pick one', async () => {
    const pins = ['/sys/fs/bpf/bpfscope-named-a', '/sys/fs/bpf/bpfscope-named-b'];
    // Names of this run's own: another map named alike would make them ambiguous.
    const name = `bpfs_${process.pid}`.slice(0, 15);
    try {
      await runCommand('bpftool', ['map', 'create', pins[0]!, 'type', 'hash', 'key', '4', 'value', '8', 'entries', '4', 'name', name]);
      await runCommand('bpftool', ['map', 'update', 'pinned', pins[0]!, 'key', '1', '0', '0', '0', 'value', '7', '0', '0', '0', '0', '0', '0', '0']);
      const first = (await bpftoolJson<Obj>(['map', 'show', 'pinned', pins[0]!])).id as number;
      const byName = await bpfscope(['dump', 'map', 'name', name, '--json']);
      expect(byName.stdout).toContain('"key":["0x01","0x00","0x00","0x00"]');
      expect(byName.stdout).toBe((await bpfscope(['dump', 'map', String(first), '--json'])).stdout);
      await runCommand('bpftool', ['map', 'create', pins[1]!, 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', name]);
      const second = (await bpftoolJson<Obj>(['map', 'show', 'pinned', pins[1]!])).id as number;
      const shared = await bpfscope(['show', 'map', 'name', name]);
      expect(shared.code).toBe(1);
      expect(shared.stdout).toBe('');
      expect(shared.stderr).toContain(`2 maps have name ${name} (ids ${Math.min(first, second)}, ${Math.max(first, second)})`);
    } finally {
      for (const pin of pins) await runCommand('rm', ['-f', pin]);
    }
  });

  it('finds a program, a map and a link by the path pinning them, and says what a path pins when it is not that', async () => {
    const dir = `/sys/fs/bpf/bpfscope-pinned-${process.pid}`;
    const prog = fixtures.report.programs[0]!;
    const map = fixtures.report.maps[0]!;
    const link = fixtures.report.links[0]!;
    await runCommand('mkdir', ['-p', dir]);
    try {
      for (const [kind, id] of [['prog', prog.id], ['map', map.id], ['link', link.id]] as const) {
        expect((await runCommand('bpftool', [kind, 'pin', 'id', String(id), `${dir}/${kind}`])).code).toBe(0);
        const byPin = await bpfscope(['show', kind, 'pinned', `${dir}/${kind}`]);
        expect(byPin.code, byPin.stderr).toBe(0);
        expect(byPin.stdout, kind).toBe((await bpfscope(['show', kind, String(id)])).stdout);
      }
      expect((await bpfscope(['dump', 'map', 'pinned', `${dir}/map`, '--json'])).stdout).toBe((await bpfscope(['dump', 'map', String(map.id), '--json'])).stdout);
      const cases: Array<[string[], RegExp]> = [
        [['show', 'map', 'pinned', `${dir}/prog`], new RegExp(`^bpfscope: ${dir}/prog on local pins a prog \\(id ${prog.id}\\), not a map`)],
        [['show', 'prog', 'pinned', `${dir}/none`], new RegExp(`^bpfscope: nothing is pinned at ${dir}/none on local`)],
        [['dump', 'prog', 'pinned', '/etc/hostname'], /^bpfscope: \/etc\/hostname on local is not a BPF pin/],
      ];
      for (const [args, message] of cases) {
        const result = await bpfscope(args);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(message);
      }
    } finally {
      await runCommand('rm', ['-rf', dir]);
    }
  });

  it('counts a process holding a link it reopened (a "bpf-link" fd, not "bpf_link") among the link\'s holders', async () => {
    const dir = `/sys/fs/bpf/bpfscope-holder-${process.pid}`;
    const link = fixtures.report.links[0]!;
    await runCommand('mkdir', ['-p', dir]);
    // BPF_OBJ_GET of the pin from a process of its own: python3's ctypes, as the test has no loader of its own.
    const holder = spawn('python3', ['-c', REOPEN_PIN, `${dir}/link`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      expect((await runCommand('bpftool', ['link', 'pin', 'id', String(link.id), `${dir}/link`])).code).toBe(0);
      const fd = await new Promise<string>((resolve) => holder.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
      expect(Number(fd)).toBeGreaterThan(2);
      expect(readlinkSync(`/proc/${holder.pid}/fd/${fd}`)).toBe('anon_inode:bpf-link');
      const shown = parseJsonExact<Obj>((await bpfscope(['show', 'link', String(link.id), '--json'])).stdout);
      expect((shown.pids as Array<{ pid: number }>).map((p) => p.pid)).toContain(holder.pid);
    } finally {
      holder.kill();
      await runCommand('rm', ['-rf', dir]);
    }
  });

  it('fails with one clear error naming the capability when run without privilege', async () => {
    // Root without capabilities: the files stay readable, bpf() is refused.
    const setpriv = ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--'];
    for (const kind of ['progs', 'maps', 'links']) {
      const result = await bpfscope(['ls', kind, '--json'], setpriv);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/missing CAP_SYS_ADMIN/);
      expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    }
    const check = await runCommand('setpriv', ['--bounding-set=-all', '--inh-caps=-all', '--', 'grep', 'CapEff', '/proc/self/status']);
    expect(check.stdout).toMatch(/CapEff:\s+0+\s*$/m);
  });
});
