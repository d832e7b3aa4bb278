// The corpus test: programs and maps that real tools load with their own loaders (bpftrace;
// iproute2's ip and tc, bpftool prog load and cgroup attach), compared object by object with
// bpftool, JIT images with GNU objdump, and the compiled objects (`--host objfile:`) with
// llvm-objdump and `bpftool btf dump file`. Which objects to compare comes from the tools'
// /proc/PID/fdinfo and the loaders' own answers (test/helpers/corpus.ts), never from bpfscope.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBpftool71, expectBpftoolListingJson, expectSuperset, sameType, type JsonObj } from '../helpers/bpftool-compare.js';
import { BIN, bpfscope, bpftoolJson, parseJsonExact, runCommand } from '../helpers/cli.js';
import { loadExoticObject, ROLLOUT_SCRIPT, startBpftrace, startCorpus, startNetTools, type Corpus, type ExoticObject, type NetTools } from '../helpers/corpus.js';
import { bpftool, eachLimited, expectJitLikeObjdump, expectListedLikeBpftoolAll, expectMapDumpsLikeBpftool, expectMapShownLikeBpftool, expectPerfListedLikeBpftool, expectProgDumpsLikeBpftool, expectProgShownLikeBpftool, ok } from '../helpers/corpus-checks.js';
import { buildFixtures, FIXTURE_BUILD_DIR } from '../helpers/fixtures.js';
import { ensureKernelEnvWith } from '../helpers/kernel-env.js';
import { expectListingLikeLlvmObjdump, expectObjfileBtfLikeBpftool, llvmObjdumpFunctions, type InsnJson } from '../helpers/objfile-compare.js';
import { createHostService } from '../../main/server/host-service.js';

const skip = ensureKernelEnvWith(['bpftrace', 'objdump', 'python3', 'llvm-objdump', 'tc']);
let corpus: Corpus;
/** Comparisons made, by what was compared: the report's figures. */
const counted = new Map<string, number>();

function count(what: string, n = 1): void {
  counted.set(what, (counted.get(what) ?? 0) + n);
}

/**
 * profile:hz opens one perf event per online CPU, each running the tool's perf_event program:
 * the entries `ls perf` lists without a prog_id must be those, one per CPU, among the perf
 * event fds the tool holds (from its /proc fds).
 */
function profileEvents<T extends { fd: number }>(entries: T[]): T[] {
  const stacks = corpus.tools.find((t) => t.name === 'stacks')!;
  expect(entries).toHaveLength(onlineCpus());
  for (const e of entries) expect(stacks.perfEventFds).toContain(e.fd);
  return entries;
}

function onlineCpus(): number {
  return readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',').reduce((n, range) => {
    const [from, to] = range.split('-').map(Number);
    return n + (to === undefined ? 1 : to - from! + 1);
  }, 0);
}

