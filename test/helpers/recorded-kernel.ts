// Kernel records this machine cannot produce, for the features its kernel refuses (fentry,
// fexit and freplace on programs: EPERM at load; arena maps: EPERM at creation). Each record is
// written here from the uapi layout of Linux 6.18 (include/uapi/linux/bpf.h; the offsets are
// spelled out below, independently of main/kernel/info/layout.ts) or is a real record this
// kernel returned with the named fields changed. RecordedHost serves them beside the real
// host's objects, so snapshots, the CLI and the dashboard meet them as they would a kernel's.
import type { Host, ObjectKind, RawInfo, RawLinkInfo, RawProgInfo } from '../../main/hosts/host.js';

/** struct bpf_link_info: type u32 @0, id u32 @4, prog_id u32 @8, then the union @16 (48 bytes in 6.18: 64 in all). */
const LINK_INFO_SIZE = 64;
/** The union's tracing member: attach_type u32 @16, target_obj_id u32 @20, target_btf_id u32 @24, pad, cookie u64 @32. */
const BPF_LINK_TYPE_TRACING = 2;

export function tracingLinkInfo(fields: { id: number; progId: number; attachType: number; targetObjId: number; targetBtfId: number; cookie?: bigint }): Uint8Array {
  const bytes = new Uint8Array(LINK_INFO_SIZE);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, BPF_LINK_TYPE_TRACING, true);
  v.setUint32(4, fields.id, true);
  v.setUint32(8, fields.progId, true);
  v.setUint32(16, fields.attachType, true);
  v.setUint32(20, fields.targetObjId, true);
  v.setUint32(24, fields.targetBtfId, true);
  v.setBigUint64(32, fields.cookie ?? 0n, true);
  return bytes;
}

/** struct bpf_prog_info: type u32 @0, id u32 @4, attach_btf_obj_id u32 @220, attach_btf_id u32 @224 (232 bytes in 6.18). */
export function patchedProgInfo(real: Uint8Array, fields: { id: number; type?: number; attachBtfObjId?: number; attachBtfId?: number }): Uint8Array {
  // A copy: the addon's records are Buffers, whose slice() shares memory.
  const bytes = new Uint8Array(real);
  const v = new DataView(bytes.buffer);
  v.setUint32(4, fields.id, true);
  if (fields.type !== undefined) v.setUint32(0, fields.type, true);
  if (fields.attachBtfObjId !== undefined) v.setUint32(220, fields.attachBtfObjId, true);
  if (fields.attachBtfId !== undefined) v.setUint32(224, fields.attachBtfId, true);
  return bytes;
}

/** struct bpf_map_info: type @0, id @4, key_size @8, value_size @12, max_entries @16, map_flags @20, name @24 (16), btf_id @64, map_extra u64 @80 (104 bytes). */
export function mapInfo(fields: { id: number; type: number; keySize: number; valueSize: number; maxEntries: number; flags: number; name: string; mapExtra?: bigint }): Uint8Array {
  const bytes = new Uint8Array(104);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, fields.type, true);
  v.setUint32(4, fields.id, true);
  v.setUint32(8, fields.keySize, true);
  v.setUint32(12, fields.valueSize, true);
  v.setUint32(16, fields.maxEntries, true);
  v.setUint32(20, fields.flags, true);
  bytes.set(new TextEncoder().encode(fields.name.slice(0, 15)), 24);
  v.setBigUint64(80, fields.mapExtra ?? 0n, true);
  return bytes;
}

export interface RecordedObjects {
  progs?: Map<number, RawProgInfo>;
  maps?: Map<number, RawInfo>;
  links?: Map<number, RawLinkInfo>;
}

const EMPTY = new Uint8Array(0);

/** A link record with no auxiliary buffers (tracing links have none). */
export function rawLink(id: number, info: Uint8Array): RawLinkInfo {
  return { id, info, fdinfo: '', name: EMPTY, addrs: EMPTY, offsets: EMPTY, refCtrOffsets: EMPTY, cookies: EMPTY };
}

/** A real host with recorded objects added (ids of its own objects are left as they are). */
export function recordedHost(base: Host, recorded: RecordedObjects): Host {
  const extra: Record<ObjectKind, number[]> = {
    prog: [...(recorded.progs?.keys() ?? [])],
    map: [...(recorded.maps?.keys() ?? [])],
    link: [...(recorded.links?.keys() ?? [])],
    btf: [],
  };
  const overrides: Partial<Host> = {
    listIds: async (kind) => [...new Set([...(await base.listIds(kind)), ...extra[kind]])].sort((a, b) => a - b),
    progInfo: async (id, detail) => recorded.progs?.get(id) ?? base.progInfo(id, detail),
    mapInfo: async (id) => recorded.maps?.get(id) ?? base.mapInfo(id),
    linkInfo: async (id) => recorded.links?.get(id) ?? base.linkInfo(id),
  };
  return new Proxy(base, {
    get(target, key, receiver) {
      if (typeof key === 'string' && key in overrides) return overrides[key as keyof Host];
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
