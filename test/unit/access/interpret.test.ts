// The access analysis on hand-encoded xlated code: the verifier's inlined lookups (array,
// per-CPU array, hash, LRU hash, map-in-map) as Linux 6.18 emits them, calls named by kernel
// function, and the flows it must report as untracked instead of guessing.
import { describe, expect, it } from 'vitest';
import { analyzeMapAccess, helperForSymbol, type AccessEnvironment } from '../../../main/kernel/access/index.js';
import type { CallInstruction } from '../../../main/kernel/isa/index.js';

// Encoding: code | src<<4|dst | off (s16 LE) | imm (s32 LE).
function insn(code: number, dst: number, src: number, off: number, imm: number): number[] {
  const b = new DataView(new ArrayBuffer(8));
  b.setUint8(0, code);
  b.setUint8(1, (src << 4) | dst);
  b.setInt16(2, off, true);
  b.setInt32(4, imm, true);
  return [...new Uint8Array(b.buffer)];
}
const ldMap = (dst: number, id: number) => [...insn(0x18, dst, 1, 0, id), ...insn(0, 0, 0, 0, 0)];
const ldMapValue = (dst: number, id: number, off: number) => [...insn(0x18, dst, 2, 0, id), ...insn(0, 0, 0, 0, off)];
const movReg = (dst: number, src: number) => insn(0xbf, dst, src, 0, 0);
const movImm = (dst: number, imm: number) => insn(0xb7, dst, 0, 0, imm);
const addImm = (dst: number, imm: number) => insn(0x07, dst, 0, 0, imm);
const addReg = (dst: number, src: number) => insn(0x0f, dst, src, 0, 0);
const lshImm = (dst: number, imm: number) => insn(0x67, dst, 0, 0, imm);
const ldxDw = (dst: number, src: number, off: number) => insn(0x79, dst, src, off, 0);
const ldxW = (dst: number, src: number, off: number) => insn(0x61, dst, src, off, 0);
const ldxB = (dst: number, src: number, off: number) => insn(0x71, dst, src, off, 0);
const stxDw = (dst: number, src: number, off: number) => insn(0x7b, dst, src, off, 0);
const stB = (dst: number, off: number, imm: number) => insn(0x72, dst, 0, off, imm);
const atomicAdd = (dst: number, src: number, off: number) => insn(0xdb, dst, src, off, 0);
const percpuAddr = (dst: number, src: number) => insn(0xbf, dst, src, -1, 0);
const jeq0 = (dst: number, off: number) => insn(0x15, dst, 0, off, 0);
const jne0 = (dst: number, off: number) => insn(0x55, dst, 0, off, 0);
const jgeImm = (dst: number, imm: number, off: number) => insn(0x35, dst, 0, off, imm);
const goto = (off: number) => insn(0x05, 0, 0, off, 0);
/** A helper call in xlated code: the imm is an address; `calls` names it. */
const call = (imm: number) => insn(0x85, 0, 0, 0, imm);
const exit = () => insn(0x95, 0, 0, 0, 0);

