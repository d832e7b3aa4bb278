// `peek map ID [--json]` against `bpftool map peek id ID` (and -j) on real queues and stacks: the
// access fixture's queue (loaded by libbpf through bpftool prog loadall) and maps created by
// bpftool of value sizes that take each of bpftool's hex layouts; empty and filled, byte for
// byte, exit status too. Peeking takes nothing: what bpftool pops afterwards is every element
// pushed, in order. The agent answers what the addon answers, and the CLI over a real sshd prints
// what it prints locally. Snapshots and object files say why they have no head to show.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHost } from '../../main/hosts/agent-host.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { bpftoolMapTypes } from '../../main/hosts/map-dump.js';
import { mapShape } from '../../main/hosts/map-shape.js';
import { BpftoolTextDumper, bpftoolLookupMissText, ByteSink } from '../../main/kernel/btf/index.js';
import { ACCESS_OBJECT, buildAccessFixture } from '../helpers/access-fixture.js';
import { bpfscope, bpftoolJson, runCommand } from '../helpers/cli.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { sshHome, startSshd } from '../helpers/sshd.js';
import { AGENT_BINARY, agentTestProblem } from '../remote/requirements.js';

const skip = ensureKernelEnv() ?? agentTestProblem(true);
const local = new LocalHost();

interface Made {
  name: string;
  pin: string;
  type: 'queue' | 'stack';
  valueSize: number;
  id: number;
}

/** Value sizes across bpftool's print_entry_plain layouts: one line, a break every 8 bytes, a new line every 16, names on their own line past 16. */
const CREATED: ReadonlyArray<Pick<Made, 'type' | 'valueSize'>> = [
  { type: 'queue', valueSize: 1 }, { type: 'queue', valueSize: 8 }, { type: 'stack', valueSize: 12 },
  { type: 'queue', valueSize: 17 }, { type: 'stack', valueSize: 40 },
];

const bytesOf = (size: number, seed: number): number[] => Array.from({ length: size }, (_, i) => (i * 29 + seed * 7 + 1) & 0xff);
const hexWords = (bytes: readonly number[]): string[] => ['hex', ...bytes.map((b) => b.toString(16).padStart(2, '0'))];

