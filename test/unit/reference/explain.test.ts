// explain: every helper id, program, map, attach and link type this kernel's BTF knows has an
// entry (prototype and our one-line description, or the type's explanation); kfuncs from BTF;
// the kernel's helper text found in a header or man page of the same shape as the real ones.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBtf, type Btf } from '../../../main/kernel/btf/index.js';
import { helperName } from '../../../main/kernel/isa/index.js';
import { ATTACH_TYPE_NAMES, LINK_TYPE_NAMES, MAP_TYPE_NAMES, PROG_TYPE_NAMES } from '../../../main/kernel/names/index.js';
import { explainName, explanationText, helperManualFromMan, helperManualText, kfuncExplanation, typeReferences } from '../../../main/kernel/reference/explain.js';
import { allHelpers, helperReference } from '../../../main/kernel/reference/helpers.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';
let vmlinux: Btf | undefined;
const kernelBtf = (): Btf => (vmlinux ??= parseBtf(new Uint8Array(readFileSync(VMLINUX))));

/** The enumerators of an enum in the kernel's BTF. */
function enumerators(name: string): Array<{ name: string; value: number }> {
  const [type] = kernelBtf().findByName(name, 'enum');
  if (!type || type.kind !== 'enum') throw new Error(`no enum ${name}`);
  return type.values.map((v) => ({ name: v.name, value: Number(v.value) }));
}

