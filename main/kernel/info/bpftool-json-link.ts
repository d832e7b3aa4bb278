// `bpftool link show -j` (v7.1) objects, as show_link_close_json (link.c) prints them. bpftool
// 7.1 details only raw_tracepoint, tracing, cgroup, iter and netns links; for the other kinds,
// and for fields newer kernels added, we print what later bpftool releases print, with their
// key names, after bpftool 7.1's keys.

import { cgroupIterOrderName, perfConfigName, perfTypeName, typeJsonValue, type NameStyle } from '../names/index.js';
import { linkKeysOfBpftool71 } from './bpftool-keys.js';
import { addPids, addPinned, uniqueOwners } from './json-common.js';
import type { JsonObject, JsonValue } from './json-value.js';
import type { LinkDetails, PerfEventDetails } from './link-info.js';
import type { LinkShow, ShowOptions } from './show-input.js';

/** One element of `bpftool link show -j`. */
export function renderLinkJson(link: LinkShow, options: ShowOptions = {}): JsonObject {
  const { info } = link;
  const names = options.names ?? 'linux-6.18';
  const out: JsonObject = {
    id: info.id,
    type: typeJsonValue('link', info.type, names),
    prog_id: info.progId ?? 0,
  };
  if (info.details) addDetails(out, info.details, link, names, options);
  addPinned(out, link.pinned);
  // bpftool's pid iterator reports a perf_event link's cookie next to its owners.
  const cookie = perfEventCookie(info.details);
  if (cookie !== undefined && uniqueOwners(link.owners).length > 0) out.bpf_cookie = cookie;
  addPids(out, link.owners);
  return options.keys === 'bpftool-7.1' ? linkKeysOfBpftool71(out, info.details?.kind) : out;
}

function perfEventCookie(details: LinkDetails | undefined): bigint | undefined {
  if (details?.kind !== 'perf_event' || !details.event || details.event.type === 'unknown') return undefined;
  return details.event.cookie;
}

function attachType(out: JsonObject, value: number | undefined, names: NameStyle): void {
  if (value !== undefined) out.attach_type = typeJsonValue('attach', value, names);
}

// show_link_ifindex_json (bpftool 7.3+): devname first, "(detached)" when the ifindex is 0.
function ifindexFields(out: JsonObject, ifindex: number | undefined, ifname: string | undefined): void {
  if (ifindex === undefined) return;
  if (ifindex === 0) out.devname = '(detached)';
  else if (ifname !== undefined) out.devname = ifname;
  out.ifindex = ifindex;
}

function set(out: JsonObject, key: string, value: JsonValue | undefined): void {
  if (value !== undefined) out[key] = value;
}

function addDetails(out: JsonObject, d: LinkDetails, link: LinkShow, names: NameStyle, options: ShowOptions): void {
  switch (d.kind) {
    case 'raw_tracepoint':
      set(out, 'tp_name', d.tpName);
      set(out, 'cookie', d.cookie);
      return;
    case 'tracing':
      if (link.progType !== undefined) out.prog_type = typeJsonValue('prog', link.progType, names);
      attachType(out, d.attachType, names);
      set(out, 'target_obj_id', d.targetObjId);
      set(out, 'target_btf_id', d.targetBtfId);
      set(out, 'cookie', d.cookie);
      return;
    case 'cgroup':
      set(out, 'cgroup_id', d.cgroupId);
      attachType(out, d.attachType, names);
      return;
    case 'iter':
      set(out, 'target_name', d.targetName);
      set(out, 'map_id', d.mapId);
      // bpftool prints the tid when set, else the pid when set, else neither.
      if (d.tid) out.tid = d.tid;
      else if (d.pid) out.pid = d.pid;
      set(out, 'cgroup_id', d.cgroupId);
      if (d.order !== undefined) out.order = cgroupIterOrderName(d.order);
      return;
    case 'netns':
      set(out, 'netns_ino', d.netnsIno);
      attachType(out, d.attachType, names);
      return;
    case 'netfilter':
      set(out, 'pf', d.pf);
      set(out, 'hook', d.hooknum);
      set(out, 'prio', d.priority);
      set(out, 'flags', d.flags);
      return;
    case 'tcx':
    case 'netkit':
      ifindexFields(out, d.ifindex, link.ifname);
      attachType(out, d.attachType, names);
      return;
    case 'sockmap':
      set(out, 'map_id', d.mapId);
      attachType(out, d.attachType, names);
      return;
    case 'xdp':
      ifindexFields(out, d.ifindex, link.ifname);
      return;
    case 'struct_ops':
      set(out, 'map_id', d.mapId);
      return;
    case 'kprobe_multi':
      addKprobeMulti(out, d, options);
      return;
    case 'uprobe_multi':
      set(out, 'retprobe', d.retprobe);
      set(out, 'path', d.path);
      set(out, 'func_cnt', d.count);
      // bpftool casts the pid to int: "pid": -1 style values stay signed.
      if (d.pid !== undefined) out.pid = d.pid | 0;
      out.funcs = d.offsets.map((offset, i) => ({
        offset,
        ref_ctr_offset: d.refCtrOffsets[i] ?? 0n,
        cookie: d.cookies[i] ?? 0n,
      }));
      return;
    case 'perf_event':
      if (d.event) addPerfEvent(out, d.event);
      return;
    case 'unknown':
      return;
  }
}

// bpftool lists the functions sorted by address with the kallsyms name and module (null for
// vmlinux); an address without a symbol is listed with its address and cookie only.
function addKprobeMulti(out: JsonObject, d: Extract<LinkDetails, { kind: 'kprobe_multi' }>, options: ShowOptions): void {
  set(out, 'retprobe', d.retprobe);
  set(out, 'func_cnt', d.count);
  set(out, 'missed', d.missed);
  const pairs = d.addrs.map((addr, i) => ({ addr, cookie: d.cookies[i] ?? 0n }));
  pairs.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  out.funcs = pairs.map(({ addr, cookie }) => {
    const entry: JsonObject = { addr };
    const sym = options.resolveKsym?.(addr);
    if (sym) {
      entry.func = sym.name;
      entry.module = sym.module ?? null;
    }
    entry.cookie = cookie;
    return entry;
  });
}

function addPerfEvent(out: JsonObject, e: PerfEventDetails): void {
  switch (e.type) {
    case 'kprobe':
    case 'kretprobe':
      out.retprobe = e.type === 'kretprobe';
      set(out, 'addr', e.addr);
      set(out, 'func', e.funcName);
      set(out, 'offset', e.offset);
      set(out, 'missed', e.missed);
      set(out, 'cookie', e.cookie);
      return;
    case 'uprobe':
    case 'uretprobe':
      out.retprobe = e.type === 'uretprobe';
      set(out, 'file', e.fileName);
      set(out, 'offset', e.offset);
      set(out, 'cookie', e.cookie);
      set(out, 'ref_ctr_offset', e.refCtrOffset);
      return;
    case 'tracepoint':
      set(out, 'tracepoint', e.tpName);
      set(out, 'cookie', e.cookie);
      return;
    case 'event':
      if (e.eventType !== undefined) out.event_type = perfTypeName(e.eventType) ?? e.eventType;
      if (e.eventType !== undefined && e.config !== undefined) {
        out.event_config = perfConfigName(e.eventType, e.config) ?? e.config;
      }
      set(out, 'cookie', e.cookie);
      return;
    case 'unknown':
      return;
  }
}
