// Every program's attach points, whatever holds them: links, netlink (XDP, tc), cgroup and
// netns prog_attach, perf-event fds, struct_ops maps. Where a link is also visible through
// another mechanism (an XDP link in IFLA_XDP, a cgroup link in BPF_PROG_QUERY), the link wins.
import { attachTypeName, linkTypeName } from '../names/index.js';
import type { LinkInfo, PerfEventDetails } from '../info/index.js';
import { extensionTargetWords, type ProgramExtension } from '../info/prog-targets.js';
import { perfHolderTarget } from './perf-holders.js';
import { tcHandleText } from './tc-parents.js';
import type { AttachmentViews, NetnsRef } from './views.js';

export type AttachMechanism = 'link' | 'netlink' | 'prog_attach' | 'perf_event' | 'struct_ops_map' | 'prog_array';

export interface AttachPoint {
  progId: number;
  mechanism: AttachMechanism;
  /** What kind of hook: xdp, tc, tcx_ingress, cgroup_inet_ingress, uprobe, tracepoint, … */
  kind: string;
  /** Where, in words: `bfs1a (ifindex 33, netns host)`, a cgroup path, `sys_enter_getpid` … */
  target: string;
  linkId?: number;
  /** fentry/fexit/freplace on a BPF program: that program. */
  targetProgId?: number;
  /** perf-event fds: the holding process. */
  pid?: number;
  fd?: number;
}

const MAX_POINTS = 1 << 20;

function nsWords(ns: NetnsRef): string {
  return `netns ${ns.label}`;
}

function perfEventTarget(e: PerfEventDetails | undefined): { kind: string; target: string } {
  switch (e?.type) {
    case 'uprobe':
    case 'uretprobe':
      return { kind: e.type, target: e.offset ? `${e.fileName ?? ''}+0x${e.offset.toString(16)}` : (e.fileName ?? '') };
    case 'kprobe':
    case 'kretprobe':
      return { kind: e.type, target: e.funcName ? `${e.funcName}+0x${(e.offset ?? 0).toString(16)}` : `0x${(e.addr ?? 0n).toString(16)}` };
    case 'tracepoint':
      return { kind: 'tracepoint', target: e.tpName ?? '' };
    case 'event':
      return { kind: 'perf_event', target: `type ${e.eventType ?? '?'} config ${e.config ?? '?'}` };
    default:
      return { kind: 'perf_event', target: '' };
  }
}

/** Protocol families (NFPROTO_*) and the inet hooks (NF_INET_*), as nft names them. */
const NF_FAMILIES: Readonly<Record<number, string>> = { 1: 'inet', 2: 'ipv4', 3: 'arp', 5: 'netdev', 7: 'bridge', 10: 'ipv6' };
const NF_INET_HOOKS = ['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress'];

function netfilterWords(pf: number | undefined, hook: number | undefined, priority: number | undefined): string {
  const family = pf === undefined ? '?' : (NF_FAMILIES[pf] ?? `pf ${pf}`);
  const inet = pf === 1 || pf === 2 || pf === 10;
  const hookName = hook === undefined ? '?' : ((inet ? NF_INET_HOOKS[hook] : undefined) ?? `hook ${hook}`);
  return `${family} ${hookName} priority ${priority ?? '?'}`;
}

/**
 * A link's attach point in words, for a list of links: `tracepoint sys_enter_getpid`, `lo
 * (ifindex 1)`; the kind of hook only where the link's type does not already say it.
 */
export function linkAttachWords(link: LinkInfo, ifname: string | undefined): string {
  const { kind, target } = linkTarget(link, () => ifname, () => undefined);
  return kind === (linkTypeName(link.type) ?? String(link.type)) ? target : `${kind} ${target}`.trim();
}

