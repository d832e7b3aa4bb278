// Which programs a struct_ops map holds. The map's value type (vmlinux BTF,
// `struct bpf_struct_ops_<name> { refcnt; state; struct <name> data; }`) places each
// function pointer of `data`; in the value the kernel returns, those slots hold the ids of
// the programs behind them (kernel/bpf/bpf_struct_ops.c stores prog->aux->id there).
import type { Btf } from '../btf/index.js';

/** Byte offsets, in the map value, of the function-pointer members of `data`. */
export function structOpsProgSlots(btf: Btf, valueTypeId: number): number[] {
  const value = btf.resolve(valueTypeId);
  if (value.kind !== 'struct') return [];
  const data = value.members.find((m) => m.name === 'data');
  if (!data) return [];
  const ops = btf.resolve(data.type);
  if (ops.kind !== 'struct') return [];
  const slots: number[] = [];
  for (const member of ops.members) {
    const t = btf.resolve(member.type);
    if (t.kind === 'ptr' && btf.resolve(t.type).kind === 'func_proto') slots.push((data.bitOffset + member.bitOffset) / 8);
  }
  return slots;
}

/** Non-zero program ids in the given slots of a struct_ops map value. */
export function structOpsProgIds(value: Uint8Array, slots: readonly number[]): number[] {
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const ids: number[] = [];
  for (const offset of slots) {
    if (offset + 8 > value.byteLength) continue;
    const id = dv.getBigUint64(offset, true);
    if (id > 0n && id <= 0xffffffffn) ids.push(Number(id));
  }
  return ids;
}
