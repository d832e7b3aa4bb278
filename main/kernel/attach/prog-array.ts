// Tail-call targets: a BPF_MAP_TYPE_PROG_ARRAY read from user space answers each slot with the
// program's id (the kernel's map_fd_sys_lookup_elem), u32 keys and u32 values.

export interface ProgArraySlot {
  index: number;
  progId: number;
}

/** Slots of one page of a prog_array read: count u32 keys and values valueStride apart. */
export function progArraySlots(keys: Uint8Array, values: Uint8Array, count: number, valueStride: number): ProgArraySlot[] {
  const k = new DataView(keys.buffer, keys.byteOffset, keys.byteLength);
  const v = new DataView(values.buffer, values.byteOffset, values.byteLength);
  const out: ProgArraySlot[] = [];
  for (let i = 0; i < count && (i + 1) * 4 <= keys.byteLength && i * valueStride + 4 <= values.byteLength; i++) {
    const progId = v.getUint32(i * valueStride, true);
    if (progId) out.push({ index: k.getUint32(i * 4, true), progId });
  }
  return out;
}