function program(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

const MAP_TYPES: Record<number, number> = { 10: 2 /* array */, 11: 6 /* percpu_array */, 12: 1 /* hash */, 13: 9 /* lru_hash */, 14: 12 /* array_of_maps */, 15: 5 /* percpu_hash */, 16: 27 /* ringbuf */, 17: 3 /* prog_array */ };

/** Calls are named by the imm: small numbers stand for kernel functions listed here. */
function env(names: Record<number, string>, extra: Partial<AccessEnvironment> = {}): AccessEnvironment {
  return {
    callName: (i: CallInstruction) => names[i.imm],
    mapType: (id) => MAP_TYPES[id],
    ...extra,
  };
}

function summary(bytes: Uint8Array, e: AccessEnvironment): Record<string, string> {
  const report = analyzeMapAccess({ insns: bytes }, e);
  return Object.fromEntries(report.maps.map((m) => [`${m.inner ? 'inner:' : ''}${m.mapId}`, `${m.access.join('+')}${m.direct ? ' direct' : ''}`]));
}

describe('map access: inlined lookups of xlated code', () => {
  it('an inlined array lookup is a read; a store through its result a write', () => {
    // key on the stack at -4; r1 = map + offsetof(array, value); bounds check; scale; add.
    const bytes = program(
      movImm(1, 0), insn(0x63, 10, 1, -4, 0), movReg(2, 10), addImm(2, -4),
      ldMap(1, 10), addImm(1, 272), ldxW(0, 2, 0), jgeImm(0, 4, 3), lshImm(0, 4), addReg(0, 1), goto(1), movImm(0, 0),
      jeq0(0, 2), movImm(1, 7), stxDw(0, 1, 8),
      movImm(0, 0), exit(),
    );
    expect(summary(bytes, env({}))).toEqual({ 10: 'read+write' });
  });

  it('an inlined per-CPU array lookup loads the slot, then the per-CPU address: the value', () => {
    const bytes = program(
      movReg(2, 10), addImm(2, -4), ldMap(1, 11), addImm(1, 312), ldxW(0, 2, 0), jgeImm(0, 1, 5),
      lshImm(0, 3), addReg(0, 1), ldxDw(0, 0, 0), percpuAddr(0, 0), goto(1), movImm(0, 0),
      jeq0(0, 3), ldxDw(1, 0, 0), addImm(1, 1), stxDw(0, 1, 0),
      movImm(0, 0), exit(),
    );
    expect(summary(bytes, env({}))).toEqual({ 11: 'read+write' });
  });

  it('a hash lookup through __htab_map_lookup_elem reads; the LRU bookkeeping store is not the program\'s write', () => {
    const bytes = program(
      movReg(2, 10), addImm(2, -4), ldMap(1, 13), call(100),
      jeq0(0, 4), ldxB(1, 0, 48), jne0(1, 1), stB(0, 48, 1), addImm(0, 56),
      jeq0(0, 1), ldxDw(3, 0, 0),
      movImm(0, 0), exit(),
    );
    expect(summary(bytes, env({ 100: '__htab_map_lookup_elem' }))).toEqual({ 13: 'read' });
  });

  it('a per-CPU hash lookup: element, slot, per-CPU address; atomics through it are writes', () => {
    const bytes = program(
      movReg(2, 10), addImm(2, -4), ldMap(1, 15), call(100),
      jeq0(0, 3), addImm(0, 56), ldxDw(0, 0, 0), percpuAddr(0, 0),
      jeq0(0, 2), movImm(1, 1), atomicAdd(0, 1, 0),
      movImm(0, 0), exit(),
    );
    expect(summary(bytes, env({ 100: '__htab_map_lookup_elem' }))).toEqual({ 15: 'read+write' });
  });

  it('an inlined array-of-maps lookup yields the inner map: its accesses are the inner maps\'', () => {
    const bytes = program(
      movReg(2, 10), addImm(2, -4), ldMap(1, 14), addImm(1, 272), ldxW(0, 2, 0), jgeImm(0, 2, 5),
      lshImm(0, 3), addReg(0, 1), ldxDw(0, 0, 0), jeq0(0, 1), goto(1), movImm(0, 0),
      jeq0(0, 6), movReg(1, 0), movReg(2, 10), addImm(2, -4), call(101), jeq0(0, 1), stxDw(0, 10, 0),
      movImm(0, 0), exit(),
    );
    expect(summary(bytes, env({ 101: 'array_map_lookup_elem' }, { innerMapType: () => 2 }))).toEqual({ 14: 'read', 'inner:14': 'read+write' });
  });

  it('names helpers by the kernel functions xlated code calls', () => {
    expect(helperForSymbol('htab_map_update_elem')).toBe('bpf_map_update_elem');
    expect(helperForSymbol('htab_lru_percpu_map_lookup_percpu_elem')).toBe('bpf_map_lookup_percpu_elem');
    expect(helperForSymbol('bpf_perf_event_output_tp')).toBe('bpf_perf_event_output');
    expect(helperForSymbol('bpf_get_stackid_pe')).toBe('bpf_get_stackid');
    expect(helperForSymbol('dev_hash_map_redirect')).toBe('bpf_redirect_map');
    expect(helperForSymbol('bpf_for_each_array_elem')).toBe('bpf_for_each_map_elem');
    expect(helperForSymbol('bpf_ringbuf_submit')).toBe('bpf_ringbuf_submit');
    expect(helperForSymbol('tcp_sendmsg')).toBeUndefined();
  });

  it('direct global data: loads and stores through an ld_imm64 value address', () => {
    const bytes = program(ldMapValue(1, 10, 8), ldxDw(2, 1, 0), addImm(2, 1), stxDw(1, 2, 0), movImm(0, 0), exit());
    expect(summary(bytes, env({}))).toEqual({ 10: 'read+write direct' });
  });

  it('ring buffer: reserve, store into the record, submit is an emit; a discarded record is none', () => {
    const submit = program(ldMap(1, 16), movImm(2, 16), movImm(3, 0), call(102), jeq0(0, 4), movImm(1, 1), stxDw(0, 1, 0), movReg(1, 0), call(103), movImm(0, 0), exit());
    expect(summary(submit, env({ 102: 'bpf_ringbuf_reserve', 103: 'bpf_ringbuf_submit' }))).toEqual({ 16: 'emit' });
    expect(summary(submit, env({ 102: 'bpf_ringbuf_reserve', 103: 'bpf_ringbuf_discard' }))).toEqual({});
  });

  it('a tail call jumps through its program array', () => {
    const bytes = program(ldMap(2, 17), movImm(3, 0), insn(0x85, 0, 0, 0, 12), movImm(0, 0), exit());
    expect(summary(bytes, env({ 12: 'bpf_tail_call' }))).toEqual({ 17: 'jump' });
  });
});

describe('map access: what it cannot follow is reported, never guessed', () => {
  it('a map handed to a call it cannot name is untracked, with the map', () => {
    const bytes = program(ldMap(1, 12), call(555), movImm(0, 0), exit());
    const report = analyzeMapAccess({ insns: bytes }, env({}));
    expect(report.maps).toEqual([]);
    expect(report.untracked).toEqual([{ insn: 2, reason: 'map passed to an unresolved helper call, whose effect on it is not known', maps: [12] }]);
  });

  it('a kfunc reads what its BTF prototype points to as const; a map behind a plain pointer is untracked', () => {
    // bpf_stream_vprintk_impl(1, fmt in .rodata, args in .bss, 8, 0); then a kfunc taking a plain pointer to the .bss value.
    const kfunc = (btfId: number) => insn(0x85, 0, 2, 0, btfId);
    const bytes = program(movImm(1, 1), ldMapValue(2, 10, 0), ldMapValue(3, 11, 0), movImm(4, 8), movImm(5, 0), kfunc(7001), ldMapValue(1, 11, 0), kfunc(7002), movImm(0, 0), exit());
    const e = env({ 7001: 'bpf_stream_vprintk_impl', 7002: 'bpf_obj_fill' }, {
      kfuncParams: (name) => ({ bpf_stream_vprintk_impl: ['scalar', 'reads', 'reads', 'scalar', 'pointer'] as const, bpf_obj_fill: ['pointer'] as const })[name],
    });
    const report = analyzeMapAccess({ insns: bytes }, e);
    expect(report.maps.map((m) => [m.mapId, m.access])).toEqual([[10, ['read']], [11, ['read']]]);
    expect(report.untracked).toEqual([{ insn: 10, reason: 'map passed to bpf_obj_fill, whose effect on it is not known', maps: [11] }]);
    // Without the prototype, the same call is a flow it cannot follow.
    expect(analyzeMapAccess({ insns: bytes }, env({ 7001: 'bpf_stream_vprintk_impl', 7002: 'bpf_obj_fill' })).untracked.map((u) => u.maps)).toEqual([[10, 11], [11]]);
  });

  it('a store through a pointer that is a map value on one path and the context on another is untracked', () => {
    // r6 = ctx; if r2 == 0 goto join; r6 = .bss value; join: *(u64 *)(r6 + 0) = 1
    const bytes = program(movReg(6, 1), movImm(2, 0), jeq0(2, 2), ldMapValue(6, 10, 0), insn(0x7a, 6, 0, 0, 1), movImm(0, 0), exit());
    const report = analyzeMapAccess({ insns: bytes }, env({}));
    expect(report.untracked.map((u) => u.reason)).toEqual(['store through a pointer of unknown origin']);
  });

  it('stops at its step limit and says so', () => {
    // An endless loop that always changes nothing would settle; this one keeps a map pointer moving.
    const bytes = program(ldMap(6, 10), movImm(7, 0), addImm(7, 1), jgeImm(7, 1000000, 1), goto(-3), movImm(0, 0), exit());
    const report = analyzeMapAccess({ insns: bytes, maxSteps: 5 }, env({}));
    expect(report.complete).toBe(false);
    expect(report.untracked.at(-1)?.reason).toMatch(/analysis stopped after 5 steps/);
  });

  it('terminates on loops (constants widen at joins)', () => {
    const bytes = program(movImm(7, 0), addImm(7, 1), jgeImm(7, 1000000, 1), goto(-3), movImm(0, 0), exit());
    const report = analyzeMapAccess({ insns: bytes }, env({}));
    expect(report.complete).toBe(true);
    expect(report.steps).toBeLessThan(50);
  });

  it('never throws on bytes that are not a program', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(7), Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff), program(insn(0x85, 0, 1, 0, 100))]) {
      const report = analyzeMapAccess({ insns: bytes }, env({}));
      expect(report.complete).toBe(true);
    }
  });
});
