import { MAP_INFO as O } from './layout.js';
import { InfoReader } from './reader.js';

/**
 * `struct bpf_map_info` as the kernel wrote it. Fields past the returned info_len are
 * undefined; each optional field names the kernel that introduced it.
 */
export interface MapInfo {
  /** Bytes the kernel returned (its info_len). */
  infoLen: number;
  type: number;
  id: number;
  /** Linux 4.13. */
  keySize?: number;
  /** Linux 4.13. */
  valueSize?: number;
  /** Linux 4.13. */
  maxEntries?: number;
  /** BPF_F_* creation flags. Linux 4.13. */
  mapFlags?: number;
  /** Up to 15 characters. Linux 4.15. */
  name?: string;
  /** Offload device, 0 when not offloaded. Linux 4.16. */
  ifindex?: number;
  /** struct_ops maps: BTF id of the kernel's value type. Linux 5.6. */
  btfVmlinuxValueTypeId?: number;
  /** Linux 4.16. */
  netnsDev?: bigint;
  /** Linux 4.16. */
  netnsIno?: bigint;
  /** Linux 4.18. */
  btfId?: number;
  /** Linux 4.18. */
  btfKeyTypeId?: number;
  /** Linux 4.18. */
  btfValueTypeId?: number;
  /** struct_ops maps: id of the kernel/module BTF holding the value type. Linux 6.9. */
  btfVmlinuxId?: number;
  /** Type-specific (bloom filter hash count, arena address …). Linux 5.16. */
  mapExtra?: bigint;
  /** Size of the map's SHA-256 hash the kernel would write; 0 if not requested. Linux 6.18. */
  hashSize?: number;
}

/** Decodes `struct bpf_map_info` by offset, from any kernel's info_len. */
export function decodeMapInfo(bytes: Uint8Array): MapInfo {
  if (bytes.byteLength < 8) throw new Error(`map info: ${bytes.byteLength} bytes, need at least 8`);
  const r = new InfoReader(bytes);
  return {
    infoLen: bytes.byteLength,
    type: r.u32(O.type) as number,
    id: r.u32(O.id) as number,
    keySize: r.u32(O.keySize),
    valueSize: r.u32(O.valueSize),
    maxEntries: r.u32(O.maxEntries),
    mapFlags: r.u32(O.mapFlags),
    name: r.charArray(O.name, 16),
    ifindex: r.u32(O.ifindex),
    btfVmlinuxValueTypeId: r.u32(O.btfVmlinuxValueTypeId),
    netnsDev: r.u64(O.netnsDev),
    netnsIno: r.u64(O.netnsIno),
    btfId: r.u32(O.btfId),
    btfKeyTypeId: r.u32(O.btfKeyTypeId),
    btfValueTypeId: r.u32(O.btfValueTypeId),
    btfVmlinuxId: r.u32(O.btfVmlinuxId),
    mapExtra: r.u64(O.mapExtra),
    hashSize: r.u32(O.hashSize),
  };
}