function linkTarget(link: LinkInfo, ifname: (ifindex: number) => string | undefined, cgroupPath: (id: bigint) => string | undefined): { kind: string; target: string } {
  const d = link.details;
  const type = linkTypeName(link.type) ?? String(link.type);
  const dev = (ifindex: number | undefined): string => {
    const name = ifindex === undefined ? undefined : ifname(ifindex);
    return name ? `${name} (ifindex ${ifindex})` : `ifindex ${ifindex ?? '?'}`;
  };
  switch (d?.kind) {
    case 'raw_tracepoint':
      return { kind: 'raw_tracepoint', target: d.tpName ?? '' };
    case 'tracing':
      return { kind: attachTypeName(d.attachType ?? -1) ?? 'tracing', target: `btf ${d.targetObjId ?? 0}:${d.targetBtfId ?? 0}` };
    case 'cgroup':
      return { kind: attachTypeName(d.attachType ?? -1) ?? 'cgroup', target: (d.cgroupId !== undefined && cgroupPath(d.cgroupId)) || `cgroup id ${d.cgroupId ?? '?'}` };
    case 'iter':
      return { kind: 'iter', target: d.targetName ?? '' };
    case 'netns':
      return { kind: attachTypeName(d.attachType ?? -1) ?? 'netns', target: `netns inode ${d.netnsIno ?? '?'}` };
    case 'xdp':
      return { kind: 'xdp', target: dev(d.ifindex) };
    case 'perf_event':
      return perfEventTarget(d.event);
    case 'kprobe_multi':
      return { kind: d.retprobe ? 'kretprobe_multi' : 'kprobe_multi', target: `${d.count ?? d.addrs.length} functions` };
    case 'uprobe_multi':
      return { kind: 'uprobe_multi', target: d.path ?? '' };
    case 'struct_ops':
      return { kind: 'struct_ops', target: `map ${d.mapId ?? '?'}` };
    case 'netfilter':
      return { kind: 'netfilter', target: netfilterWords(d.pf, d.hooknum, d.priority) };
    case 'tcx':
    case 'netkit':
      return { kind: attachTypeName(d.attachType ?? -1) ?? d.kind, target: dev(d.ifindex) };
    case 'sockmap':
      return { kind: attachTypeName(d.attachType ?? -1) ?? 'sockmap', target: `map ${d.mapId ?? '?'}` };
    default:
      return { kind: type, target: '' };
  }
}

