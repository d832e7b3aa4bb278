// Attachments: pure decoders of rtnetlink dumps, BPF_PROG_QUERY and BPF_TASK_FD_QUERY
// results, the per-program join, and bpftool-shaped renderings.
export { attachPointsByProgram, linkAttachWords } from './attach-points.js';
export { ALL_ATTACH_FAMILIES, attachFamiliesOf, type AttachFamily } from './families.js';
export type { AttachMechanism, AttachPoint } from './attach-points.js';
export { renderCgroupTreeJson, renderNetJson, renderPerfJson } from './bpftool-json.js';
export type { ProgLookup, ProgSummary } from './bpftool-json.js';
export { BPF_F_QUERY_EFFECTIVE, cgroupAttachFlagsWord, decodeQueryRecords } from './prog-query.js';
export type { QueriedProgram, QueryRecord } from './prog-query.js';
export { splitMessages } from './netlink.js';
export { progArraySlots } from './prog-array.js';
export type { ProgArraySlot } from './prog-array.js';
export { decodeProgArrayBatch } from './prog-array-batch.js';
export type { ProgArrayBatch, ProgArrayRecord } from './prog-array-batch.js';
export { tcFilterParents, tcHandleText } from './tc-parents.js';
export type { TcParent } from './tc-parents.js';
export { CLSACT_EGRESS, CLSACT_INGRESS, decodeFilterDump, decodeLinkDump, decodeTcObjectDump, TC_H_ROOT } from './rtnetlink.js';
export type { NetInterface, TcBpfFilter, TcObject, XdpAttachMode, XdpProgram } from './rtnetlink.js';
export { decodeRouteDump, LWT_PROG_TYPES, resolveLwtProgram } from './routes.js';
export type { LwtBpfRoute, LwtCandidate, LwtHook, LwtResolution } from './routes.js';
export { decodeTaskFdQuery, TASK_FD_TYPES } from './task-fd.js';
export type { TaskFdAttachment, TaskFdType } from './task-fd.js';
export { structOpsProgIds, structOpsProgSlots } from './struct-ops.js';
export { renderCgroupTreeText, renderNetText, renderPerfText } from './text.js';
export type { AttachmentViews, CgroupView, Direction, LwtAttachment, NetnsRef, NetView, PerfAttachment, PerfEventHolder, TcAttachment, TcxAttachment } from './views.js';
export { perfEventHolders, perfHolderTarget, PROG_TYPE_PERF_EVENT } from './perf-holders.js';
export type { HeldFd, UnnamedPerfEvent } from './perf-holders.js';
