// rtnetlink dump replies, as the native layer hands them over (messages back to back): the
// interfaces of RTM_GETLINK with their XDP state, and the filters of RTM_GETTFILTER with their
// cls_bpf options. Layouts from include/uapi/linux/{netlink,rtnetlink,if_link,pkt_cls}.h.
//
//   (nlmsghdr and rtattr framing: netlink.ts)
//   ifinfomsg | family u8 | pad u8 | type u16 | index s32 | flags u32 | change u32 |  16 bytes
//   tcmsg     | family u8 | pad u8 | pad u16 | ifindex s32 | handle u32 | parent u32 | info u32 |  20
import { attrMap, cString, hex, splitMessages, u32, u8, view } from './netlink.js';

const IFINFOMSG_LEN = 16;
export const TCMSG_LEN = 20;

export const RTM_NEWLINK = 16;
export const RTM_NEWQDISC = 36;
export const RTM_NEWTCLASS = 40;
export const RTM_NEWTFILTER = 44;

const IFLA_IFNAME = 3;
const IFLA_XDP = 43;
const IFLA_XDP_ATTACHED = 2;
const IFLA_XDP_FLAGS = 3;
const IFLA_XDP_PROG_ID = 4;
const IFLA_XDP_DRV_PROG_ID = 5;
const IFLA_XDP_SKB_PROG_ID = 6;
const IFLA_XDP_HW_PROG_ID = 7;

const TCA_KIND = 1;
const TCA_OPTIONS = 2;
const TCA_BPF_ACT = 1;
const TCA_BPF_NAME = 7;
const TCA_BPF_FLAGS = 8;
const TCA_BPF_FLAGS_GEN = 9;
const TCA_BPF_TAG = 10;
const TCA_BPF_ID = 11;
const TCA_BPF_FLAG_ACT_DIRECT = 1;

/** XDP_ATTACHED_* */
export type XdpAttachMode = 'none' | 'driver' | 'generic' | 'offload' | 'multi';
const XDP_MODES: readonly XdpAttachMode[] = ['none', 'driver', 'generic', 'offload', 'multi'];

export interface XdpProgram {
  mode: 'driver' | 'generic' | 'offload';
  progId: number;
}

export interface NetInterface {
  ifindex: number;
  name: string;
  /** Absent when the kernel sent no IFLA_XDP. */
  xdp?: { attached: XdpAttachMode | number; flags?: number; programs: XdpProgram[] };
}

export interface TcBpfFilter {
  ifindex: number;
  /** TC_H_MAKE(major, minor) of the parent the dump asked for. */
  parent: number;
  handle: number;
  priority: number;
  /** ETH_P_* in host order (the kernel keeps it in network order). */
  protocol: number;
  progId: number;
  /** TCA_BPF_NAME, e.g. `tc_ingress:[1730]` (the program's name and id, as cls_bpf stores it). */
  name?: string;
  directAction: boolean;
  /** TCA_BPF_FLAGS_GEN: skip_hw 1, skip_sw 2, in_hw 4, not_in_hw 8. */
  genFlags?: number;
  tag?: string;
  /** TCA_BPF_ACT present: classic actions follow the classifier. */
  hasActions: boolean;
}

function decodeXdp(nested: Uint8Array): NonNullable<NetInterface['xdp']> {
  const tb = attrMap(nested);
  const code = u8(tb.get(IFLA_XDP_ATTACHED)) ?? 0;
  const attached = XDP_MODES[code] ?? code;
  const programs: XdpProgram[] = [];
  const add = (mode: XdpProgram['mode'], type: number): void => {
    const id = u32(tb.get(type));
    if (id) programs.push({ mode, progId: id });
  };
  if (attached === 'multi') {
    // bpftool's order: generic, driver, offload.
    add('generic', IFLA_XDP_SKB_PROG_ID);
    add('driver', IFLA_XDP_DRV_PROG_ID);
    add('offload', IFLA_XDP_HW_PROG_ID);
  } else if (attached === 'driver' || attached === 'generic' || attached === 'offload') {
    add(attached, IFLA_XDP_PROG_ID);
  }
  const xdp: NonNullable<NetInterface['xdp']> = { attached, programs };
  const flags = u32(tb.get(IFLA_XDP_FLAGS));
  if (flags !== undefined) xdp.flags = flags;
  return xdp;
}