/** progId → its attach points, in a stable order (links, network, cgroups, perf, struct_ops, tail calls). */
export function attachPointsByProgram(views: AttachmentViews): Map<number, AttachPoint[]> {
  const byProg = new Map<number, AttachPoint[]>();
  const add = (point: AttachPoint): void => {
    if (byProg.size >= MAX_POINTS) return;
    const list = byProg.get(point.progId);
    if (list) list.push(point);
    else byProg.set(point.progId, [point]);
  };
  const host = views.net[0];
  const ifname = (ifindex: number): string | undefined => host?.interfaces.find((i) => i.ifindex === ifindex)?.name;
  const cgroupPath = (id: bigint): string | undefined => views.cgroups.find((c) => BigInt(c.id) === id)?.path;
  const linked = new Set<string>();
  const linkedProgs = new Set<number>();
  const extensions = new Map<number, ProgramExtension>(views.extensions.map((e) => [e.linkId, e]));
  for (const link of views.links) {
    if (!link.progId) continue;
    const extension = extensions.get(link.id);
    if (extension) {
      add({ progId: link.progId, mechanism: 'link', kind: extension.kind, target: extensionTargetWords(extension), linkId: link.id, targetProgId: extension.targetProgId });
      linkedProgs.add(link.progId);
      continue;
    }
    const { kind, target } = linkTarget(link, ifname, cgroupPath);
    add({ progId: link.progId, mechanism: 'link', kind, target, linkId: link.id });
    linked.add(`${link.progId}:${kind}`);
    linkedProgs.add(link.progId);
  }
  const isLinked = (progId: number, kind: string): boolean => linked.has(`${progId}:${kind}`);

  for (const view of views.net) {
    for (const iface of view.interfaces) {
      for (const p of iface.xdp?.programs ?? []) {
        // XDP links show in IFLA_XDP too; a link's ifindex is the host namespace's.
        if (isLinked(p.progId, 'xdp')) continue;
        add({ progId: p.progId, mechanism: 'netlink', kind: 'xdp', target: `${iface.name} (ifindex ${iface.ifindex}, ${nsWords(view.netns)}, ${p.mode})` });
      }
    }
    // A classless qdisc's classes share its block: bpftool lists such a filter once per class.
    const seenTc = new Set<string>();
    for (const f of view.tc) {
      const key = `${f.ifindex}:${f.kind}:${f.priority}:${f.handle}:${f.progId}`;
      if (seenTc.has(key)) continue;
      seenTc.add(key);
      const da = f.directAction ? ', direct-action' : '';
      const at = f.direction ? f.kind : `${f.kind} parent ${tcHandleText(f.parent)}`;
      add({ progId: f.progId, mechanism: 'netlink', kind: 'tc', target: `${f.devname} (ifindex ${f.ifindex}, ${nsWords(view.netns)}) ${at} prio ${f.priority} handle 0x${f.handle.toString(16)}${da}` });
    }
    for (const l of view.lwt) {
      const dev = l.devname ? ` dev ${l.devname}` : l.oif !== undefined ? ` oif ${l.oif}` : '';
      const where = `${l.dst}${dev} (table ${l.table}, ${nsWords(view.netns)}) encap bpf ${l.hook} ${l.name}`;
      const { progIds, by } = l.resolution;
      // The route names its program, it has no id: say when the name fits several programs.
      const how = by === 'ambiguous' ? `, matched by name: one of ${progIds.join(', ')}` : by === 'only-of-type' ? ', the only program of its type' : '';
      for (const progId of progIds) add({ progId, mechanism: 'netlink', kind: `lwt_${l.hook}`, target: `${where}${how}` });
    }
    for (const t of view.tcx) {
      if (t.linkId !== undefined) continue;
      add({ progId: t.progId, mechanism: 'prog_attach', kind: `tcx_${t.direction}`, target: `${t.devname} (ifindex ${t.ifindex}, ${nsWords(view.netns)})` });
    }
    for (const [kind, progs] of [['flow_dissector', view.flowDissector], ['sk_lookup', view.skLookup]] as const) {
      for (const p of progs) {
        if (isLinked(p.progId, kind)) continue;
        add({ progId: p.progId, mechanism: 'prog_attach', kind, target: nsWords(view.netns) });
      }
    }
  }
  for (const cgroup of views.cgroups) {
    for (const record of cgroup.attached) {
      const kind = attachTypeName(record.attachType) ?? String(record.attachType);
      for (const p of record.programs) {
        if (isLinked(p.progId, kind)) continue;
        add({ progId: p.progId, mechanism: 'prog_attach', kind, target: cgroup.path });
      }
    }
  }
  for (const perf of views.perf) {
    const kind = typeof perf.fdType === 'string' ? perf.fdType : `fd_type ${perf.fdType}`;
    // Links hold perf events and raw tracepoints too (libbpf keeps both fds): the link says where.
    if (linkedProgs.has(perf.progId)) continue;
    const at = perf.name ? (perf.probeOffset ? `${perf.name}+0x${perf.probeOffset.toString(16)}` : perf.name) : `0x${perf.probeAddr.toString(16)}`;
    add({ progId: perf.progId, mechanism: 'perf_event', kind, target: `${at} (pid ${perf.pid} ${perf.comm}, fd ${perf.fd})`, pid: perf.pid, fd: perf.fd });
  }
  for (const holder of views.perfHolders) {
    const target = perfHolderTarget(holder);
    for (const progId of holder.progIds) {
      if (linkedProgs.has(progId)) continue;
      add({ progId, mechanism: 'perf_event', kind: 'perf_event', target, pid: holder.pid, fd: holder.fds[0] });
    }
  }
  for (const ops of views.structOps) {
    for (const progId of ops.progIds) add({ progId, mechanism: 'struct_ops_map', kind: 'struct_ops', target: `${ops.mapName} (map ${ops.mapId})` });
  }
  for (const array of views.progArrays) {
    for (const slot of array.slots) add({ progId: slot.progId, mechanism: 'prog_array', kind: 'tail_call', target: `${array.mapName} (map ${array.mapId}) index ${slot.index}` });
  }
  return byProg;
}
