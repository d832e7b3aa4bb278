// rtnetlink dump replies, as the native layer hands them over (messages back to back): the
// interfaces of RTM_GETLINK with their XDP state, and the filters of RTM_GETTFILTER with their
// cls_bpf options. Layouts from include/uapi/linux/{netlink,rtnetlink,if_link,pkt_cls}.h.
//
//   nlmsghdr  | len u32 | type u16 | flags u16 | seq u32 | pid u32 |            16 bytes
//   ifinfomsg | family u8 | pad u8 | type u16 | index s32 | flags u32 | change u32 |  16 bytes
//   tcmsg     | family u8 | pad u8 | pad u16 | ifindex s32 | handle u32 | parent u32 | info u32 |  20
//   rtattr    | len u16 | type u16 | payload, padded to 4 |
const NLMSG_HDRLEN = 16;
const IFINFOMSG_LEN = 16;
const TCMSG_LEN = 20;
const RTA_HDRLEN = 4;
/** NLA_F_NESTED and NLA_F_NET_BYTEORDER ride in the top bits of the type. */
const NLA_TYPE_MASK = 0x3fff;
/** Bound on messages and attributes walked in one buffer (the native dump is 32 MiB at most). */
const MAX_ITEMS = 1 << 20;

export const RTM_NEWLINK = 16;
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

interface Attr {
  type: number;
  data: Uint8Array;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface Message {
  type: number;
  body: Uint8Array;
}

/** Splits a dump into messages; a truncated tail is an error (the native layer never cuts one). */
export function splitMessages(bytes: Uint8Array): Message[] {
  const messages: Message[] = [];
  const dv = view(bytes);
  let offset = 0;
  while (offset + NLMSG_HDRLEN <= bytes.byteLength && messages.length < MAX_ITEMS) {
    const len = dv.getUint32(offset, true);
    if (len < NLMSG_HDRLEN || offset + len > bytes.byteLength) throw new Error(`netlink: bad message length ${len} at ${offset}`);
    messages.push({ type: dv.getUint16(offset + 4, true), body: bytes.subarray(offset + NLMSG_HDRLEN, offset + len) });
    offset += (len + 3) & ~3;
  }
  return messages;
}

function attributes(bytes: Uint8Array): Attr[] {
  const attrs: Attr[] = [];
  const dv = view(bytes);
  let offset = 0;
  while (offset + RTA_HDRLEN <= bytes.byteLength && attrs.length < MAX_ITEMS) {
    const len = dv.getUint16(offset, true);
    if (len < RTA_HDRLEN || offset + len > bytes.byteLength) break;
    attrs.push({ type: dv.getUint16(offset + 2, true) & NLA_TYPE_MASK, data: bytes.subarray(offset + RTA_HDRLEN, offset + len) });
    offset += (len + 3) & ~3;
  }
  return attrs;
}

function attrMap(bytes: Uint8Array): Map<number, Uint8Array> {
  return new Map(attributes(bytes).map((a) => [a.type, a.data]));
}

function u32(data: Uint8Array | undefined): number | undefined {
  return data && data.byteLength >= 4 ? view(data).getUint32(0, true) : undefined;
}

function u8(data: Uint8Array | undefined): number | undefined {
  return data && data.byteLength >= 1 ? data[0] : undefined;
}

function cString(data: Uint8Array | undefined): string | undefined {
  if (!data) return undefined;
  const end = data.indexOf(0);
  return new TextDecoder().decode(end < 0 ? data : data.subarray(0, end));
}

function hex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
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

/** TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS / TC_H_MIN_EGRESS). */
export const CLSACT_INGRESS = 0xfffffff2;
export const CLSACT_EGRESS = 0xfffffff3;
