// BPF_TASK_FD_QUERY results: union bpf_attr's task_fd_query as the kernel left it.
//
//   | pid u32 | fd u32 | flags u32 | buf_len u32 | buf u64 | prog_id u32 | fd_type u32 |
//   | probe_offset u64 | probe_addr u64 |                                         48 bytes
const ATTR_LEN = 48;

/** enum bpf_task_fd_type */
export const TASK_FD_TYPES = ['raw_tracepoint', 'tracepoint', 'kprobe', 'kretprobe', 'uprobe', 'uretprobe'] as const;
export type TaskFdType = (typeof TASK_FD_TYPES)[number];

export interface TaskFdAttachment {
  pid: number;
  fd: number;
  progId: number;
  fdType: TaskFdType | number;
  /** Tracepoint name, kernel function, or the probed file. */
  name: string;
  probeOffset: bigint;
  probeAddr: bigint;
}

export function decodeTaskFdQuery(attr: Uint8Array, name: Uint8Array): TaskFdAttachment {
  if (attr.byteLength < ATTR_LEN) throw new Error(`task_fd_query: ${attr.byteLength} bytes, want ${ATTR_LEN}`);
  const dv = new DataView(attr.buffer, attr.byteOffset, attr.byteLength);
  const fdType = dv.getUint32(28, true);
  const end = name.indexOf(0);
  return {
    pid: dv.getUint32(0, true),
    fd: dv.getUint32(4, true),
    progId: dv.getUint32(24, true),
    fdType: TASK_FD_TYPES[fdType] ?? fdType,
    name: new TextDecoder().decode(end < 0 ? name : name.subarray(0, end)),
    probeOffset: dv.getBigUint64(32, true),
    probeAddr: dv.getBigUint64(40, true),
  };
}
