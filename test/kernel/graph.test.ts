// `bpfscope graph` and the program summaries on a host running the fixtures, the access
// fixture and real bpftrace tools: the graph agrees with bpftool's listings (every object
// once, map edges within each program's map_ids, links run their programs, holders from
// /proc fdinfo), and each summary names what the program's source does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAccessFixture } from '../helpers/access-fixture.js';
import { bpfscope, bpftoolJson, parseJsonExact } from '../helpers/cli.js';
import { heldObjects, startBpftraceTool, startCorpus, startNetTools, type Corpus, type NetTools } from '../helpers/corpus.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnvWith } from '../helpers/kernel-env.js';

const skip = ensureKernelEnvWith(['bpftrace']);
let fixtures: LoadedFixtures;
let corpus: Corpus;
let pinDir: string;
let accessIds: Map<string, number>;
let netDir: string;
let netTools: NetTools;

interface GraphJson {
  nodes: Array<{ id: string; kind: string; name: string; type?: string; cluster?: string; shared?: boolean }>;
  edges: Array<{ from: string; to: string; access: string[]; inner?: boolean }>;
}

interface SummaryMap {
  id: number;
  name: string;
  inner?: boolean;
}

interface Summary {
  sentence: string;
  runs_on: Array<{ mechanism: string; kind: string; target: string; link_id?: number }>;
  held_by: Array<{ pid: number; comm: string; command_line?: string }>;
  reads: SummaryMap[];
  writes: SummaryMap[];
  emits: SummaryMap[];
  jumps: SummaryMap[];
  untracked: unknown[];
}

