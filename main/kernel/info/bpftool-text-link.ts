// The per-kind part of a `bpftool link show` text entry. raw_tracepoint, tracing, cgroup, iter
// and netns follow bpftool 7.1 exactly; the rest follow later bpftool releases' layout.

import { cgroupIterOrderName, perfConfigName, perfTypeName, typeName, type NameStyle } from '../names/index.js';
import type { LinkDetails, PerfEventDetails } from './link-info.js';
import type { LinkShow, ShowOptions } from './show-input.js';

function attachText(value: number | undefined, names: NameStyle): string {
  if (value === undefined) return '';
  return `attach_type ${typeName('attach', value, names) ?? value}  `;
}

function ifindexText(ifindex: number | undefined, ifname: string | undefined): string {
  if (ifindex === undefined) return '';
  const dev = ifindex === 0 ? '(detached)' : `${ifname ?? '(unknown)'}(${ifindex})`;
  return `ifindex ${dev}  `;
}

function hex0(value: bigint, width: number): string {
  return value.toString(16).padStart(width, '0');
}

const BPFTOOL_7_1_KINDS = new Set<LinkDetails['kind']>(['raw_tracepoint', 'tracing', 'cgroup', 'iter', 'netns']);

export function linkDetailsText(d: LinkDetails, link: LinkShow, names: NameStyle, options: ShowOptions): string {
  const only71 = options.keys === 'bpftool-7.1';
  if (only71 && !BPFTOOL_7_1_KINDS.has(d.kind)) return '';
  switch (d.kind) {
    case 'raw_tracepoint':
      return `\n\ttp '${d.tpName ?? ''}'  ${d.cookie && !only71 ? `cookie ${d.cookie}  ` : ''}`;
    case 'tracing': {
      let s = '';
      if (link.progType !== undefined) {
        s += `\n\tprog_type ${typeName('prog', link.progType, names) ?? link.progType}  `;
      }
      s += attachText(d.attachType, names);
      if (only71) return s;
      if (d.targetObjId || d.targetBtfId) {
        s += `\n\ttarget_obj_id ${d.targetObjId ?? 0}  target_btf_id ${d.targetBtfId ?? 0}  `;
      }
      if (d.cookie) s += `\n\tcookie ${d.cookie}  `;
      return s;
    }
    case 'cgroup':
      return `\n\tcgroup_id ${d.cgroupId ?? 0n}  ${attachText(d.attachType, names)}`;
    case 'iter': {
      let s = `target_name ${d.targetName ?? ''}  `;
      if (d.mapId !== undefined) s += `map_id ${d.mapId}  `;
      if (d.tid) s += `tid ${d.tid} `;
      else if (d.pid) s += `pid ${d.pid} `;
      if (d.cgroupId !== undefined) s += `cgroup_id ${d.cgroupId}  `;
      if (d.order !== undefined) s += `order ${cgroupIterOrderName(d.order)}  `;
      return s;
    }
    case 'netns':
      return `\n\tnetns_ino ${d.netnsIno ?? 0}  ${attachText(d.attachType, names)}`;
    case 'netfilter':
      return `\n\tpf ${d.pf ?? 0}  hook ${d.hooknum ?? 0}  prio ${d.priority ?? 0}${d.flags ? `  flags 0x${d.flags.toString(16)}` : ''}`;
    case 'tcx':
    case 'netkit':
      return `\n\t${ifindexText(d.ifindex, link.ifname)}${attachText(d.attachType, names)}`;
    case 'sockmap':
      return `\n\tmap_id ${d.mapId ?? 0}  ${attachText(d.attachType, names)}`;
    case 'xdp':
      return `\n\t${ifindexText(d.ifindex, link.ifname)}`;
    case 'struct_ops':
      return `\n\tmap_id ${d.mapId ?? 0}  `;
    case 'kprobe_multi': {
      let s = `\n\t${d.retprobe ? 'kretprobe.multi' : 'kprobe.multi'}  func_cnt ${d.count ?? 0}  `;
      if (d.missed) s += `missed ${d.missed}  `;
      s += `\n\t${'addr'.padEnd(16)} ${'cookie'.padEnd(16)} func [module]`;
      const pairs = d.addrs.map((addr, i) => ({ addr, cookie: d.cookies[i] ?? 0n }));
      pairs.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
      for (const { addr, cookie } of pairs) {
        const sym = options.resolveKsym?.(addr);
        const func = sym ? `${sym.name}${sym.module ? ` [${sym.module}]` : ''}` : '';
        s += `\n\t${hex0(addr, 16)} ${cookie.toString(16).padEnd(16)} ${func}`;
      }
      return s;
    }
    case 'uprobe_multi': {
      let s = `\n\t${d.retprobe ? 'uretprobe.multi' : 'uprobe.multi'}  path ${d.path ?? ''}  func_cnt ${d.count ?? 0}  `;
      if (d.pid) s += `pid ${d.pid}  `;
      s += `\n\t${'offset'.padEnd(16)}   ${'ref_ctr_offset'.padEnd(16)}   ${'cookies'.padEnd(16)}`;
      d.offsets.forEach((offset, i) => {
        const ref = d.refCtrOffsets[i] ?? 0n;
        const cookie = d.cookies[i] ?? 0n;
        s += `\n\t0x${offset.toString(16).padEnd(16)} 0x${ref.toString(16).padEnd(16)} 0x${cookie.toString(16).padEnd(16)}`;
      });
      return s;
    }
    case 'perf_event':
      return d.event ? perfEventText(d.event) : '';
    case 'unknown':
      return '';
  }
}

function perfEventText(e: PerfEventDetails): string {
  switch (e.type) {
    case 'kprobe':
    case 'kretprobe': {
      let s = `\n\t${e.type} `;
      if (e.addr) s += `${e.addr.toString(16)} `;
      s += e.funcName ?? '';
      if (e.offset) s += `+0x${e.offset.toString(16)}`;
      if (e.missed) s += `  missed ${e.missed}`;
      if (e.cookie) s += `  cookie ${e.cookie}`;
      return `${s}  `;
    }
    case 'uprobe':
    case 'uretprobe': {
      let s = `\n\t${e.type} ${e.fileName ?? ''}+${e.offset ? `0x${e.offset.toString(16)}` : '0'}  `;
      if (e.cookie) s += `cookie ${e.cookie}  `;
      if (e.refCtrOffset) s += `ref_ctr_offset 0x${e.refCtrOffset.toString(16)}  `;
      return s;
    }
    case 'tracepoint':
      return `\n\ttracepoint ${e.tpName ?? ''}  ${e.cookie ? `cookie ${e.cookie}  ` : ''}`;
    case 'event': {
      const type = e.eventType ?? 0;
      const config = e.config ?? 0n;
      const typeStr = perfTypeName(type);
      let s = `\n\tevent ${typeStr ? `${typeStr}:` : `${type} :`}`;
      s += `${perfConfigName(type, config) ?? config}  `;
      if (e.cookie) s += `cookie ${e.cookie}  `;
      return s;
    }
    case 'unknown':
      return '';
  }
}
