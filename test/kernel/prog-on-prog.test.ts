// Programs on programs, on recorded kernel bytes: this kernel refuses fentry/fexit at load (EPERM)
// and freplace too, so no such link can exist here. The snapshot below holds this machine's real
// objects plus records written from the 6.18 uapi layout (test/helpers/recorded-kernel.ts):
// tracing links, and the programs behind them as real program records (the printk fixture's)
// with type and attach_btf_obj_id/attach_btf_id set as the kernel sets them once attached.
// The target is a real loaded program whose real BTF names the function.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Btf } from '../../main/kernel/btf/index.js';
import { decodeBtfInfo, decodeProgInfo } from '../../main/kernel/info/index.js';
import { openLocalHost } from '../../main/hosts/host-access.js';
import type { Host, RawLinkInfo, RawProgInfo } from '../../main/hosts/host.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { writeSnapshot } from '../../main/hosts/snapshot-writer.js';
import { bpfscope, parseJsonExact } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { patchedProgInfo, rawLink, recordedHost, tracingLinkInfo } from '../helpers/recorded-kernel.js';

const skip = ensureKernelEnv();
const BPF_PROG_TYPE_TRACING = 26;
const BPF_PROG_TYPE_EXT = 28;
const BPF_TRACE_FENTRY = 24;
const BPF_TRACE_FEXIT = 25;
/** Recorded ids, far above the ids this kernel hands out during the test. */
const FENTRY_PROG = 0x7fff0001;
const FREPLACE_PROG = 0x7fff0002;
const KERNEL_FEXIT_PROG = 0x7fff0003;
const FENTRY_LINK = 0x7fff0011;
const FREPLACE_LINK = 0x7fff0012;
const KERNEL_FEXIT_LINK = 0x7fff0013;

let fixtures: LoadedFixtures;
let local: Host;
let dir: string;
let snapshot: string;
let targetId: number;
let funcId: number;
let vmlinuxId: number;

function funcIdOf(btf: Btf, name: string): number {
  for (let id = btf.firstId; id < btf.typeCount; id++) {
    const type = btf.type(id);
    if (type.kind === 'func' && type.name === name) return id;
  }
  throw new Error(`no function ${name} in BTF`);
}