async function graphJson(): Promise<GraphJson> {
  const result = await bpfscope(['graph', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as GraphJson;
}

async function summaryOf(id: number): Promise<Summary> {
  const result = await bpfscope(['show', 'prog', String(id), '--json']);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { summary: Summary }).summary;
}

const names = (maps: Array<{ name: string }>) => maps.map((m) => m.name).sort();

/** The maps a map-in-map holds, from bpftool's dump: each value is an inner map's id (u32, little-endian). */
async function innerMapIds(outer: number): Promise<number[]> {
  const entries = await bpftoolJson<Array<{ value: string[] }>>(['map', 'dump', 'id', String(outer)]);
  return [...new Set(entries.map((e) => Buffer.from(e.value.map((b) => Number(b))).readUInt32LE(0)))];
}

describe.skipIf(skip)('host graph and program summaries', () => {
  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps', 'tracing', 'net', 'cgroup'] });
    corpus = await startCorpus();
    pinDir = mkdtempSync(join('/sys/fs/bpf', 'bpfscope-graph-'));
    rmSync(pinDir, { recursive: true });
    accessIds = loadAccessFixture(pinDir);
    netDir = mkdtempSync(join(tmpdir(), 'bpfscope-graph-net-'));
    const cgroup2 = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[2] === 'cgroup2')?.[1];
    if (!cgroup2) throw new Error('no cgroup v2 mount');
    netTools = startNetTools(netDir, cgroup2);
  }, 180_000);
  afterAll(async () => {
    netTools?.stop();
    if (netDir) rmSync(netDir, { recursive: true, force: true });
    await corpus?.stop();
    await fixtures?.stop();
    if (pinDir) rmSync(pinDir, { recursive: true, force: true });
  });

  it('graph --json: every object bpftool lists (before and after) exactly once, with valid edges', async () => {
    const kinds = ['prog', 'map', 'link'] as const;
    const before = await Promise.all(kinds.map((k) => bpftoolJson<Array<{ id: number }>>([k, 'show'])));
    const graph = await graphJson();
    const after = await Promise.all(kinds.map((k) => bpftoolJson<Array<{ id: number }>>([k, 'show'])));
    const ids = graph.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    kinds.forEach((kind, i) => {
      const still = new Set(after[i]!.map((o) => o.id));
      const stable = before[i]!.filter((o) => still.has(o.id));
      expect(stable.length, kind).toBeGreaterThan(0);
      for (const { id } of stable) expect(ids.filter((x) => x === `${kind}:${id}`), `${kind}:${id}`).toHaveLength(1);
    });
    const nodeIds = new Set(ids);
    for (const node of graph.nodes) {
      expect(node.id).toMatch(/^(prog|map|link):\d+$|^proc:\d+$|^attach:/);
      expect(node.id.startsWith(`${node.kind}:`), node.id).toBe(true);
      expect(typeof node.name).toBe('string');
    }
    for (const edge of graph.edges) {
      expect(nodeIds.has(edge.from) && nodeIds.has(edge.to), `${edge.from} -> ${edge.to}`).toBe(true);
      expect(edge.access.length).toBeGreaterThan(0);
      for (const a of edge.access) expect(['read', 'write', 'emit', 'jump', 'runs', 'holds']).toContain(a);
    }
  });

  it('graph --json agrees with bpftool: map edges within map_ids, links run their programs, holders as /proc fdinfo says', async () => {
    const graph = await graphJson();
    const progs = new Map((await bpftoolJson<Array<{ id: number; map_ids?: number[] }>>(['prog', 'show'])).map((p) => [p.id, p]));
    const maps = new Map((await bpftoolJson<Array<{ id: number; type: string }>>(['map', 'show'])).map((m) => [m.id, m]));
    let checked = 0;
    for (const edge of graph.edges.filter((e) => e.from.startsWith('prog:') && e.to.startsWith('map:'))) {
      const prog = progs.get(Number(edge.from.slice(5)));
      if (!prog) continue;
      const mapId = Number(edge.to.slice(4));
      // A map a program reaches through a map-in-map is not in its map_ids; the outer map is.
      const viaOuter = (prog.map_ids ?? []).some((id) => /of_maps/.test(maps.get(id)?.type ?? ''));
      if (!(prog.map_ids ?? []).includes(mapId)) expect(viaOuter, `${edge.from} -> ${edge.to}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
    for (const link of await bpftoolJson<Array<{ id: number; prog_id: number }>>(['link', 'show'])) {
      // struct_ops links name no program: their map does.
      if (link.prog_id === 0) continue;
      const runs = graph.edges.find((e) => e.from === `link:${link.id}` && e.to === `prog:${link.prog_id}`);
      if (graph.nodes.some((n) => n.id === `link:${link.id}`)) expect(runs?.access, `link ${link.id}`).toEqual(['runs']);
    }
    for (const tool of corpus.tools) {
      const held = heldObjects(tool.pid);
      for (const [kind, list] of [['prog', held.progIds], ['map', held.mapIds]] as const) {
        for (const id of list) expect(graph.edges.some((e) => e.from === `proc:${tool.pid}` && e.to === `${kind}:${id}` && e.access.includes('holds')), `${tool.name} holds ${kind} ${id}`).toBe(true);
      }
      expect(graph.nodes.find((n) => n.id === `proc:${tool.pid}`)?.name).toMatch(new RegExp(`^bpftrace \\(pid ${tool.pid}\\)`));
    }
    // The fixture's tail call: count_getpid jumps through jump_table, whose slots run tail_a and tail_b.
    const jumpTable = fixtures.map('jump_table');
    expect(graph.edges.find((e) => e.from === `prog:${fixtures.program('count_getpid').id}` && e.to === `map:${jumpTable.id}`)?.access).toEqual(['jump']);
    for (const tail of ['tail_a', 'tail_b']) expect(graph.edges.find((e) => e.from === `map:${jumpTable.id}` && e.to === `prog:${fixtures.program(tail).id}`)?.access).toEqual(['runs']);
  });

  it('graph --dot and text', async () => {
    const dot = await bpfscope(['graph', '--dot']);
    expect(dot.code, dot.stderr).toBe(0);
    expect(dot.stdout).toMatch(/^digraph bpf_host \{\n/);
    expect(dot.stdout).toContain(`"prog:${fixtures.program('count_getpid').id}" -> "map:${fixtures.map('jump_table').id}" [label="jump"`);
    const text = await bpfscope(['graph']);
    expect(text.stdout).toContain(`prog:${fixtures.program('count_getpid').id} count_getpid --jump--> map:${fixtures.map('jump_table').id} jump_table`);
    expect((await bpfscope(['graph', '--json', '--dot'])).code).toBe(2);
  });

  it('summaries of bpftrace programs name the probe, the bpftrace process and the maps its script touches', async () => {
    const perf = await bpftoolJson<Array<{ prog_id: number; tracepoint?: string; filename?: string }>>(['perf', 'list']);
    const probeOf = (id: number) => perf.find((p) => p.prog_id === id);
    // What each probe of test/helpers/corpus.ts does to its maps, from the scripts.
    const expected: Record<string, { reads: string[]; writes: string[]; emits: string[] }> = {
      'counts:sys_enter_openat': { reads: ['AT_opens'], writes: ['AT_opens', 'AT_start'], emits: [] },
      'counts:sys_exit_openat': { reads: ['AT_latency', 'AT_start'], writes: ['AT_latency', 'AT_start'], emits: [] },
      'counts:sched_switch': { reads: ['AT_next', 'AT_prev', 'AT_switches'], writes: ['AT_next', 'AT_prev', 'AT_switches'], emits: [] },
      'counts:sys_enter_write': { reads: ['AT_avg', 'AT_bytes', 'AT_least', 'AT_most'], writes: ['AT_avg', 'AT_bytes', 'AT_least', 'AT_most'], emits: [] },
      'events:sched_switch': { reads: ['AT_switched'], writes: ['AT_switched'], emits: [] },
      'probes:sys_enter_read': { reads: ['AT_read_sizes', 'AT_reads'], writes: ['AT_read_sizes', 'AT_reads'], emits: [] },
      'probes:sched_process_exec': { reads: ['AT_execs'], writes: ['AT_execs', 'AT_last_exec'], emits: [] },
    };
    // Probes on files (uprobe, uretprobe, USDT), by tool and file.
    const onFiles: Record<string, { kind: string; reads: string[]; writes: string[] }> = {
      'events:/bin/bash': { kind: 'uprobe', reads: ['AT_lines'], writes: ['AT_lines'] },
      'probes:/bin/bash': { kind: 'uretprobe', reads: ['AT_lines'], writes: ['AT_lines'] },
      'probes:/usr/bin/python3': { kind: 'uprobe', reads: ['AT_pyfn'], writes: ['AT_pyfn'] },
      'probes:/lib/x86_64-linux-gnu/libc.so.6': { kind: 'uretprobe', reads: ['AT_resolved'], writes: ['AT_resolved'] },
    };
    let checked = 0;
    for (const tool of corpus.tools) {
      for (const id of tool.progIds) {
        const s = await summaryOf(id);
        expect(s.held_by.map((h) => h.pid), `prog ${id}`).toContain(tool.pid);
        expect(s.held_by.find((h) => h.pid === tool.pid)?.command_line).toMatch(/^bpftrace -e /);
        // Another tool enumerating programs (bpftool) holds each one for a moment: the sentence names the lowest pid.
        if (s.held_by.length === 1) expect(s.sentence).toContain(`held by bpftrace (pid ${tool.pid})`);
        expect(s.untracked).toEqual([]);
        const probe = probeOf(id);
        if (probe?.tracepoint) {
          expect(s.runs_on.map((r) => r.target)).toContain(probe.tracepoint);
          expect(s.sentence).toContain(`Runs on tracepoint ${probe.tracepoint}`);
          const want = expected[`${tool.name}:${probe.tracepoint}`]!;
          expect({ reads: names(s.reads), writes: names(s.writes), emits: names(s.emits) }, probe.tracepoint).toEqual(want);
        } else if (probe?.filename) {
          const want = onFiles[`${tool.name}:${probe.filename}`]!;
          expect(s.sentence).toContain(`Runs on ${want.kind} ${probe.filename}+0x`);
          expect({ reads: names(s.reads), writes: names(s.writes) }, probe.filename).toEqual({ reads: want.reads, writes: want.writes });
        } else {
          // profile, interval, software: perf_event programs; the kernel names only who holds their perf events.
          expect(s.runs_on.map((r) => r.kind)).toEqual(['perf_event']);
          expect(s.sentence).toContain(`Runs on perf event bpftrace (pid ${tool.pid}) perf event fd`);
          const touched = [...names(s.reads), ...names(s.writes), ...names(s.emits)];
          expect(touched.some((n) => ['AT_kstacks', 'AT_clock', 'printf'].includes(n)), `prog ${id}: ${s.sentence}`).toBe(true);
        }
        checked++;
      }
    }
    expect(checked).toBe(corpus.progIds().length);
  });

  it('summaries of fixture programs: attach point, owner, maps; the access fixture runs nowhere', async () => {
    const s = await summaryOf(fixtures.program('emit_getppid').id);
    expect(s.sentence).toMatch(new RegExp(`^Runs on tracepoint sys_enter_getppid via link \\d+ · held by bpfscope-fixtur \\(pid ${fixtures.report.pid}\\) · reads `));
    expect({ reads: names(s.reads), writes: names(s.writes), emits: names(s.emits) }).toEqual({
      reads: ['maps_bpf.bss', 'stack_counts'], writes: ['maps_bpf.bss', 'stack_counts', 'stacks'], emits: ['perf_events', 'ring'],
    });
    const unattached = await summaryOf(accessIds.get('store_through_lookup')!);
    // bpftool prog loadall pinned it and exited.
    expect(unattached.sentence).toMatch(/^Runs nowhere \(loaded, not attached\) · held by no process \(pinned in bpffs, or kept by a link on it\) · reads counts · writes counts · /);
  });

  it('show prog --json: bpftool\'s keys first, in bpftool\'s order, then attach_points and summary', async () => {
    for (const id of [fixtures.program('count_getpid').id, corpus.progIds()[0]!]) {
      const theirs = Object.keys(await bpftoolJson<Record<string, unknown>>(['prog', 'show', 'id', String(id)]));
      const result = await bpfscope(['show', 'prog', String(id), '--json']);
      const ours = Object.keys(parseJsonExact<Record<string, unknown>>(result.stdout));
      expect(ours.slice(0, theirs.length)).toEqual(theirs);
      expect(ours.slice(-2)).toEqual(['attach_points', 'summary']);
      const text = await bpfscope(['show', 'prog', String(id)]);
      expect(text.stdout).toMatch(/\n\tsummary: Runs on .+\n$/);
    }
    // bpftool's own text is unchanged above our lines.
    expect(execFileSync('bpftool', ['prog', 'show', 'id', String(fixtures.program('count_getpid').id)], { encoding: 'utf8' }).length).toBeGreaterThan(0);
  });

  it('graph --json agrees with bpfscope ls progs|maps|links and with show prog\'s summary of each program', async () => {
    type Listed = Array<{ id: number; name?: string; type: string | number }>;
    const kinds = [['prog', 'progs'], ['map', 'maps'], ['link', 'links']] as const;
    const lists = () => Promise.all(kinds.map(async ([, verb]) => parseJsonExact<Listed>((await bpfscope(['ls', verb, '--json'])).stdout)));
    const before = await lists();
    const graph = await graphJson();
    const after = await lists();
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    kinds.forEach(([kind], i) => {
      const still = new Set(after[i]!.map((o) => o.id));
      const either = new Set([...before[i]!, ...after[i]!].map((o) => o.id));
      const stable = before[i]!.filter((o) => still.has(o.id));
      expect(stable.length, kind).toBeGreaterThan(0);
      for (const o of stable) {
        expect(graph.nodes.filter((n) => n.id === `${kind}:${o.id}`), `${kind}:${o.id}`).toHaveLength(1);
        const node = nodes.get(`${kind}:${o.id}`)!;
        expect(node.type, `${kind}:${o.id}`).toBe(String(o.type));
        // ls prints the kernel's 15-character name; the graph the program's full function name.
        if (kind === 'prog') expect(node.name.startsWith(o.name ?? ''), `${node.name} / ${o.name}`).toBe(true);
        if (kind === 'map') expect(node.name, `map:${o.id}`).toBe(o.name ?? '');
      }
      // Nothing the listings never saw.
      for (const n of graph.nodes.filter((x) => x.kind === kind)) expect(either.has(Number(n.id.slice(kind.length + 1))), n.id).toBe(true);
    });

    const keys = { read: 'reads', write: 'writes', emit: 'emits', jump: 'jumps' } as const;
    const steady = new Set([fixtures.report.pid, ...corpus.tools.map((t) => t.pid)]);
    const ids = [
      ...corpus.progIds(), netTools.xdp.id, netTools.tc.id, netTools.cgroupSkb.id, ...accessIds.values(),
      ...['count_getpid', 'tail_a', 'emit_getppid', 'raw_sys_enter', 'iter_tasks'].map((n) => fixtures.program(n).id),
    ];
    for (const id of ids) {
      const prog = `prog:${id}`;
      const s = await summaryOf(id);
      const toMaps = graph.edges.filter((e) => e.from === prog && e.to.startsWith('map:'));
      for (const [access, key] of Object.entries(keys) as Array<[keyof typeof keys, (typeof keys)[keyof typeof keys]]>) {
        const fromGraph = toMaps.filter((e) => e.access.includes(access)).map((e) => `${e.to}${e.inner ? ' inner' : ''}`).sort();
        // The summary says "a map in OUTER"; the graph draws the maps OUTER holds now (bpftool's dump: their ids), or OUTER when it holds none.
        const fromShow = (await Promise.all(s[key].map(async (m) => {
          if (!m.inner) return [`map:${m.id}`];
          const held = await innerMapIds(m.id);
          return (held.length > 0 ? held : [m.id]).map((id) => `map:${id} inner`);
        }))).flat();
        expect([...new Set(fromShow)].sort(), `${prog} ${key}`).toEqual(fromGraph);
      }
      // Where it runs: each attach point of the summary is an edge into the program (or into its link) from
      // the attach point, from the prog_array whose slot holds it, or from the struct_ops map registering it.
      const into = graph.edges.filter((e) => e.to === prog && e.access.includes('runs')).map((e) => e.from);
      const expectedFrom: string[] = [];
      for (const point of s.runs_on) {
        const mapInTarget = /\(map (\d+)\)/.exec(point.target)?.[1];
        if (point.mechanism === 'prog_array' || point.mechanism === 'struct_ops_map') {
          expectedFrom.push(`map:${mapInTarget}`);
          continue;
        }
        const via = point.link_id === undefined ? prog : `link:${point.link_id}`;
        if (via !== prog) expectedFrom.push(via);
        // A perf event's attach point is the event, not the fd a process holds it by.
        const hook = `${point.kind} ${point.target.replace(/ \(pid \d+ [^)]*, fd \d+\)$/, '')}`;
        const attach = graph.nodes.find((n) => n.kind === 'attach' && n.name === hook);
        expect(attach, `${prog} runs on ${hook}`).toBeDefined();
        expect(graph.edges.some((e) => e.from === attach!.id && e.to === via && e.access.includes('runs')), `${attach!.id} -> ${via}`).toBe(true);
        if (via === prog) expectedFrom.push(attach!.id);
      }
      expect([...new Set(into)].sort(), `${prog}: what runs it`).toEqual([...new Set(expectedFrom)].sort());
      // Holders: the tools that hold it for good (another process enumerating programs holds each for a moment).
      const holders = graph.edges.filter((e) => e.to === prog && e.access.includes('holds')).map((e) => Number(e.from.slice(5))).filter((pid) => steady.has(pid));
      expect(s.held_by.map((h) => h.pid).filter((pid) => steady.has(pid)).sort(), prog).toEqual(holders.sort());
    }
  });

  it('summaries of programs iproute2 and bpftool loaded: the device, hook or cgroup, no holder, the map each bumps; the same from their object files', async () => {
    const where = {
      [netTools.xdp.id]: `Runs on xdp ${netTools.ifname} (ifindex ${netTools.ifindex}, netns host, generic)`,
      [netTools.tc.id]: `Runs on tc ${netTools.ifname} (ifindex ${netTools.ifindex}, netns host) clsact/ingress prio `,
      [netTools.cgroupSkb.id]: `Runs on cgroup inet ingress ${netTools.cgroup} `,
    };
    const sections = { [netTools.xdp.id]: 'xdp', [netTools.tc.id]: 'tc', [netTools.cgroupSkb.id]: 'cgroup_skb/ingress' };
    for (const prog of [netTools.xdp, netTools.tc, netTools.cgroupSkb]) {
      const s = await summaryOf(prog.id);
      expect(s.sentence.startsWith(where[prog.id]!), s.sentence).toBe(true);
      // ip and tc exit once the program is attached; bpftool pinned the cgroup program and exited.
      expect(s.held_by.filter((h) => h.comm === 'ip' || h.comm === 'tc' || h.comm === 'bpftool'), s.sentence).toEqual([]);
      if (s.held_by.length === 0) expect(s.sentence).toContain(' · held by no process (kept by what it is attached to) · ');
      // bump(): a lookup in corpus_counts, then an atomic add through the pointer it returned.
      expect({ reads: names(s.reads), writes: names(s.writes), emits: names(s.emits), jumps: names(s.jumps) }, prog.name).toEqual({ reads: ['corpus_counts'], writes: ['corpus_counts'], emits: [], jumps: [] });
      expect(s.untracked).toEqual([]);
      const object = await bpfscope(['--host', `objfile:${prog.object}`, 'show', 'prog', '1', '--json']);
      expect(object.code, object.stderr).toBe(0);
      expect((JSON.parse(object.stdout) as { summary: Summary }).summary.sentence).toBe(`Not loaded (an object file); SEC("${sections[prog.id]}") says where it attaches · reads corpus_counts · writes corpus_counts`);
    }
  });
});

// The tools Debian's bpftrace ships, run by their path as a user runs them: programs this suite
// did not write, with expectations read from each tool's source (/usr/sbin/NAME.bt). bpftrace
// names a map @x AT_x; printf, time, print and clear go out through its perf event array
// `printf`; join() builds its text in a per-CPU map `join`; elapsed reads the start time kept in
// `elapsed`. (runqlat.bt includes linux/sched.h, which Debian's headers do not compile.)
const SHIPPED_TOOLS: Record<string, Record<string, { reads: string[]; writes: string[]; emits: string[] }>> = {
  // @filename[tid] = args->filename; then str(@filename[tid]) printed and deleted.
  opensnoop: {
    sys_enter_open: { reads: [], writes: ['AT_filename'], emits: [] },
    sys_enter_openat: { reads: [], writes: ['AT_filename'], emits: [] },
    sys_exit_open: { reads: ['AT_filename'], writes: ['AT_filename'], emits: ['printf'] },
    sys_exit_openat: { reads: ['AT_filename'], writes: ['AT_filename'], emits: ['printf'] },
  },
  // @syscall[args->id] = count(); @process[comm] = count();
  syscount: { sys_enter: { reads: ['AT_process', 'AT_syscall'], writes: ['AT_process', 'AT_syscall'], emits: [] } },
  // @tpid[tid], @tsig[tid] set on entry; read, printed and deleted on exit.
  killsnoop: {
    sys_enter_kill: { reads: [], writes: ['AT_tpid', 'AT_tsig'], emits: [] },
    sys_exit_kill: { reads: ['AT_tpid', 'AT_tsig'], writes: ['AT_tpid', 'AT_tsig'], emits: ['printf'] },
  },
  // printf(elapsed, pid); join(args->argv)
  execsnoop: {
    sys_enter_execve: { reads: ['elapsed', 'join'], writes: ['join'], emits: ['printf'] },
    sys_enter_execveat: { reads: ['elapsed', 'join'], writes: ['join'], emits: ['printf'] },
  },
  // @ = count() on fork; every second time(), print(@), clear(@) (all sent to bpftrace to do).
  pidpersec: { sched_process_fork: { reads: ['AT_'], writes: ['AT_'], emits: [] }, 'interval:s:1': { reads: [], writes: [], emits: ['printf'] } },
};

describe.skipIf(skip)('summaries of the tools bpftrace ships, which this suite did not write', () => {
  let tools: Array<Awaited<ReturnType<typeof startBpftraceTool>>> = [];
  beforeAll(async () => {
    const started = await Promise.allSettled(Object.keys(SHIPPED_TOOLS).map((name) => startBpftraceTool(name)));
    tools = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }, 180_000);
  afterAll(() => {
    for (const tool of tools) tool.child.kill('SIGKILL');
  });

  it('each program: the probe it runs on, the tool\'s process and command line, the maps its source reads, writes and emits to', async () => {
    const perf = await bpftoolJson<Array<{ prog_id: number; tracepoint?: string }>>(['perf', 'list']);
    const graph = await graphJson();
    for (const tool of tools) {
      const seen: string[] = [];
      for (const id of tool.progIds) {
        const s = await summaryOf(id);
        const holder = s.held_by.find((h) => h.pid === tool.pid);
        expect(holder?.command_line, `${tool.name} prog ${id}`).toBe(readFileSync(`/proc/${tool.pid}/cmdline`, 'utf8').split('\0').slice(0, -1).join(' '));
        expect(holder?.command_line).toMatch(new RegExp(`^\\S*bpftrace /usr/sbin/${tool.name}\\.bt$`));
        expect(s.untracked, `${tool.name} prog ${id}`).toEqual([]);
        const tracepoint = perf.find((p) => p.prog_id === id)?.tracepoint;
        const probe = tracepoint ?? 'interval:s:1';
        if (tracepoint) expect(s.sentence, `${tool.name} prog ${id}`).toContain(`Runs on tracepoint ${tracepoint}`);
        else expect(s.runs_on.map((r) => r.kind), `${tool.name} prog ${id}: ${s.sentence}`).toEqual(['perf_event']);
        const want = SHIPPED_TOOLS[tool.name]![probe];
        expect(want, `${tool.name}: a program on ${probe}`).toBeDefined();
        expect({ reads: names(s.reads), writes: names(s.writes), emits: names(s.emits), jumps: names(s.jumps) }, `${tool.name} ${probe}`).toEqual({ ...want, jumps: [] });
        // The graph says the same, in the tool's own lane.
        expect(graph.nodes.find((n) => n.id === `prog:${id}`)?.cluster, `${tool.name} prog ${id}`).toBe(`proc:${tool.pid}`);
        seen.push(probe);
      }
      expect(seen.sort(), tool.name).toEqual(Object.keys(SHIPPED_TOOLS[tool.name]!).sort());
    }
  });
});