/** Interfaces of an RTM_GETLINK dump, in the kernel's order. */
export function decodeLinkDump(bytes: Uint8Array): NetInterface[] {
  const out: NetInterface[] = [];
  for (const msg of splitMessages(bytes)) {
    if (msg.type !== RTM_NEWLINK || msg.body.byteLength < IFINFOMSG_LEN) continue;
    const tb = attrMap(msg.body.subarray(IFINFOMSG_LEN));
    const ifindex = view(msg.body).getInt32(4, true);
    const iface: NetInterface = { ifindex, name: cString(tb.get(IFLA_IFNAME)) ?? '' };
    const xdp = tb.get(IFLA_XDP);
    if (xdp) iface.xdp = decodeXdp(xdp);
    out.push(iface);
  }
  return out;
}

/** cls_bpf filters of an RTM_GETTFILTER dump; other classifiers and chain heads are skipped. */
export function decodeFilterDump(bytes: Uint8Array): TcBpfFilter[] {
  const out: TcBpfFilter[] = [];
  for (const msg of splitMessages(bytes)) {
    if (msg.type !== RTM_NEWTFILTER || msg.body.byteLength < TCMSG_LEN) continue;
    const tb = attrMap(msg.body.subarray(TCMSG_LEN));
    const options = tb.get(TCA_OPTIONS);
    if (cString(tb.get(TCA_KIND)) !== 'bpf' || !options) continue;
    const opts = attrMap(options);
    const progId = u32(opts.get(TCA_BPF_ID));
    if (progId === undefined) continue;
    const dv = view(msg.body);
    const info = dv.getUint32(16, true);
    const rawProtocol = info & 0xffff;
    const filter: TcBpfFilter = {
      ifindex: dv.getInt32(4, true),
      handle: dv.getUint32(8, true),
      parent: dv.getUint32(12, true),
      priority: info >>> 16,
      protocol: ((rawProtocol & 0xff) << 8) | (rawProtocol >> 8),
      progId,
      directAction: ((u32(opts.get(TCA_BPF_FLAGS)) ?? 0) & TCA_BPF_FLAG_ACT_DIRECT) !== 0,
      hasActions: opts.has(TCA_BPF_ACT),
    };
    const name = cString(opts.get(TCA_BPF_NAME));
    if (name !== undefined) filter.name = name;
    const gen = u32(opts.get(TCA_BPF_FLAGS_GEN));
    if (gen !== undefined) filter.genFlags = gen;
    const tag = opts.get(TCA_BPF_TAG);
    if (tag) filter.tag = hex(tag);
    out.push(filter);
  }
  return out;
}

/** A qdisc or class of an RTM_GETQDISC / RTM_GETTCLASS dump: where filters can hang. */
export interface TcObject {
  ifindex: number;
  handle: number;
  parent: number;
  /** TCA_KIND: `htb`, `prio`, `clsact`, `ingress`, … (`unknown` without one, as bpftool). */
  kind: string;
}

/** Qdiscs or classes of a dump, in the kernel's order. */
export function decodeTcObjectDump(bytes: Uint8Array): TcObject[] {
  const out: TcObject[] = [];
  for (const msg of splitMessages(bytes)) {
    if ((msg.type !== RTM_NEWQDISC && msg.type !== RTM_NEWTCLASS) || msg.body.byteLength < TCMSG_LEN) continue;
    const dv = view(msg.body);
    const tb = attrMap(msg.body.subarray(TCMSG_LEN));
    out.push({ ifindex: dv.getInt32(4, true), handle: dv.getUint32(8, true), parent: dv.getUint32(12, true), kind: cString(tb.get(TCA_KIND)) ?? 'unknown' });
  }
  return out;
}

/** TC_H_ROOT: bpftool dumps filters under it too (an ingress qdisc answers there). */
export const TC_H_ROOT = 0xffffffff;
/** TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS / TC_H_MIN_EGRESS). */
export const CLSACT_INGRESS = 0xfffffff2;
export const CLSACT_EGRESS = 0xfffffff3;
