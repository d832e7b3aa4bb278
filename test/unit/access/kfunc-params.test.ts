// What kfuncs do with their arguments, read from this kernel's BTF, against the prototypes the
// fixtures' C sources declare for the same kfuncs (`extern … __ksym;`): a pointer to const is
// read, a plain pointer is not known, anything else is a scalar.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kfuncParams, type KfuncParam } from '../../../main/kernel/access/index.js';
import { parseBtf } from '../../../main/kernel/btf/index.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const SOURCES = join(import.meta.dirname, '../../fixtures/bpf');

/** Every `extern RET NAME(PARAMS) __ksym;` of the fixture sources, each parameter classified from its C text. */
function declaredKfuncs(): Map<string, KfuncParam[]> {
  const out = new Map<string, KfuncParam[]>();
  for (const file of readdirSync(SOURCES).filter((f) => f.endsWith('.c'))) {
    for (const m of readFileSync(join(SOURCES, file), 'utf8').matchAll(/^extern [^(]*?(\w+)\(([^)]*)\) __ksym;$/gm)) {
      out.set(m[1]!, m[2]!.split(',').map((p): KfuncParam => (!p.includes('*') ? 'scalar' : /\bconst\b/.test(p.slice(0, p.indexOf('*'))) ? 'reads' : 'pointer')));
    }
  }
  return out;
}

describe.runIf(existsSync(VMLINUX))('kfunc parameters from the kernel\'s BTF', () => {
  it('match what the fixtures declare for the kfuncs they call', () => {
    const btf = parseBtf(new Uint8Array(readFileSync(VMLINUX)));
    const declared = declaredKfuncs();
    expect([...declared.keys()].sort()).toEqual(['bpf_stream_vprintk_impl', 'tcp_reno_cong_avoid', 'tcp_reno_ssthresh', 'tcp_reno_undo_cwnd']);
    for (const [name, params] of declared) expect(kfuncParams(btf, name), name).toEqual(params);
    expect(kfuncParams(btf, 'bpf_stream_vprintk_impl')).toEqual(['scalar', 'reads', 'reads', 'scalar', 'pointer']);
    expect(kfuncParams(btf, 'no_such_kfunc')).toBeUndefined();
  });
});