describe('explain: the tables', () => {
  it('has a prototype and description for helpers 1…211, named as the disassembler names them', () => {
    const helpers = allHelpers();
    expect(helpers).toHaveLength(211);
    for (const h of helpers) {
      expect(h.name, `id ${h.id}`).toBe(helperName(h.id));
      expect(h.prototype).toContain(`${h.name}(`);
      expect(h.description.length, h.name).toBeGreaterThan(10);
      expect(h.arity).toBeLessThanOrEqual(5);
    }
    expect(helperReference('map_update_elem')).toMatchObject({ id: 2, arity: 4, pointerArgs: [true, true, true, false] });
    expect(helperReference('bpf_trace_printk')?.arity).toBe(5);
    expect(helperReference('ktime_get_ns')?.arity).toBe(0);
  });

  it('explains every program, map, attach and link type by name, once', () => {
    for (const [kind, names] of [['prog', PROG_TYPE_NAMES], ['map', MAP_TYPE_NAMES], ['attach', ATTACH_TYPE_NAMES], ['link', LINK_TYPE_NAMES]] as const) {
      const known = typeReferences(kind).map((t) => t.name);
      expect(new Set(known).size, kind).toBe(known.length);
      expect(known, kind).toEqual(names.filter((n) => n !== 'unspec'));
      for (const t of typeReferences(kind)) {
        expect(t.since, `${kind} ${t.name}`).toMatch(/^\d\.\d+$/);
        expect(t.docs).toMatch(/^https:\/\/docs\.kernel\.org\//);
        expect(t.what.length).toBeGreaterThan(10);
      }
    }
  });

  it('reads names as users write them', () => {
    expect(explainName('BPF_FUNC_ringbuf_output').map((e) => e.kind)).toEqual(['helper']);
    expect(explainName('bpf_ringbuf_output')).toEqual(explainName('ringbuf_output'));
    expect(explainName('xdp').map((e) => (e.kind === 'type' ? e.type.kind : e.kind))).toEqual(['prog', 'attach', 'link']);
    expect(explainName('prog:xdp')).toHaveLength(1);
    expect(explainName('BPF_PROG_TYPE_SCHED_CLS')).toEqual(explainName('prog:sched_cls'));
    expect(explainName('BPF_CGROUP_INET_INGRESS')).toEqual(explainName('attach:cgroup_inet_ingress'));
    expect(explainName('BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED')).toEqual(explainName('map:cgroup_storage'));
    expect(explainName('no_such_thing')).toEqual([]);
    expect(explanationText(explainName('map:ringbuf')[0]!)).toMatch(/^map type ringbuf \(Linux 5\.8\)\n\t.+\n\tused through: .+\n\tSEC\(\): "\.maps"\n\tneeds: .+\n\tdocs: https:/);
  });

  it('finds a helper\'s text in a uapi header and in a bpf-helpers(7) page of the same shape', () => {
    const header = [
      '/* ...', ' * long bpf_first(void *a)', ' * \tDescription', ' * \t\tFirst line.', ' * \tReturn', ' * \t\t0.', ' *',
      ' * void *bpf_second(void *map, const void *key)', ' * \tDescription', ' * \t\tSecond helper.', ' */',
    ].join('\n');
    expect(helperManualText(header, 'bpf_second')).toBe('void *bpf_second(void *map, const void *key)\nDescription\n\tSecond helper.');
    expect(helperManualText(header, 'bpf_first')).toBe('long bpf_first(void *a)\nDescription\n\tFirst line.\nReturn\n\t0.');
    expect(helperManualText(header, 'bpf_third')).toBeUndefined();
    const groff = [
      '.TP', '.B \\fBlong bpf_first(void *\\fP\\fIa\\fP\\fB)\\fP', '.INDENT 7.0', '.TP', '.B Description', 'Uses \\fIa\\fP\\&.', '.TP', '.B Return', '0.', '.UNINDENT',
      '.TP', '.B \\fBlong bpf_second(void)\\fP', '.B Description', 'Other.', '.SH EXAMPLES', 'x',
    ].join('\n');
    expect(helperManualFromMan(groff, 'bpf_first')).toBe('long bpf_first(void *a)\nDescription\nUses a.\nReturn\n0.');
    expect(helperManualFromMan(groff, 'bpf_second')).toBe('long bpf_second(void)\nDescription\nOther.');
  });
});

describe.runIf(existsSync(VMLINUX))('explain: what this kernel reports', () => {
  it('every helper id of enum bpf_func_id', () => {
    const ids = enumerators('bpf_func_id').filter((e) => e.name !== '__BPF_FUNC_MAX_ID');
    expect(ids.length).toBeGreaterThanOrEqual(212);
    for (const { name, value } of ids) {
      if (value === 0) continue; // BPF_FUNC_unspec
      const [entry] = explainName(name);
      expect(entry?.kind, name).toBe('helper');
      if (entry?.kind === 'helper') expect(entry.helper.id, name).toBe(value);
    }
  });

  it('every program, map, attach and link type of the kernel\'s enums', () => {
    const enums = [['bpf_prog_type', 'prog', /^BPF_PROG_TYPE_UNSPEC$|^__MAX/], ['bpf_map_type', 'map', /^BPF_MAP_TYPE_UNSPEC$|^__MAX/], ['bpf_attach_type', 'attach', /^__MAX/], ['bpf_link_type', 'link', /^BPF_LINK_TYPE_UNSPEC$|^__MAX|^MAX_/]] as const;
    for (const [name, kind, skip] of enums) {
      const values = enumerators(name).filter((e) => !skip.test(e.name));
      expect(values.length, name).toBeGreaterThan(10);
      for (const e of values) expect(explainName(`${kind}:${e.name}`).length, `${name} ${e.name}`).toBe(1);
    }
  });

  it('every kfunc tagged in the kernel\'s BTF, with its prototype', () => {
    const btf = kernelBtf();
    const tags = btf.findByName('bpf_kfunc', 'decl_tag');
    expect(tags.length).toBeGreaterThan(50);
    for (const tag of tags) {
      if (tag.kind !== 'decl_tag') continue;
      const name = btf.type(tag.type).name;
      const entry = kfuncExplanation(btf, name);
      expect(entry, name).toMatchObject({ kind: 'kfunc', name, prototype: expect.stringContaining(`${name}(`) });
    }
    expect(kfuncExplanation(btf, 'tcp_sendmsg')).toBeUndefined();
  });
});