async function run(args: string[]): Promise<string> {
  const result = await bpfscope([...args, '--host', `snapshot:${snapshot}`]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe.skipIf(skip)('programs on programs (recorded link and program records, real target)', () => {
  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['printk'] });
    local = await openLocalHost();
    const session = new HostSession(local);
    targetId = fixtures.program('printk_getegid', 'printk').id;
    const target = decodeProgInfo((await local.progInfo(targetId, false))!.info);
    const btf = await session.btf(target.btfId!);
    funcId = funcIdOf(btf, 'printk_getegid');
    const getpgid = funcIdOf(await session.vmlinuxBtf(), '__x64_sys_getpgid');
    for (const id of await local.listIds('btf')) {
      const raw = await local.btfInfo(id);
      if (raw && decodeBtfInfo(raw.info, raw.name).name === 'vmlinux') vmlinuxId = id;
    }
    const real = (await local.progInfo(fixtures.program('printk_geteuid', 'printk').id, true))!;
    const prog = (id: number, type: number, attachBtfObjId: number, attachBtfId: number): RawProgInfo => ({ ...real, id, info: patchedProgInfo(real.info, { id, type, attachBtfObjId, attachBtfId }) });
    const link = (id: number, progId: number, attachType: number, targetObjId: number, targetBtfId: number): RawLinkInfo =>
      rawLink(id, tracingLinkInfo({ id, progId, attachType, targetObjId, targetBtfId }));
    const host = recordedHost(local, {
      progs: new Map([
        // Attached to a program: the kernel cleared dst_prog, so attach_btf_obj_id reads 0.
        [FENTRY_PROG, prog(FENTRY_PROG, BPF_PROG_TYPE_TRACING, 0, funcId)],
        [FREPLACE_PROG, prog(FREPLACE_PROG, BPF_PROG_TYPE_EXT, 0, funcId)],
        // Attached to a kernel function: attach_btf_obj_id is vmlinux's BTF id.
        [KERNEL_FEXIT_PROG, prog(KERNEL_FEXIT_PROG, BPF_PROG_TYPE_TRACING, vmlinuxId, getpgid)],
      ]),
      links: new Map([
        [FENTRY_LINK, link(FENTRY_LINK, FENTRY_PROG, BPF_TRACE_FENTRY, targetId, funcId)],
        // freplace links carry the program's expected attach type, 0.
        [FREPLACE_LINK, link(FREPLACE_LINK, FREPLACE_PROG, 0, targetId, funcId)],
        [KERNEL_FEXIT_LINK, link(KERNEL_FEXIT_LINK, KERNEL_FEXIT_PROG, BPF_TRACE_FEXIT, vmlinuxId, getpgid)],
      ]),
    });
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-prog-on-prog-'));
    snapshot = join(dir, 'recorded.bpfsnap');
    await writeSnapshot(host, snapshot, { maps: 'none', maxEntries: 0, withVmlinux: false });
  }, 120_000);
  afterAll(async () => {
    await local?.close();
    await fixtures?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('show prog of the target lists what extends it, with the function named from its BTF', async () => {
    const text = await run(['show', 'prog', String(targetId)]);
    expect(text).toContain(`\textended by: fentry prog ${FENTRY_PROG} (printk_geteuid) on printk_getegid() (link ${FENTRY_LINK})\n`);
    expect(text).toContain(`\textended by: freplace prog ${FREPLACE_PROG} (printk_geteuid) on printk_getegid() (link ${FREPLACE_LINK})\n`);
    expect(text).not.toContain(`prog ${KERNEL_FEXIT_PROG}`);
    const json = parseJsonExact<{ extended_by: unknown[] }>(await run(['show', 'prog', String(targetId), '--json']));
    expect(json.extended_by).toEqual([
      { prog_id: FENTRY_PROG, name: 'printk_geteuid', kind: 'fentry', func: 'printk_getegid', func_btf_id: funcId, link_id: FENTRY_LINK },
      { prog_id: FREPLACE_PROG, name: 'printk_geteuid', kind: 'freplace', func: 'printk_getegid', func_btf_id: funcId, link_id: FREPLACE_LINK },
    ]);
  });

  it('show prog of the extending program says which program and function it runs on', async () => {
    expect(await run(['show', 'prog', String(FENTRY_PROG)])).toContain(`\tattached: fentry printk_getegid() of prog ${targetId} (printk_getegid) (link ${FENTRY_LINK})\n`);
    expect(await run(['show', 'prog', String(FREPLACE_PROG)])).toContain(`\tattached: freplace printk_getegid() of prog ${targetId} (printk_getegid) (link ${FREPLACE_LINK})\n`);
    const points = parseJsonExact<{ attach_points: Array<{ kind: string; target: string }> }>(await run(['show', 'prog', String(KERNEL_FEXIT_PROG), '--json'])).attach_points;
    // A kernel function's target_obj_id is vmlinux's BTF id, never read as a program id.
    expect(points).toEqual([expect.objectContaining({ kind: 'trace_fexit', target: expect.stringMatching(new RegExp(`^btf ${vmlinuxId}:`)) })]);
  });

  it('the graph runs the extending programs from the target program', async () => {
    const graph = JSON.parse(await run(['graph', '--json'])) as { edges: Array<{ from: string; to: string; access: string[] }> };
    const runs = (from: string, to: string) => graph.edges.some((e) => e.from === from && e.to === to && e.access.includes('runs'));
    expect(runs(`prog:${targetId}`, `link:${FENTRY_LINK}`)).toBe(true);
    expect(runs(`link:${FENTRY_LINK}`, `prog:${FENTRY_PROG}`)).toBe(true);
    expect(runs(`prog:${targetId}`, `link:${FREPLACE_LINK}`)).toBe(true);
    expect(runs(`prog:${vmlinuxId}`, `link:${KERNEL_FEXIT_LINK}`)).toBe(false);
  });
});