describe.skipIf(skip)('corpus: programs loaded by bpftrace, compared with bpftool', () => {
  beforeAll(async () => {
    corpus = await startCorpus();
  }, 120_000);
  afterAll(async () => {
    await corpus?.stop();
  });

  it('the tools loaded what their scripts ask for', async () => {
    const byName = new Map(corpus.tools.map((t) => [t.name, t]));
    // 4 tracepoint programs; profile: 1 program behind a perf event per CPU; interval, software, uprobe, tracepoint.
    expect(byName.get('counts')!.progIds).toHaveLength(4);
    expect(byName.get('stacks')!.progIds).toHaveLength(1);
    expect(byName.get('events')!.progIds).toHaveLength(4);
    // usdt, 2 uretprobes, 2 tracepoints.
    expect(byName.get('probes')!.progIds).toHaveLength(5);
    expect(corpus.linkIds()).toEqual([]);
    // Each @name is a map AT_name; stacks go to a stack_trace map, printf to a perf_event_array.
    const maps = await bpftoolJson<Array<JsonObj & { name: string; type: string }>>(['map', 'show']);
    for (const tool of corpus.tools) {
      const held = maps.filter((m) => tool.mapIds.includes(m.id));
      const wanted = [...new Set([...tool.script.matchAll(/@(\w+)/g)].map((m) => `AT_${m[1]}`))];
      expect(held.map((m) => m.name), tool.name).toEqual(expect.arrayContaining(wanted));
    }
    expect(maps.filter((m) => byName.get('stacks')!.mapIds.includes(m.id)).map((m) => m.type)).toContain('stack_trace');
    expect(maps.filter((m) => byName.get('events')!.mapIds.includes(m.id)).map((m) => m.type)).toContain('perf_event_array');
  });

  it('show prog: the keys and values of bpftool prog show, text and JSON, for every program', async () => {
    await eachLimited(corpus.progIds(), 3, (id) => expectProgShownLikeBpftool(id, count));
  });

  it('show map: the keys and values of bpftool map show, text and JSON, for every map', async () => {
    await eachLimited(corpus.mapIds(), 3, (id) => expectMapShownLikeBpftool(id, count));
  });

  it('dump map: bpftool map dump, JSON and text, for every map the tools hold', { timeout: 300_000 }, async () => {
    // bpftrace's maps have no BTF (no `formatted`): an entry whose bytes both reads saw is compared whole.
    await expectMapDumpsLikeBpftool(corpus.mapIds(), count);
  });

  it('ls progs / ls maps: every corpus object listed as bpftool lists it', async () => {
    await expectListedLikeBpftoolAll('prog', corpus.progIds(), count);
    await expectListedLikeBpftoolAll('map', corpus.mapIds(), count);
  });

  it('dump prog: bpftool prog dump xlated, plain, linum and opcodes, text and JSON, for every program', async () => {
    await eachLimited(corpus.progIds(), 3, async (id) => {
      await expectProgDumpsLikeBpftool(id, `prog ${id}`, count);
    });
  });

  it('dump prog --jited --opcodes: reads as objdump -D -b binary -m i386:x86-64 reads each image', async () => {
    await eachLimited(corpus.progIds(), 3, (id) => expectJitLikeObjdump(id, `prog ${id}`, count));
  });

  it('ls perf: the perf events each tool holds, as bpftool perf list', async () => {
    // tracepoints (counts), the uprobe (events): what BPF_TASK_FD_QUERY answers for.
    const listed = await expectPerfListedLikeBpftool(new Set(corpus.tools.map((t) => t.pid)), 5, count);
    // profile:hz: a perf_event program behind a perf event per CPU (PERF_EVENT_IOC_SET_BPF, no
    // link), which bpftool leaves out: listed with the program its holder holds.
    // (Its other perf events are the perf buffer's, with no program.)
    const stacks = corpus.tools.find((t) => t.name === 'stacks')!;
    const unnamed = profileEvents(listed.filter((e) => e.pid === stacks.pid && e.prog_id === undefined));
    expect(unnamed).toEqual(unnamed.map((e) => ({ pid: stacks.pid, fd: e.fd, prog_type: 'perf_event', holder_prog_ids: stacks.progIds, comm: 'bpftrace' })));
    count('ls perf (perf_event programs)', unnamed.length);
  });

  it('show prog: a perf_event program attached through perf events says by whom, and that the kernel says no more', async () => {
    const stacks = corpus.tools.find((t) => t.name === 'stacks')!;
    const [id] = stacks.progIds;
    const listed = parseJsonExact<Array<{ pid: number; fd: number; prog_id?: number }>>(await ok(['ls', 'perf', '--json']));
    const fds = profileEvents(listed.filter((e) => e.pid === stacks.pid && e.prog_id === undefined)).map((e) => e.fd);
    const shown = parseJsonExact<JsonObj & { attach_points: Array<Record<string, unknown>> }>(await ok(['show', 'prog', String(id), '--json']));
    expect(shown.attach_points).toEqual([{
      mechanism: 'perf_event', kind: 'perf_event', pid: stacks.pid, fd: fds[0],
      target: `bpftrace (pid ${stacks.pid}) perf event fd${fds.length > 1 ? 's' : ''} ${fds.join(', ')}; the kernel does not say which program a perf event runs`,
    }]);
    const text = await ok(['show', 'prog', String(id)]);
    expect(text).toContain(`attached: perf_event bpftrace (pid ${stacks.pid}) perf event fd`);
    expect(text).not.toContain('nowhere');
    // The dashboard's program detail shows what the API gives it: the same attach point.
    const service = createHostService();
    try {
      const points = await service.getProgramAttachPoints({ host: 'local', id: id! }, new AbortController().signal);
      expect(points).toEqual(shown.attach_points.map((p) => ({ progId: id, ...p })));
    } finally {
      await service.close();
    }
    count('show prog (perf_event attach point)', 3);
  });

  it('drift: a host running the same tools agrees (one name, several tags on each); another tool on one host is named', async () => {
    type Drift = { name: string; tags: Record<string, string[]>; missing: Record<string, string[]> };
    const progs = await bpftoolJson<Array<JsonObj & { name: string; tag: string }>>(['prog', 'show']);
    const ids = new Set(corpus.progIds());
    const names = new Set(progs.filter((p) => ids.has(p.id)).map((p) => p.name));
    const sched = progs.filter((p) => ids.has(p.id) && p.name === 'sched_switch');
    // Two tools load a sched_switch each: the name carries two tags on both hosts.
    expect(new Set(sched.map((p) => p.tag)).size).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-corpus-'));
    try {
      const file = join(dir, 'before.bpfsnap');
      const saved = await bpfscope(['snapshot', '--maps', 'none', '-o', file]);
      expect(saved.code, saved.stderr).toBe(0);
      const hosts = ['--host', `snapshot:${file},local`];
      // Other programs may come and go meanwhile (other suites): only the corpus's names count.
      const corpusDrift = async () => (JSON.parse(await ok(['ls', 'progs', '--json', ...hosts])) as { drift: Drift[] }).drift.filter((d) => names.has(d.name));
      expect(await corpusDrift()).toEqual([]);
      count('drift');
      const rollout = await startBpftrace('rollout', ROLLOUT_SCRIPT);
      try {
        const rolled = (await bpftoolJson<Array<JsonObj & { name: string; tag: string }>>(['prog', 'show'])).find((p) => rollout.progIds.includes(p.id))!;
        expect(rolled.name).toBe('sched_switch');
        expect(await corpusDrift()).toEqual([{
          name: 'sched_switch',
          tags: { [`snapshot:${file}`]: [...new Set(sched.map((p) => p.tag))].sort(), local: [...new Set([...sched.map((p) => p.tag), rolled.tag])].sort() },
          missing: { [`snapshot:${file}`]: [rolled.tag] },
        }]);
        const text = await bpfscope(['ls', 'progs', ...hosts]);
        expect(text.stdout).toContain(`drift: program 'sched_switch' differs across hosts: snapshot:${file} lacks ${rolled.tag} (tags: `);
        count('drift');
      } finally {
        rollout.child.kill('SIGKILL');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(skip)('corpus: network and cgroup programs loaded by iproute2 and bpftool, and their objects', () => {
  let dir: string;
  let tools: NetTools;
  const programs = () => [tools.xdp, tools.tc, tools.cgroupSkb];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-corpus-net-'));
    const mount = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[2] === 'cgroup2')?.[1];
    expect(mount, 'a cgroup v2 mount').toBeDefined();
    tools = startNetTools(dir, mount!);
  });
  afterAll(() => {
    tools?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (counted.size > 0) console.log(`corpus comparisons: ${[...counted].map(([what, n]) => `${what} ${n}`).join(', ')}`);
  });

  it('ls net: the interface\'s XDP and tc programs as bpftool net show', async () => {
    const [theirs] = await bpftoolJson<JsonObj[]>(['net', 'show']);
    const [host] = parseJsonExact<JsonObj[]>(await ok(['ls', 'net', '--json']));
    const on = (list: unknown, keys: string[]) => (list as JsonObj[]).filter((e) => e.devname === tools.ifname).map((e) => Object.fromEntries(keys.map((k) => [k, e[k]])));
    expect(on(theirs!.xdp, ['devname', 'ifindex', 'mode', 'id'])).toEqual([{ devname: tools.ifname, ifindex: tools.ifindex, mode: 'generic', id: tools.xdp.id }]);
    expect(on(host!.xdp, ['devname', 'ifindex', 'mode', 'id'])).toEqual(on(theirs!.xdp, ['devname', 'ifindex', 'mode', 'id']));
    expect(on(theirs!.tc, ['devname', 'ifindex', 'kind', 'name', 'id'])).toHaveLength(1);
    expect(on(host!.tc, ['devname', 'ifindex', 'kind', 'name', 'id'])).toEqual(on(theirs!.tc, ['devname', 'ifindex', 'kind', 'name', 'id']));
    count('ls net', 2);
  });

  it('ls cgroup: the cgroup_skb program as bpftool cgroup tree, attached and effective', async () => {
    for (const mode of [[], ['effective']]) {
      const theirs = await bpftoolJson<JsonObj[]>(['cgroup', 'tree', tools.cgroup, ...mode]);
      expect(theirs.flatMap((c) => c.programs as JsonObj[]).map((p) => p.id)).toContain(tools.cgroupSkb.id);
      expect(parseJsonExact<JsonObj[]>(await ok(['ls', 'cgroup', tools.cgroup, ...mode, '--json']))).toEqual(theirs);
      count('ls cgroup');
    }
  });

  it('show, dump (text, JSON, linum, opcodes) and the JIT image of each program, and where it is attached', async () => {
    const where: Record<string, RegExp> = {
      [tools.xdp.name]: new RegExp(`^netlink xdp ${tools.ifname} \\(ifindex ${tools.ifindex}, netns host, generic\\)$`),
      [tools.tc.name]: new RegExp(`^netlink tc ${tools.ifname} \\(ifindex ${tools.ifindex}, netns host\\) clsact/ingress prio \\d+ handle 0x1, direct-action$`),
      [tools.cgroupSkb.name]: new RegExp(`^prog_attach cgroup_inet_ingress ${tools.cgroup.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
    };
    await eachLimited(programs(), 3, async (prog) => {
      const id = String(prog.id);
      expectSuperset(parseJsonExact<JsonObj>(await ok(['show', 'prog', id, '--json'])), await bpftoolJson<JsonObj>(['prog', 'show', 'id', id]), prog.name, 'prog');
      const shown = parseJsonExact<JsonObj & { attach_points: Array<{ mechanism: string; kind: string; target: string }> }>(await ok(['show', 'prog', id, '--json']));
      expect(shown.attach_points.map((p) => `${p.mechanism} ${p.kind} ${p.target}`), prog.name).toEqual([expect.stringMatching(where[prog.name]!)]);
      const sourceLines = await expectProgDumpsLikeBpftool(prog.id, prog.name, count);
      // clang -g: BTF line info, so the listings carry the C source.
      expect(sourceLines, prog.name).toBeGreaterThan(0);
      await expectJitLikeObjdump(prog.id, prog.name, count);
      count('show prog', 2);
    });
  });

  it('ls net and show prog in a named network namespace: what iproute2 loads there (nsenter), as bpftool net show in it', async () => {
    const ns = `bfscorpns${process.pid % 100000}`;
    const inNs = (args: string[]) => runCommand('nsenter', [`--net=/run/netns/${ns}`, ...args]);
    const must = async (args: string[]) => {
      const r = await inNs(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    expect((await runCommand('ip', ['netns', 'add', ns])).code).toBe(0);
    try {
      await must(['ip', 'link', 'add', 'nsv0', 'type', 'veth', 'peer', 'name', 'nsv1']);
      await must(['ip', 'link', 'set', 'nsv0', 'up']);
      await must(['ip', 'link', 'set', 'dev', 'nsv0', 'xdpgeneric', 'obj', tools.xdp.object, 'sec', 'xdp']);
      await must(['tc', 'qdisc', 'add', 'dev', 'nsv1', 'clsact']);
      await must(['tc', 'filter', 'add', 'dev', 'nsv1', 'egress', 'bpf', 'direct-action', 'obj', tools.tc.object, 'sec', 'tc']);
      const [theirs] = JSON.parse(await must(['bpftool', '-j', 'net', 'show'])) as JsonObj[];
      const mine = parseJsonExact<JsonObj[]>(await ok(['ls', 'net', '--json'])).find((n) => (n.netns as JsonObj).name === ns);
      expect(mine, `namespace ${ns} listed`).toBeDefined();
      const pick = (list: unknown, keys: string[]) => (list as JsonObj[]).map((e) => Object.fromEntries(keys.map((k) => [k, e[k]])));
      expect(pick(theirs!.xdp, ['devname', 'ifindex', 'mode', 'id'])).toHaveLength(1);
      expect(pick(mine!.xdp, ['devname', 'ifindex', 'mode', 'id'])).toEqual(pick(theirs!.xdp, ['devname', 'ifindex', 'mode', 'id']));
      expect(pick(theirs!.tc, ['devname', 'ifindex', 'kind', 'name', 'id'])).toHaveLength(1);
      expect(pick(mine!.tc, ['devname', 'ifindex', 'kind', 'name', 'id'])).toEqual(pick(theirs!.tc, ['devname', 'ifindex', 'kind', 'name', 'id']));
      const xdpId = String((theirs!.xdp as JsonObj[])[0]!.id);
      const shown = parseJsonExact<JsonObj & { attach_points: Array<{ target: string }> }>(await ok(['show', 'prog', xdpId, '--json']));
      expect(shown.attach_points.map((p) => p.target)).toEqual([expect.stringMatching(new RegExp(`^nsv0 \\(ifindex \\d+, netns ${ns}, generic\\)$`))]);
      count('ls net (named netns)', 2);
    } finally {
      await runCommand('ip', ['netns', 'del', ns]);
    }
  });

  it('--host objfile: each object as libbpf loads it (the loaded tag), its listing as llvm-objdump, its BTF as bpftool btf dump file', async () => {
    for (const prog of programs()) {
      const host = ['--host', `objfile:${prog.object}`];
      const [fromFile] = parseJsonExact<Array<JsonObj & { name: string; tag: string }>>(await ok(['ls', 'progs', '--json', ...host]));
      const loaded = await bpftoolJson<JsonObj & { tag: string }>(['prog', 'show', 'id', String(prog.id)]);
      expect(fromFile!.name).toBe(prog.name);
      expect(fromFile!.tag, `${prog.name}: the object's tag is the loaded program's`).toBe(loaded.tag);
      const listing = JSON.parse(await ok(['dump', 'prog', String(fromFile!.id), '--json', ...host])) as InsnJson[];
      count('objfile insns vs llvm-objdump', expectListingLikeLlvmObjdump(listing, llvmObjdumpFunctions(prog.object), prog.name));
      await expectObjfileBtfLikeBpftool(prog.object, prog.name);
      count('objfile BTF vs bpftool btf dump file');
    }
  });
});

describe.skipIf(skip)('corpus: an object of exotic maps and global data loaded by bpftool prog loadall', () => {
  let dir: string;
  let exotic: ExoticObject;

  beforeAll(() => {
    buildFixtures();
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-corpus-exotic-'));
    exotic = loadExoticObject(dir, FIXTURE_BUILD_DIR);
  }, 120_000);
  afterAll(() => {
    exotic?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loaded what the object defines', () => {
    // 17 .maps maps and 5 data sections; 5 programs; 2 without BTF.
    expect(exotic.mapIds).toHaveLength(22);
    expect(exotic.progIds).toHaveLength(5);
    expect(exotic.plainProgIds).toHaveLength(2);
  });

  it('show, dump (text and JSON) and a snapshot of every map as bpftool shows and dumps them', async () => {
    const file = join(dir, 'exotic.bpfsnap');
    const saved = await bpfscope(['snapshot', '--maps', exotic.mapIds.join(','), '-o', file]);
    expect(saved.code, saved.stderr).toBe(0);
    await eachLimited(exotic.mapIds, 3, async (id) => {
      const what = `map ${id} (${(await bpftoolJson<{ name: string }>(['map', 'show', 'id', String(id)])).name})`;
      expectSuperset(parseJsonExact<JsonObj>(await ok(['show', 'map', String(id), '--json'])), await bpftoolJson<JsonObj>(['map', 'show', 'id', String(id)]), what, 'map');
      // Maps whose contents cannot be listed (stack, local storage, user ring buffer): bpftool prints
      // the empty listing and exits non-zero; we print the same, exit 0 and say why on stderr.
      const unlisted = ['stk', 'sks', 'inos', 'cgs', 'urb'].some((name) => exotic.mapId[name] === id);
      for (const json of [[], ['-j']]) {
        const theirs = (await runCommand('bpftool', ['map', 'dump', 'id', String(id), ...json])).stdout;
        const dumped = await bpfscope(['dump', 'map', String(id), ...(json.length > 0 ? ['--json'] : [])]);
        expect(dumped.code, `${what}: ${dumped.stderr}`).toBe(0);
        expect(dumped.stderr, what).toMatch(unlisted ? new RegExp(`^bpfscope: map ${id}: its contents are not listed: [^\\n]+\\n$`) : /^$/);
        const ours = dumped.stdout;
        expect(ours, `${what} ${json.join('')}`).toBe(theirs);
        count(`exotic dump map${json.length > 0 ? ' --json' : ''}`);
        if (json.length > 0) {
          const offline = await bpfscope(['dump', 'map', String(id), '--json', '--host', `snapshot:${file}`]);
          expect(offline.code, offline.stderr).toBe(0);
          expect(offline.stdout, `${what} from the snapshot`).toBe(ours);
          expect(offline.stderr, `${what} from the snapshot`).toBe(dumped.stderr);
          count('exotic dump map --json from a snapshot');
        }
      }
    });
  });

  it('peek map: the stack\'s head (its last push) as bpftool peeks it, text and JSON, and peeking leaves it', async () => {
    const id = String(exotic.mapId.stk);
    const first = new Map<string, string>();
    for (let again = 0; again < 2; again++) {
      for (const json of [[], ['-j']]) {
        const theirs = await runCommand('bpftool', [...json, 'map', 'peek', 'id', id]);
        expect(theirs.code, theirs.stderr).toBe(0);
        // The same head every time: neither our peek nor bpftool's took it.
        if (!first.has(json.join(''))) first.set(json.join(''), theirs.stdout);
        expect(theirs.stdout).toBe(first.get(json.join('')));
        const ours = await bpfscope(['peek', 'map', id, ...(json.length > 0 ? ['--json'] : [])]);
        expect(ours.code, ours.stderr).toBe(0);
        expect(ours.stdout, `stk ${json.join('')}`).toBe(theirs.stdout);
        count(`exotic peek map${json.length > 0 ? ' --json' : ''}`);
      }
    }
  });

  it('watch map: a per-CPU map without BTF changes CPU by CPU, each value as bpftool dumps it (no slot padding)', async () => {
    const id = exotic.mapId.rawpc!;
    const watch = spawn(process.execPath, [BIN, 'watch', 'map', String(id), '--interval', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    watch.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      const deadline = Date.now() + 10_000;
      while (!out.includes('watching every') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await bpftool(['map', 'update', 'id', String(id), 'key', '1', '0', '0', '0', 'value', '0xaa', '0xbb', '0xcc', '0xdd']);
      while (!out.includes('\n  was ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      watch.kill('SIGINT');
    }
    // bpftool's text dump of the key: `key: 01 00 00 00` then a `value (CPU NN): …` line per CPU.
    const dumped = (await bpftool(['map', 'dump', 'id', String(id)])).split(/^key:/m).find((e) => /^\s*01 00 00 00\s*$/m.test(e.split('value')[0]!));
    expect(dumped, 'bpftool dumps key 1').toBeDefined();
    const values = dumped!.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('value (CPU'));
    expect(values).toHaveLength(onlineCpus());
    expect(out).toContain(`~ key: 01 00 00 00  ${values.join('  ')}\n  was key: 01 00 00 00  ${values.map((v) => v.replace(/aa bb cc dd$/, '00 00 00 00')).join('  ')}\n`);
    count('exotic watch map (per-CPU, no BTF)');
  });

  it('watch map --json: lines stay JSON where bpftool\'s entry stops at a float (its bare (unsupported-kind becomes null)', async () => {
    const id = exotic.mapId.flt!;
    // bpftool's own dump is not JSON there (dump map --json prints the same bytes, as the test above checks).
    const theirs = (await runCommand('bpftool', ['map', 'dump', 'id', String(id), '-j'])).stdout;
    expect(() => JSON.parse(theirs)).toThrow();
    const watch = spawn(process.execPath, [BIN, 'watch', 'map', String(id), '--interval', '100', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    watch.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      const deadline = Date.now() + 10_000;
      while (!out.includes('"start"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await bpftool(['map', 'update', 'id', String(id), 'key', '0', '0', '0', '0', 'value', '7', '0', '0', '0', '0', '0', '0x80', '0x3f', '9', '0', '0', '0']);
      while (!out.includes('"changed"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      watch.kill('SIGINT');
    }
    const lines = out.trim().split('\n').map((line) => JSON.parse(line) as { event: string; entry?: { formatted: unknown } });
    expect(lines.find((l) => l.event === 'changed')?.entry?.formatted).toEqual({ key: 0, value: { before: 7, f: null } });
    count('exotic watch map --json (float)');
  });

  it('show and dump (text and JSON) of every program, its JIT image as objdump reads it, with BTF or without', async () => {
    await eachLimited([...exotic.progIds, ...exotic.plainProgIds], 3, async (id) => {
      const shown = parseJsonExact<JsonObj>(await ok(['show', 'prog', String(id), '--json']));
      expectSuperset(shown, await bpftoolJson<JsonObj>(['prog', 'show', 'id', String(id)]), `prog ${id}`, 'prog');
      // The corpus's other programs run every option in both modes; here text with opcodes, JSON with source lines.
      expect(asBpftool71(await ok(['dump', 'prog', String(id), '--opcodes'])), `dump prog ${id} --opcodes`).toBe(await bpftool(['prog', 'dump', 'xlated', 'id', String(id), 'opcodes']));
      expectBpftoolListingJson(JSON.parse(await ok(['dump', 'prog', String(id), '--json', '--linum'])) as object[], await bpftoolJson<object[]>(['prog', 'dump', 'xlated', 'id', String(id), 'linum']), `dump prog ${id} --json --linum`);
      count('exotic dump prog (text and JSON)', 2);
      await expectJitLikeObjdump(id, `prog ${id}`, count);
    });
  });

  it('the object\'s BTF as bpftool btf dump, raw and C, and the C compiles; the object file shows the loaded tags', async () => {
    const { btf_id: btfId } = await bpftoolJson<{ btf_id: number }>(['prog', 'show', 'id', String(exotic.progIds[0])]);
    for (const format of ['raw', 'c'] as const) {
      const ours = await ok(['btf', String(btfId), `--${format}`]);
      expect(ours, `btf ${btfId} --${format}`).toBe(await bpftool(['btf', 'dump', 'id', String(btfId), 'format', format]));
      if (format === 'c') {
        writeFileSync(join(dir, 'exotic.h'), ours);
        const compiled = await runCommand('clang', ['-target', 'bpf', '-c', '-x', 'c', join(dir, 'exotic.h'), '-o', join(dir, 'exotic-h.o')]);
        expect(compiled.code, compiled.stderr.slice(0, 2000)).toBe(0);
      }
    }
    for (const [object, ids] of [[exotic.object, exotic.progIds], [exotic.plainObject, exotic.plainProgIds]] as const) {
      const loaded = await Promise.all(ids.map((id) => bpftoolJson<{ name: string; tag: string }>(['prog', 'show', 'id', String(id)])));
      const fromFile = parseJsonExact<Array<{ name: string; tag: string }>>(await ok(['ls', 'progs', '--json', '--host', `objfile:${object}`]));
      expect(fromFile.map((p) => `${p.name} ${p.tag}`).sort(), object).toEqual(loaded.map((p) => `${p.name} ${p.tag}`).sort());
    }
    // Every map as the object file shows it loaded, against the kernel's record of it.
    type MapRecord = JsonObj & { name: string; type: string; flags: number; bytes_key: number; bytes_value: number; max_entries: number; btf_id?: number };
    const record = (m: MapRecord) => ({ name: m.name, type: m.type, flags: m.flags, bytes_key: m.bytes_key, bytes_value: m.bytes_value, max_entries: m.max_entries, btf: m.btf_id !== undefined });
    const fileMaps = new Map(parseJsonExact<MapRecord[]>(await ok(['ls', 'maps', '--json', '--host', `objfile:${exotic.object}`])).map((m) => [m.name, m]));
    for (const id of exotic.mapIds) {
      const live = await bpftoolJson<MapRecord>(['map', 'show', 'id', String(id)]);
      const mine = fileMaps.get(live.name);
      expect(mine, live.name).toBeDefined();
      // bpftool 7.1 names cgrp_storage by number; its own libbpf maps every data section (the system libbpf does not).
      const ours = { ...record(mine!), type: live.type, flags: live.name.includes('.') ? mine!.flags | (live.flags & 0x400) : mine!.flags };
      expect(sameType('map', mine!.type, live.type) || mine!.type === live.type, `${live.name}: type`).toBe(true);
      expect(ours, live.name).toEqual(record(live));
    }
    count('exotic BTF and tags', 4);
    count('exotic maps as the object file shows them', exotic.mapIds.length);
  });
});
