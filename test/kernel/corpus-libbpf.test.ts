// The libbpf corpus: programs and maps that Debian's libbpf-tools (bcc's CO-RE tools) load with
// their own libbpf skeletons: tp_btf programs behind raw tracepoint links, tracepoint programs
// behind perf_event links, hash, per-CPU, stack trace, ring buffer, perf event and cgroup
// arrays typed by the tools' BTF, and their .rodata and .bss. Compared object by object with
// bpftool, JIT images with GNU objdump, the tools' BTF as C with clang. Which objects to compare
// comes from the tools' /proc/PID/fdinfo (test/helpers/corpus.ts), never from bpfscope.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObj } from '../helpers/bpftool-compare.js';
import { bpftoolJson, parseJsonExact } from '../helpers/cli.js';
import {
  eachLimited, expectJitLikeObjdump, expectListedLikeBpftoolAll, expectMapDumpsLikeBpftool, expectMapShownLikeBpftool,
  expectPerfListedLikeBpftool, expectProgDumpsLikeBpftool, expectProgramsBtfLikeBpftool, expectProgShownLikeBpftool, ok,
} from '../helpers/corpus-checks.js';
import { LIBBPF_TOOLS, startLibbpfTools, type Corpus } from '../helpers/corpus.js';
import { ensureKernelEnvWith } from '../helpers/kernel-env.js';

const skip = ensureKernelEnvWith(['objdump', 'clang', ...LIBBPF_TOOLS]);
let corpus: Corpus;
let dir: string;
const counted = new Map<string, number>();

function count(what: string, n = 1): void {
  counted.set(what, (counted.get(what) ?? 0) + n);
}

type AttachPoint = { mechanism: string; kind: string; target: string; link_id?: number };
type LinkJson = JsonObj & { type: string; prog_id: number; tp_name?: string };
type PerfJson = { pid: number; fd: number; prog_id: number; fd_type: string; tracepoint?: string };

describe.skipIf(skip)('corpus: programs loaded by libbpf-tools, compared with bpftool', () => {
  beforeAll(async () => {
    corpus = await startLibbpfTools();
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-libbpf-corpus-'));
  }, 120_000);
  afterAll(async () => {
    await corpus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (counted.size > 0) console.log(`libbpf corpus comparisons: ${[...counted].map(([what, n]) => `${what} ${n}`).join(', ')}`);
  });

  it('the tools loaded tp_btf and tracepoint programs and the map kinds they are chosen for', async () => {
    const progs = (await bpftoolJson<Array<JsonObj & { type: string }>>(['prog', 'show'])).filter((p) => corpus.progIds().includes(p.id));
    expect(new Set(progs.map((p) => p.type))).toEqual(new Set(['tracing', 'tracepoint']));
    const maps = (await bpftoolJson<Array<JsonObj & { type: string; name: string }>>(['map', 'show'])).filter((m) => corpus.mapIds().includes(m.id));
    for (const type of ['hash', 'array', 'percpu_array', 'stack_trace', 'perf_event_array', 'ringbuf', 'cgroup_array']) {
      expect(maps.map((m) => m.type), type).toContain(type);
    }
    expect(maps.some((m) => m.name.endsWith('.rodata')) && maps.some((m) => m.name.endsWith('.bss'))).toBe(true);
  });

  it('show prog and show map: bpftool\'s keys and values, text and JSON; each program held by its tool', async () => {
    const holder = new Map(corpus.tools.flatMap((tool) => tool.progIds.map((id) => [id, { pid: tool.pid, comm: tool.name }] as const)));
    await eachLimited(corpus.progIds(), 3, async (id) => {
      const { pids } = (await expectProgShownLikeBpftool(id, count)) as JsonObj & { pids: Array<{ pid: number; comm: string }> };
      expect(pids, `prog ${id}`).toContainEqual(holder.get(id));
    });
    await eachLimited(corpus.mapIds(), 3, (id) => expectMapShownLikeBpftool(id, count));
  });

  it('ls progs, maps and links: every object the tools hold listed as bpftool lists it', async () => {
    await expectListedLikeBpftoolAll('prog', corpus.progIds(), count);
    await expectListedLikeBpftoolAll('map', corpus.mapIds(), count);
    await expectListedLikeBpftoolAll('link', corpus.linkIds(), count);
  });

  it('show prog: each program attached where its link says (raw tracepoint names from the link, tracepoints from bpftool perf list), or nowhere', async () => {
    const links = (await bpftoolJson<LinkJson[]>(['link', 'show'])).filter((l) => corpus.linkIds().includes(l.id));
    const perf = await bpftoolJson<PerfJson[]>(['perf', 'list']);
    for (const id of corpus.progIds()) {
      const { attach_points: points } = parseJsonExact<JsonObj & { attach_points: AttachPoint[] }>(await ok(['show', 'prog', String(id), '--json']));
      const expected = links.filter((l) => l.prog_id === id).map((l) => {
        // bpftool 7.1 names a perf_event link's tracepoint nowhere but in perf list (BPF_TASK_FD_QUERY).
        const target = l.type === 'raw_tracepoint' ? l.tp_name : perf.find((p) => p.prog_id === id && p.fd_type === 'tracepoint')?.tracepoint;
        return { mechanism: 'link', kind: l.type === 'raw_tracepoint' ? 'raw_tracepoint' : 'tracepoint', target, link_id: l.id };
      });
      expect(points, `prog ${id}`).toEqual(expected);
      // A program its tool loaded but did not attach (syscount's sys_enter, for -L) runs nowhere.
      if (expected.length === 0) expect(await ok(['show', 'prog', String(id)]), `prog ${id}`).toContain('\tattached: nowhere\n');
      count('attach points');
    }
    expect(links.length).toBeGreaterThanOrEqual(corpus.tools.length);
  });

  it('dump prog (plain, linum, opcodes; text and JSON) as bpftool prog dump xlated, the JIT image as objdump reads it', async () => {
    await eachLimited(corpus.progIds(), 3, async (id) => {
      // The tools are built with BTF line info: the listings carry their C source.
      expect(await expectProgDumpsLikeBpftool(id, `prog ${id}`, count), `prog ${id}: source lines`).toBeGreaterThan(0);
      await expectJitLikeObjdump(id, `prog ${id}`, count);
    });
  });

  it('dump map: bpftool map dump, JSON (BTF-formatted) and text, for every map the tools hold', { timeout: 300_000 }, async () => {
    await expectMapDumpsLikeBpftool(corpus.mapIds(), count);
  });

  it('each tool\'s BTF as bpftool btf dump, raw and C, and the C compiles', async () => {
    expect(await expectProgramsBtfLikeBpftool(corpus.progIds(), dir, count)).toBeGreaterThanOrEqual(corpus.tools.length);
  });

  it('ls perf: the tracepoint perf events each tool holds, as bpftool perf list', async () => {
    await expectPerfListedLikeBpftool(new Set(corpus.tools.map((t) => t.pid)), 1, count);
  });
});