async function ok(file: string, args: string[]): Promise<string> {
  const r = await runCommand(file, args);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Ours and bpftool's output for the map, text and JSON: stdout and exit status equal; ours says why on stderr when empty. */
async function expectPeekLikeBpftool(m: Made, empty: boolean): Promise<void> {
  for (const json of [false, true]) {
    const ours = await bpfscope(['peek', 'map', String(m.id), ...(json ? ['--json'] : [])]);
    const theirs = await runCommand('bpftool', [...(json ? ['-j'] : []), 'map', 'peek', 'id', String(m.id)]);
    const what = `${m.name} ${json ? '-j' : 'text'}${empty ? ' empty' : ''}`;
    expect(ours.stdout, what).toBe(theirs.stdout);
    expect(ours.code, what).toBe(theirs.code);
    expect(ours.code, what).toBe(empty ? 254 : 0);
    expect(ours.stderr, what).toBe(empty ? `bpfscope: map ${m.id}: empty: the ${m.type} holds no element\n` : '');
  }
}

describe.skipIf(skip)('peek at queues and stacks', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-peek-'));
  const pins = `/sys/fs/bpf/bpfscope_peek_${process.pid}`;
  const maps: Made[] = [];
  let agent: AgentHost;

  beforeAll(async () => {
    buildAccessFixture();
    await ok('mkdir', ['-p', pins]);
    for (const [i, c] of CREATED.entries()) {
      const name = `pk_${c.type}_${c.valueSize}`;
      const pin = join(pins, name);
      await ok('bpftool', ['map', 'create', pin, 'type', c.type, 'key', '0', 'value', String(c.valueSize), 'entries', String(4 + i), 'name', name]);
      maps.push({ ...c, name, pin, id: (await bpftoolJson<{ id: number }>(['map', 'show', 'pinned', pin])).id });
    }
    // A queue as a real object declares it (libbpf creates it, without BTF: the kernel takes none for queues and stacks).
    await ok('bpftool', ['prog', 'loadall', ACCESS_OBJECT, join(pins, 'progs'), 'pinmaps', join(pins, 'maps')]);
    const work = join(pins, 'maps', 'work');
    maps.push({ name: 'access work', pin: work, type: 'queue', valueSize: 8, id: (await bpftoolJson<{ id: number }>(['map', 'show', 'pinned', work])).id });
    agent = new AgentHost(spawn(AGENT_BINARY, [], { stdio: ['pipe', 'pipe', 'pipe'] }), { label: 'local agent' });
  });
  afterAll(async () => {
    await agent?.close();
    rmSync(pins, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('an empty queue or stack: bpftool\'s "Not found" text and null JSON, its exit status 254, and why on stderr', async () => {
    for (const m of maps) await expectPeekLikeBpftool(m, true);
  });

  it('the head of a filled queue (first pushed) or stack (last pushed), byte for byte as bpftool prints it; nothing is taken', async () => {
    const pushed = 3;
    for (const m of maps) {
      for (let seed = 0; seed < pushed; seed++) await ok('bpftool', ['map', 'push', 'pinned', m.pin, 'value', ...hexWords(bytesOf(m.valueSize, seed))]);
      const head = bytesOf(m.valueSize, m.type === 'queue' ? 0 : pushed - 1);
      for (let again = 0; again < 3; again++) await expectPeekLikeBpftool(m, false);
      expect([...(await local.mapPeek(m.id))!.value!], m.name).toEqual(head);
      // Every element is still there, in order: bpftool pops them all, then finds the map empty.
      for (let i = 0; i < pushed; i++) {
        const popped = await bpftoolJson<{ value: string[] }>(['map', 'pop', 'pinned', m.pin]);
        const seed = m.type === 'queue' ? i : pushed - 1 - i;
        expect(popped.value.map((h) => Number.parseInt(h, 16)), `${m.name} pop ${i}`).toEqual(bytesOf(m.valueSize, seed));
      }
      await expectPeekLikeBpftool(m, true);
    }
  });

  it('the agent answers what the addon answers: the head, empty, gone, and a map that is no queue refused', async () => {
    const [m] = maps;
    await ok('bpftool', ['map', 'push', 'pinned', m!.pin, 'value', ...hexWords(bytesOf(m!.valueSize, 5))]);
    for (const map of maps) {
      const [a, b] = [await local.mapPeek(map.id), await agent.mapPeek(map.id)];
      expect(b, map.name).toEqual({ value: a!.value === null ? null : Buffer.from(a!.value) });
      expect(a!.value === null, map.name).toBe(map !== m);
    }
    expect(await agent.mapPeek(999_999_999)).toBeNull();
    expect(await local.mapPeek(999_999_999)).toBeNull();
    const hash = (await bpftoolJson<{ id: number }>(['map', 'show', 'pinned', join(pins, 'maps', 'counts')])).id;
    for (const host of [local, agent]) await expect(host.mapPeek(hash)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(agent.session.request('mapPeek', { obj: 'one' })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/mapPeek\(mapId\): bad arguments/) });
    await ok('bpftool', ['map', 'pop', 'pinned', m!.pin]);
  });

  it('prints over SSH (the agent) what it prints locally: a head, and an empty map with its status', async () => {
    const sshd = await startSshd();
    try {
      const env = ['env', '-u', 'SSH_AUTH_SOCK', `HOME=${sshHome(sshd, 'box')}`];
      const [m] = maps;
      await ok('bpftool', ['map', 'push', 'pinned', m!.pin, 'value', ...hexWords(bytesOf(m!.valueSize, 9))]);
      for (const map of [m!, maps[2]!]) {
        for (const json of [[], ['--json']]) {
          const args = ['peek', 'map', String(map.id), ...json];
          const [remote, here] = [await bpfscope([...args, '--host', 'box'], env), await bpfscope(args, env)];
          expect(remote.stdout, args.join(' ')).toBe(here.stdout);
          expect(remote.code, remote.stderr).toBe(here.code);
        }
      }
      await ok('bpftool', ['map', 'pop', 'pinned', m!.pin]);
    } finally {
      await sshd.stop();
    }
  });

  it('refuses what it cannot peek at, saying why: another map type, a map not loaded, a snapshot, an object file', async () => {
    const hash = (await bpftoolJson<{ id: number }>(['map', 'show', 'pinned', join(pins, 'maps', 'counts')])).id;
    const other = await bpfscope(['peek', 'map', String(hash)]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(new RegExp(`map ${hash}: peek reads the head of a queue or stack; this map is a hash`));
    expect((await bpfscope(['peek', 'map', '999999999'])).stderr).toMatch(/map 999999999: not loaded on local/);
    expect((await bpfscope(['peek', 'prog', '1'])).code).toBe(2);

    const objfile = await bpfscope(['ls', 'maps', '--json', '--host', `objfile:${ACCESS_OBJECT}`]);
    const work = (JSON.parse(objfile.stdout) as Array<{ id: number; name: string }>).find((x) => x.name === 'work')!;
    const fromObject = await bpfscope(['peek', 'map', String(work.id), '--host', `objfile:${ACCESS_OBJECT}`]);
    expect(fromObject.code).toBe(1);
    expect(fromObject.stdout).toBe('');
    expect(fromObject.stderr).toMatch(/map \d+ \(work\) holds nothing to peek at: a queue or stack is filled once the object is loaded/);

    const file = join(dir, 'peek.bpfsnap');
    await ok(process.execPath, ['bin/bpfscope.js', 'snapshot', '--maps', 'none', '-o', file]);
    const fromSnapshot = await bpfscope(['peek', 'map', String(maps[0]!.id), '--host', `snapshot:${file}`]);
    expect(fromSnapshot.code).toBe(1);
    expect(fromSnapshot.stdout).toBe('');
    expect(fromSnapshot.stderr).toMatch(new RegExp(`is a snapshot: map ${maps[0]!.id}'s head element is live data, which a snapshot does not record`));
  });

  it('the one-entry (lookup) text form with BTF is bpftool map lookup\'s, on a hash map of the access object', async () => {
    // No queue or stack carries BTF (the kernel refuses a value type for them), so the form a
    // peek shares with lookup is checked where BTF is: a hash map entry against bpftool map lookup.
    const pin = join(pins, 'maps', 'counts');
    const info = (await bpftoolJson<{ id: number; bytes_key: number; bytes_value: number }>(['map', 'show', 'pinned', pin]));
    const key = bytesOf(info.bytes_key, 3);
    await ok('bpftool', ['map', 'update', 'pinned', pin, 'key', ...hexWords(key), 'value', ...hexWords(bytesOf(info.bytes_value, 4))]);
    const session = new HostSession(local);
    const { btf, shape } = await bpftoolMapTypes(session, (await mapShape(local, info.id))!);
    expect(btf, 'the access object\'s hash map has BTF').toBeDefined();
    const dumper = new BpftoolTextDumper(shape, btf, 'lookup');
    const sink = new ByteSink(1024);
    dumper.pageInto(sink, { keys: Uint8Array.from(key), values: Uint8Array.from(bytesOf(info.bytes_value, 4)), count: 1 }, { stride: info.bytes_value, cpus: 1 });
    sink.text(dumper.footer());
    expect(sink.drainText()).toBe(await ok('bpftool', ['map', 'lookup', 'pinned', pin, 'key', ...hexWords(key)]));
    // A key not in the map: bpftool's "Not found" text names it (a peek's has no key).
    const missing = bytesOf(info.bytes_key, 200);
    const miss = await runCommand('bpftool', ['map', 'lookup', 'pinned', pin, 'key', ...hexWords(missing)]);
    expect(miss.code).toBe(254);
    expect(bpftoolLookupMissText(Uint8Array.from(missing))).toBe(miss.stdout);
  });
});
