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
import { openLocalHost } from '../../main/hosts/host-access.js';
import type { Host } from '../../main/hosts/host.js';
import { bpfscope, parseJsonExact } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { RECORDED, writeExtensionSnapshot } from '../helpers/recorded-kernel.js';

const skip = ensureKernelEnv();
const { fentryProg: FENTRY_PROG, freplaceProg: FREPLACE_PROG, kernelFexitProg: KERNEL_FEXIT_PROG, fentryLink: FENTRY_LINK, freplaceLink: FREPLACE_LINK, kernelFexitLink: KERNEL_FEXIT_LINK } = RECORDED;

let fixtures: LoadedFixtures;
let local: Host;
let dir: string;
let snapshot: string;
let targetId: number;
let funcId: number;
let vmlinuxId: number;

async function run(args: string[]): Promise<string> {
  const result = await bpfscope([...args, '--host', `snapshot:${snapshot}`]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe.skipIf(skip)('programs on programs (recorded link and program records, real target)', () => {
  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['printk'] });
    local = await openLocalHost();
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-prog-on-prog-'));
    snapshot = join(dir, 'recorded.bpfsnap');
    ({ targetId, funcId, vmlinuxId } = await writeExtensionSnapshot(local, fixtures.program('printk_getegid', 'printk').id, fixtures.program('printk_geteuid', 'printk').id, snapshot));
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
