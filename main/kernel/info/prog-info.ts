import { PROG_INFO as O } from './layout.js';
import { InfoReader } from './reader.js';

/**
 * `struct bpf_prog_info` as the kernel wrote it. Fields past the returned info_len are
 * undefined; each optional field names the kernel that introduced it. Pointer fields are not
 * decoded: the arrays they point at come separately (see aux.ts).
 */
export interface ProgInfo {
  /** Bytes the kernel returned (its info_len). */
  infoLen: number;
  type: number;
  id: number;
  /** Program tag, 16 hex digits. Linux 4.13. */
  tag?: string;
  /** Linux 4.13. */
  jitedProgLen?: number;
  /** Linux 4.13. */
  xlatedProgLen?: number;
  /** Nanoseconds since boot (CLOCK_BOOTTIME) when loaded. Linux 4.15. */
  loadTime?: bigint;
  /** Linux 4.15. */
  createdByUid?: number;
  /** Linux 4.15. */
  nrMapIds?: number;
  /** Up to 15 characters; see `progFullName`. Linux 4.15. */
  name?: string;
  /** Offload device, 0 when not offloaded. Linux 4.16. */
  ifindex?: number;
  /** Linux 4.18. */
  gplCompatible?: boolean;
  /** Linux 4.16. */
  netnsDev?: bigint;
  /** Linux 4.16. */
  netnsIno?: bigint;
  /** Linux 4.18. */
  nrJitedKsyms?: number;
  /** Linux 4.18. */
  nrJitedFuncLens?: number;
  /** Linux 5.0. */
  btfId?: number;
  /** Linux 5.0. */
  funcInfoRecSize?: number;
  /** Linux 5.0. */
  nrFuncInfo?: number;
  /** Linux 5.0. */
  nrLineInfo?: number;
  /** Linux 5.0. */
  nrJitedLineInfo?: number;
  /** Linux 5.0. */
  lineInfoRecSize?: number;
  /** Linux 5.0. */
  jitedLineInfoRecSize?: number;
  /** Linux 5.0. */
  nrProgTags?: number;
  /** Only counts while BPF stats are enabled. Linux 5.1. */
  runTimeNs?: bigint;
  /** Linux 5.1. */
  runCnt?: bigint;
  /** Linux 5.12. */
  recursionMisses?: bigint;
  /** Linux 5.16. */
  verifiedInsns?: number;
  /** Linux 6.0. */
  attachBtfObjId?: number;
  /** Linux 6.0. */
  attachBtfId?: number;
}

/** Decodes `struct bpf_prog_info` by offset, from any kernel's info_len. */
export function decodeProgInfo(bytes: Uint8Array): ProgInfo {
  if (bytes.byteLength < 8) throw new Error(`prog info: ${bytes.byteLength} bytes, need at least 8`);
  const r = new InfoReader(bytes);
  const gplWord = r.u32(O.gplCompatible);
  return {
    infoLen: bytes.byteLength,
    type: r.u32(O.type) as number,
    id: r.u32(O.id) as number,
    tag: r.hex(O.tag, 8),
    jitedProgLen: r.u32(O.jitedProgLen),
    xlatedProgLen: r.u32(O.xlatedProgLen),
    loadTime: r.u64(O.loadTime),
    createdByUid: r.u32(O.createdByUid),
    nrMapIds: r.u32(O.nrMapIds),
    name: r.charArray(O.name, 16),
    ifindex: r.u32(O.ifindex),
    gplCompatible: gplWord === undefined ? undefined : (gplWord & 1) === 1,
    netnsDev: r.u64(O.netnsDev),
    netnsIno: r.u64(O.netnsIno),
    nrJitedKsyms: r.u32(O.nrJitedKsyms),
    nrJitedFuncLens: r.u32(O.nrJitedFuncLens),
    btfId: r.u32(O.btfId),
    funcInfoRecSize: r.u32(O.funcInfoRecSize),
    nrFuncInfo: r.u32(O.nrFuncInfo),
    nrLineInfo: r.u32(O.nrLineInfo),
    nrJitedLineInfo: r.u32(O.nrJitedLineInfo),
    lineInfoRecSize: r.u32(O.lineInfoRecSize),
    jitedLineInfoRecSize: r.u32(O.jitedLineInfoRecSize),
    nrProgTags: r.u32(O.nrProgTags),
    runTimeNs: r.u64(O.runTimeNs),
    runCnt: r.u64(O.runCnt),
    recursionMisses: r.u64(O.recursionMisses),
    verifiedInsns: r.u32(O.verifiedInsns),
    attachBtfObjId: r.u32(O.attachBtfObjId),
    attachBtfId: r.u32(O.attachBtfId),
  };
}

/** BPF_OBJ_NAME_LEN: names are cut to 15 characters plus NUL. */
const OBJ_NAME_LEN = 16;

/**
 * The name bpftool shows (`get_prog_full_name`): the kernel keeps only 15 characters, so when
 * the name is that long and the program has BTF func info, the name of the BTF FUNC of its
 * first func_info record is the full name. `firstFuncName` is that BTF name, resolved by the
 * caller; without it the truncated name is used, as bpftool does when BTF is unavailable.
 */
export function progFullName(info: ProgInfo, firstFuncName?: string): string {
  const name = info.name ?? '';
  const truncated = name.length >= OBJ_NAME_LEN - 1;
  const hasFuncInfo = (info.btfId ?? 0) !== 0 && (info.nrFuncInfo ?? 0) !== 0;
  return truncated && hasFuncInfo && firstFuncName ? firstFuncName : name;
}
