// BPF_PROG_QUERY results as the native layer packs them (native/src/attach_query.h):
//
//   | attach_type u32 | query_flags u32 | error s32 | attach_flags u32 |
//   | prog_cnt u32 | reserved u32 | revision u64 (Linux 6.6) |              32 bytes
//   | prog_ids[cnt] | prog_attach_flags[cnt] | link_ids[cnt] | link_attach_flags[cnt] |  u32 each
const HEADER_LEN = 32;
/** The native layer stops at 4096 programs per query. */
const MAX_PROGS = 4096;
const MAX_RECORDS = 1 << 16;

export const BPF_F_QUERY_EFFECTIVE = 1;
export const BPF_F_ALLOW_OVERRIDE = 1;
export const BPF_F_ALLOW_MULTI = 2;
export const BPF_F_REPLACE = 4;

export interface QueriedProgram {
  progId: number;
  /** Per-program attach flags (Linux 6.0; 0 in effective queries). */
  attachFlags: number;
  /** The link holding it, where the kernel reports one (tcx, netkit: Linux 6.6). */
  linkId?: number;
}

export interface QueryRecord {
  attachType: number;
  effective: boolean;
  /** errno name-free: the positive errno the kernel answered for this type (EINVAL: not here). */
  error?: number;
  /** The hook's flags (cgroup: override/multi). */
  attachFlags: number;
  revision?: bigint;
  programs: QueriedProgram[];
}

export function decodeQueryRecords(bytes: Uint8Array): QueryRecord[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: QueryRecord[] = [];
  let offset = 0;
  while (offset + HEADER_LEN <= bytes.byteLength && records.length < MAX_RECORDS) {
    const cnt = dv.getUint32(offset + 16, true);
    const end = offset + HEADER_LEN + cnt * 16;
    if (cnt > MAX_PROGS || end > bytes.byteLength) throw new Error(`prog query: bad count ${cnt} at ${offset}`);
    const error = dv.getInt32(offset + 8, true);
    const revision = dv.getBigUint64(offset + 24, true);
    const record: QueryRecord = {
      attachType: dv.getUint32(offset, true),
      effective: (dv.getUint32(offset + 4, true) & BPF_F_QUERY_EFFECTIVE) !== 0,
      attachFlags: dv.getUint32(offset + 12, true),
      programs: [],
    };
    if (error) record.error = error;
    if (revision) record.revision = revision;
    const at = (array: number, i: number): number => dv.getUint32(offset + HEADER_LEN + (array * cnt + i) * 4, true);
    for (let i = 0; i < cnt; i++) {
      const prog: QueriedProgram = { progId: at(0, i), attachFlags: at(1, i) };
      const linkId = at(2, i);
      if (linkId) prog.linkId = linkId;
      record.programs.push(prog);
    }
    records.push(record);
    offset = end;
  }
  return records;
}

/** bpftool's word for cgroup attach flags: "multi", "override", "" (none) or "unknown". */
export function cgroupAttachFlagsWord(flags: number): string {
  switch (flags) {
    case 0:
      return '';
    case BPF_F_ALLOW_MULTI:
      return 'multi';
    case BPF_F_ALLOW_OVERRIDE:
      return 'override';
    default:
      return 'unknown';
  }
}
