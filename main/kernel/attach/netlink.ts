// Netlink framing shared by the rtnetlink decoders: messages back to back, each an nlmsghdr
// and a family header followed by attributes (include/uapi/linux/netlink.h).
//
//   nlmsghdr  | len u32 | type u16 | flags u16 | seq u32 | pid u32 |   16 bytes
//   rtattr    | len u16 | type u16 | payload, padded to 4 |
const NLMSG_HDRLEN = 16;
const RTA_HDRLEN = 4;
/** NLA_F_NESTED and NLA_F_NET_BYTEORDER ride in the top bits of the type. */
const NLA_TYPE_MASK = 0x3fff;
/** Bound on messages and attributes walked in one buffer (the native dump is 32 MiB at most). */
const MAX_ITEMS = 1 << 20;

export interface Attr {
  type: number;
  data: Uint8Array;
}

export interface Message {
  type: number;
  body: Uint8Array;
}

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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

export function attributes(bytes: Uint8Array): Attr[] {
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

export function attrMap(bytes: Uint8Array): Map<number, Uint8Array> {
  return new Map(attributes(bytes).map((a) => [a.type, a.data]));
}

export function u32(data: Uint8Array | undefined): number | undefined {
  return data && data.byteLength >= 4 ? view(data).getUint32(0, true) : undefined;
}

export function u16(data: Uint8Array | undefined): number | undefined {
  return data && data.byteLength >= 2 ? view(data).getUint16(0, true) : undefined;
}

export function u8(data: Uint8Array | undefined): number | undefined {
  return data && data.byteLength >= 1 ? data[0] : undefined;
}

export function cString(data: Uint8Array | undefined): string | undefined {
  if (!data) return undefined;
  const end = data.indexOf(0);
  return new TextDecoder().decode(end < 0 ? data : data.subarray(0, end));
}

export function hex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}
