// Lightweight-tunnel BPF programs on routes (RTM_GETROUTE dump, `ip route … encap bpf`), and
// how a route's program is matched to a loaded one. Layouts from include/uapi/linux/
// {rtnetlink,lwtunnel}.h.
//
//   rtmsg      | family u8 | dst_len u8 | src_len u8 | tos u8 | table u8 | protocol u8 |
//              | scope u8 | type u8 | flags u32 |                                           12 bytes
//   rtnexthop  | len u16 | flags u8 | hops u8 | ifindex s32 | attributes … |  (RTA_MULTIPATH)
//   RTA_ENCAP_TYPE u16 = LWTUNNEL_ENCAP_BPF; RTA_ENCAP { LWT_BPF_IN|OUT|XMIT { PROG_NAME } }
//
// The kernel reports a program by the name given when the route was added (LWT_BPF_PROG_NAME,
// any string: libbpf users pass the function name, iproute2 `file:[section]`), never by id or
// tag. resolveLwtProgram matches it against loaded programs by type and name.
import { attrMap, attributes, cString, splitMessages, u16, u32, view } from './netlink.js';

const RTM_NEWROUTE = 24;
const RTMSG_LEN = 12;
const RTNEXTHOP_LEN = 8;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_MULTIPATH = 9;
const RTA_TABLE = 15;
const RTA_ENCAP_TYPE = 21;
const RTA_ENCAP = 22;
const LWTUNNEL_ENCAP_BPF = 6;
const LWT_BPF_XMIT_HEADROOM = 4;
const LWT_BPF_PROG_NAME = 2;
const AF_INET = 2;
const AF_INET6 = 10;
/** Kernel program names hold at most BPF_OBJ_NAME_LEN - 1 characters. */
const KERNEL_NAME_MAX = 15;
const MAX_NEXTHOPS = 4096;

export type LwtHook = 'in' | 'out' | 'xmit';
const HOOKS: ReadonlyArray<[number, LwtHook]> = [[1, 'in'], [2, 'out'], [3, 'xmit']];
/** BPF_PROG_TYPE_LWT_IN / _OUT / _XMIT: the only type each hook accepts. */
export const LWT_PROG_TYPES: Readonly<Record<LwtHook, number>> = { in: 10, out: 11, xmit: 12 };

export interface LwtBpfRoute {
  family: number;
  /** `198.18.0.7/32`, `2001:db8::/64`, `default`; other families as hex. */
  dst: string;
  table: number;
  /** The output interface of the route (or of the nexthop, for multipath routes). */
  oif?: number;
  programs: Array<{ hook: LwtHook; name: string }>;
  headroom?: number;
}

/** RFC 5952 text: the longest run of two or more zero groups becomes `::`. */
function ipv6(bytes: Uint8Array): string {
  const dv = view(bytes);
  const groups = Array.from({ length: 8 }, (_, i) => dv.getUint16(i * 2));
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hexes = groups.map((g) => g.toString(16));
  if (best < 0) return hexes.join(':');
  return `${hexes.slice(0, best).join(':')}::${hexes.slice(best + bestLen).join(':')}`;
}

function address(family: number, bytes: Uint8Array | undefined, len: number): string {
  if (!bytes) return 'default';
  let text: string;
  if (family === AF_INET && bytes.byteLength >= 4) text = Array.from(bytes.subarray(0, 4)).join('.');
  else if (family === AF_INET6 && bytes.byteLength >= 16) {
    text = ipv6(bytes);
  } else text = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${text}/${len}`;
}

/** The BPF programs of one RTA_ENCAP_TYPE + RTA_ENCAP pair, or undefined for other encaps. */
function lwtOf(tb: Map<number, Uint8Array>): Pick<LwtBpfRoute, 'programs' | 'headroom'> | undefined {
  const encap = tb.get(RTA_ENCAP);
  if (u16(tb.get(RTA_ENCAP_TYPE)) !== LWTUNNEL_ENCAP_BPF || !encap) return undefined;
  const nested = attrMap(encap);
  const programs: LwtBpfRoute['programs'] = [];
  for (const [type, hook] of HOOKS) {
    const prog = nested.get(type);
    if (prog) programs.push({ hook, name: cString(attrMap(prog).get(LWT_BPF_PROG_NAME)) ?? '' });
  }
  const headroom = u32(nested.get(LWT_BPF_XMIT_HEADROOM));
  return headroom === undefined ? { programs } : { programs, headroom };
}

/** Routes with an LWT BPF encap, one record per route (or per nexthop that has one). */
export function decodeRouteDump(bytes: Uint8Array): LwtBpfRoute[] {
  const out: LwtBpfRoute[] = [];
  for (const msg of splitMessages(bytes)) {
    if (msg.type !== RTM_NEWROUTE || msg.body.byteLength < RTMSG_LEN) continue;
    const b = msg.body;
    const tb = attrMap(b.subarray(RTMSG_LEN));
    const base = { family: b[0]!, dst: address(b[0]!, tb.get(RTA_DST), b[1]!), table: u32(tb.get(RTA_TABLE)) ?? b[4]! };
    const oif = u32(tb.get(RTA_OIF));
    const lwt = lwtOf(tb);
    if (lwt) out.push({ ...base, ...(oif !== undefined ? { oif } : {}), ...lwt });
    const multipath = tb.get(RTA_MULTIPATH);
    if (!multipath) continue;
    const dv = view(multipath);
    for (let at = 0, n = 0; at + RTNEXTHOP_LEN <= multipath.byteLength && n < MAX_NEXTHOPS; n++) {
      const len = dv.getUint16(at, true);
      if (len < RTNEXTHOP_LEN || at + len > multipath.byteLength) break;
      const hop = lwtOf(new Map(attributes(multipath.subarray(at + RTNEXTHOP_LEN, at + len)).map((a) => [a.type, a.data])));
      if (hop) out.push({ ...base, oif: dv.getInt32(at + 4, true), ...hop });
      at += (len + 3) & ~3;
    }
  }
  return out;
}

/** A loaded program, as far as matching needs it. */
export interface LwtCandidate {
  id: number;
  type: number;
  name: string;
}

/**
 * name: one program of the hook's type has the route's name (whole, or its first 15
 * characters, which is all the kernel keeps); only-of-type: no name matches but one program
 * of that type is loaded; ambiguous: several fit equally (progIds lists them all); none.
 */
export interface LwtResolution {
  progIds: number[];
  by: 'name' | 'only-of-type' | 'ambiguous' | 'none';
}

export function resolveLwtProgram(hook: LwtHook, lwtName: string, candidates: readonly LwtCandidate[]): LwtResolution {
  const ofType = candidates.filter((c) => c.type === LWT_PROG_TYPES[hook]);
  const named = ofType.filter((c) => c.name === lwtName || (c.name.length === KERNEL_NAME_MAX && lwtName.startsWith(c.name)));
  const pick = named.length ? named : ofType;
  const progIds = pick.map((c) => c.id).sort((a, b) => a - b);
  if (pick.length > 1) return { progIds, by: 'ambiguous' };
  if (pick.length === 0) return { progIds, by: 'none' };
  return { progIds, by: named.length ? 'name' : 'only-of-type' };
}
