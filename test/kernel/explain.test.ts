// bpfscope explain through the real command: a helper with the kernel's own text read from the
// host's uapi header at run time, a kfunc from the running kernel's BTF, a type, and a refusal.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bpfscope } from '../helpers/cli.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
const HEADER = '/usr/include/linux/bpf.h';

describe.skipIf(skip)('explain', () => {
  it('a helper: our line, and the kernel\'s text from the host\'s uapi header', async () => {
    const result = await bpfscope(['explain', 'BPF_FUNC_ringbuf_reserve']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^helper bpf_ringbuf_reserve \(id 131\)\n\tvoid \*bpf_ringbuf_reserve\(void \*ringbuf, __u64 size, __u64 flags\)\n\tReserves room/);
    if (existsSync(HEADER) && readFileSync(HEADER, 'utf8').includes('bpf_ringbuf_reserve(')) {
      expect(result.stdout).toContain(`from ${HEADER} on local:`);
      expect(result.stdout).toMatch(/\tDescription\n/);
    }
  });

  it('a kfunc from this kernel\'s BTF, a type, JSON, and a name that is nothing', async () => {
    const kfunc = await bpfscope(['explain', 'bpf_rcu_read_lock']);
    expect(kfunc.stdout).toBe("kfunc bpf_rcu_read_lock (from this kernel's BTF)\n\tvoid bpf_rcu_read_lock(void)\n");
    const type = await bpfscope(['explain', 'tcx_ingress']);
    expect(type.stdout).toMatch(/^attach type tcx_ingress \(Linux 6\.6\)\n/);
    const json = JSON.parse((await bpfscope(['explain', 'ringbuf', '--json'])).stdout) as Array<{ kind: string; type?: { kind: string } }>;
    expect(json.map((e) => e.type?.kind ?? e.kind)).toEqual(['map']);
    const none = await bpfscope(['explain', 'no_such_helper']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/nothing called 'no_such_helper'/);
    expect((await bpfscope(['explain'])).code).toBe(2);
  });
});
