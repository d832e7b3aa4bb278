// The JSON of `bpftool net show -j`, `bpftool cgroup tree -j [effective]` and
// `bpftool perf list -j`, with our additions (netns, tcx, sk_lookup, netfilter, prio, handle,
// direct-action) as extra keys: a bpftool reader finds every key it knows.
import { attachTypeName } from '../names/index.js';
import type { JsonObject, JsonValue } from '../info/index.js';
import type { LinkInfo } from '../info/index.js';
import { cgroupAttachFlagsWord } from './prog-query.js';
import type { CgroupView, NetView, PerfAttachment, PerfEventHolder } from './views.js';

/** What the cgroup listing shows of a program (bpftool reads it from prog info). */
export interface ProgSummary {
  name: string;
  attachBtfObjId: number;
  attachBtfId: number;
  /** vmlinux BTF name of attachBtfId: bpftool prints "" for id 0. */
  attachBtfName?: string;
}

export type ProgLookup = (progId: number) => ProgSummary | undefined;

function attachTypeJson(type: number): JsonValue {
  return attachTypeName(type) ?? type;
}

function xdpJson(view: NetView): JsonObject[] {
  const out: JsonObject[] = [];
  for (const iface of view.interfaces) {
    const xdp = iface.xdp;
    if (!xdp || xdp.attached === 'none' || xdp.programs.length === 0) continue;
    const entry: JsonObject = { devname: iface.name, ifindex: iface.ifindex };
    if (xdp.attached === 'multi') entry.multi_attachments = xdp.programs.map((p) => ({ mode: p.mode, id: p.progId }));
    else Object.assign(entry, { mode: xdp.programs[0]!.mode, id: xdp.programs[0]!.progId });
    out.push(entry);
  }
  return out;
}

export function renderNetJson(views: readonly NetView[], links: readonly LinkInfo[], progName: (id: number) => string | undefined): JsonObject[] {
  return views.map((view, index) => {
    const out: JsonObject = {
      xdp: xdpJson(view),
      tc: view.tc.map((f) => {
        const entry: JsonObject = { devname: f.devname, ifindex: f.ifindex, kind: f.kind };
        if (f.name !== undefined) entry.name = f.name;
        entry.id = f.progId;
        Object.assign(entry, { prio: f.priority, handle: f.handle, protocol: f.protocol, direct_action: f.directAction });
        if (f.tag) entry.tag = f.tag;
        return entry;
      }),
      flow_dissector: view.flowDissector.map((p) => ({ id: p.progId })),
      sk_lookup: view.skLookup.map((p) => ({ id: p.progId })),
      tcx: view.tcx.map((t) => {
        const entry: JsonObject = { devname: t.devname, ifindex: t.ifindex, kind: `tcx/${t.direction}`, name: progName(t.progId) ?? '', prog_id: t.progId };
        if (t.linkId !== undefined) entry.link_id = t.linkId;
        return entry;
      }),
      lwt: view.lwt.map((l) => {
        const entry: JsonObject = { dst: l.dst, table: l.table };
        if (l.devname !== undefined) entry.devname = l.devname;
        if (l.oif !== undefined) entry.ifindex = l.oif;
        Object.assign(entry, { hook: l.hook, name: l.name, prog_ids: l.resolution.progIds, resolved_by: l.resolution.by });
        if (l.headroom !== undefined) entry.headroom = l.headroom;
        return entry;
      }),
      netns: { inode: view.netns.inode, name: view.netns.label, ...(view.netns.path ? { path: view.netns.path } : {}) },
    };
    // Netfilter links carry no namespace in their info: listed with the host's.
    if (index === 0) {
      out.netfilter = links.flatMap((l) =>
        l.details?.kind === 'netfilter'
          ? [{ pf: l.details.pf ?? 0, hook: l.details.hooknum ?? 0, prio: l.details.priority ?? 0, flags: l.details.flags ?? 0, prog_id: l.progId ?? 0, link_id: l.id }]
          : [],
      );
    }
    if (view.errors.length) out.errors = view.errors;
    return out;
  });
}

export function renderCgroupTreeJson(views: readonly CgroupView[], effective: boolean, lookup: ProgLookup): JsonObject[] {
  const out: JsonObject[] = [];
  for (const view of views) {
    const programs: JsonObject[] = [];
    for (const record of effective ? view.effective : view.attached) {
      for (const p of record.programs) {
        const prog = lookup(p.progId);
        if (!prog) continue; // gone since the query, as bpftool skips it
        const entry: JsonObject = { id: p.progId, attach_type: attachTypeJson(record.attachType) };
        if (!effective) entry.attach_flags = cgroupAttachFlagsWord(p.attachFlags || record.attachFlags);
        entry.name = prog.name;
        if (prog.attachBtfName !== undefined) entry.attach_btf_name = prog.attachBtfName;
        entry.attach_btf_obj_id = prog.attachBtfObjId;
        entry.attach_btf_id = prog.attachBtfId;
        programs.push(entry);
      }
    }
    if (programs.length) out.push({ cgroup: view.path, programs });
  }
  return out;
}

/**
 * `perf list -j`: bpftool's entries, then one per perf event running a perf_event program,
 * which BPF_TASK_FD_QUERY does not describe (bpftool leaves them out): no prog_id or fd_type
 * to give, only the perf_event programs its process holds.
 */
export function renderPerfJson(entries: readonly PerfAttachment[], holders: readonly PerfEventHolder[] = []): JsonObject[] {
  const unnamed = holders.flatMap((h) => h.fds.map((fd): JsonObject => ({ pid: h.pid, fd, prog_type: 'perf_event', holder_prog_ids: h.progIds, comm: h.comm })));
  return [...entries.map(perfEntryJson), ...unnamed];
}

function perfEntryJson(e: PerfAttachment): JsonObject {
  const out: JsonObject = { pid: e.pid, fd: e.fd, prog_id: e.progId };
  if (typeof e.fdType === 'number') return Object.assign(out, { fd_type: e.fdType, comm: e.comm });
  out.fd_type = e.fdType;
  switch (e.fdType) {
    case 'raw_tracepoint':
    case 'tracepoint':
      out.tracepoint = e.name;
      break;
    case 'kprobe':
    case 'kretprobe':
      if (e.name) Object.assign(out, { func: e.name, offset: e.probeOffset });
      else out.addr = e.probeAddr;
      break;
    case 'uprobe':
    case 'uretprobe':
      Object.assign(out, { filename: e.name, offset: e.probeOffset });
      break;
  }
  out.comm = e.comm;
  return out;
}
