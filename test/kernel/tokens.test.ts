// BPF token delegation on a real bpffs: a mount with delegate options made here (root in the
// initial user namespace may mount one; tokens themselves are only created from a bpffs mounted
// in a user namespace), listed by `bpfscope token list` as `bpftool token list` would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { bpfscope } from '../helpers/cli.js';

const skip = ensureKernelEnv();
let dir: string;

const OPTIONS = 'delegate_cmds=prog_load:map_create:btf_load,delegate_maps=array:hash,delegate_progs=kprobe:xdp,delegate_attachs=any';

describe.skipIf(skip)('token list (a real delegating bpffs)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpfscope token '));
    execFileSync('mount', ['-t', 'bpf', '-o', OPTIONS, 'bpf', dir]);
  });
  afterAll(() => {
    if (!dir) return;
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true });
  });

  it('lists the mount with the sets the kernel shows for it, in the kernel order', async () => {
    const json = await bpfscope(['token', 'list', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const mine = (JSON.parse(json.stdout) as Array<Record<string, unknown>>).find((t) => t.token_info === dir);
    // The kernel prints each set in its own enum order, whatever order the mount named them in.
    expect(mine).toEqual({
      token_info: dir,
      allowed_cmds: ['map_create', 'prog_load', 'btf_load'],
      allowed_maps: ['hash', 'array'],
      allowed_progs: ['kprobe', 'xdp'],
      allowed_attachs: ['any'],
    });
    const text = await bpfscope(['token', 'show']);
    expect(text.stdout).toContain(`token_info  ${dir}\n\tallowed_cmds:\n\t  map_create          prog_load           btf_load            \n\tallowed_maps:\n\t  hash                array               \n`);
  });

  it('leaves out bpffs mounts that delegate nothing', async () => {
    const listed = JSON.parse((await bpfscope(['token', 'list', '--json'])).stdout) as Array<{ token_info: string }>;
    expect(listed.map((t) => t.token_info)).not.toContain('/sys/fs/bpf');
  });

  it('refuses words it does not know', async () => {
    const result = await bpfscope(['token', 'create']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bpfscope token list|show');
  });
});
