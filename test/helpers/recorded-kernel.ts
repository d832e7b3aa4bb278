// Kernel records this machine cannot produce, for the features its kernel refuses (fentry,
// fexit and freplace on programs: EPERM at load; arena maps: EPERM at creation). Each record is
// written here from the uapi layout of Linux 6.18 (include/uapi/linux/bpf.h; the offsets are
// spelled out below, independently of main/kernel/info/layout.ts) or is a real record this
// kernel returned with the named fields changed. RecordedHost serves them beside the real
// host's objects, so snapshots, the CLI and the dashboard meet them as they would a kernel's.
import type { Btf } from '../../main/kernel/btf/index.js';
import { decodeBtfInfo, decodeProgInfo } from '../../main/kernel/info/index.js';
import { readFileSync } from 'node:fs';
import type { Host, ObjectKind, RawInfo, RawLinkInfo, RawOwnerFd, RawProgInfo } from '../../main/hosts/host.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { writeSnapshot } from '../../main/hosts/snapshot-writer.js';

/** struct bpf_link_info: type u32 @0, id u32 @4, prog_id u32 @8, then the union @16 (48 bytes in 6.18: 64 in all). */
const LINK_INFO_SIZE = 64;
/** The union's tracing member: attach_type u32 @16, target_obj_id u32 @20, target_btf_id u32 @24, pad, cookie u64 @32. */
const BPF_LINK_TYPE_TRACING = 2;

export function tracingLinkInfo(fields: { id: number; progId: number; attachType: number; targetObjId: number; targetBtfId: number; cookie?: bigint }): Uint8Array {
  const bytes = new Uint8Array(LINK_INFO_SIZE);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, BPF_LINK_TYPE_TRACING, true);
  v.setUint32(4, fields.id, true);
  v.setUint32(8, fields.progId, true);
  v.setUint32(16, fields.attachType, true);
  v.setUint32(20, fields.targetObjId, true);
  v.setUint32(24, fields.targetBtfId, true);
  v.setBigUint64(32, fields.cookie ?? 0n, true);
  return bytes;
}

/** struct bpf_prog_info: type u32 @0, id u32 @4, attach_btf_obj_id u32 @220, attach_btf_id u32 @224 (232 bytes in 6.18). */
export function patchedProgInfo(real: Uint8Array, fields: { id: number; type?: number; attachBtfObjId?: number; attachBtfId?: number }): Uint8Array {
  // A copy: the addon's records are Buffers, whose slice() shares memory.
  const bytes = new Uint8Array(real);
  const v = new DataView(bytes.buffer);
  v.setUint32(4, fields.id, true);
  if (fields.type !== undefined) v.setUint32(0, fields.type, true);
  if (fields.attachBtfObjId !== undefined) v.setUint32(220, fields.attachBtfObjId, true);
  if (fields.attachBtfId !== undefined) v.setUint32(224, fields.attachBtfId, true);
  return bytes;
}

/** struct bpf_map_info: type @0, id @4, key_size @8, value_size @12, max_entries @16, map_flags @20, name @24 (16), btf_id @64, map_extra u64 @80 (104 bytes). */
export function mapInfo(fields: { id: number; type: number; keySize: number; valueSize: number; maxEntries: number; flags: number; name: string; mapExtra?: bigint }): Uint8Array {
  const bytes = new Uint8Array(104);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, fields.type, true);
  v.setUint32(4, fields.id, true);
  v.setUint32(8, fields.keySize, true);
  v.setUint32(12, fields.valueSize, true);
  v.setUint32(16, fields.maxEntries, true);
  v.setUint32(20, fields.flags, true);
  bytes.set(new TextEncoder().encode(fields.name.slice(0, 15)), 24);
  v.setBigUint64(80, fields.mapExtra ?? 0n, true);
  return bytes;
}

export interface RecordedObjects {
  progs?: Map<number, RawProgInfo>;
  maps?: Map<number, RawInfo>;
  links?: Map<number, RawLinkInfo>;
  /** fds the owner scan reports besides the real ones (a process holding a recorded map). */
  owners?: RawOwnerFd[];
}

const EMPTY = new Uint8Array(0);

/** A link record with no auxiliary buffers (tracing links have none). */
export function rawLink(id: number, info: Uint8Array): RawLinkInfo {
  return { id, info, fdinfo: '', name: EMPTY, addrs: EMPTY, offsets: EMPTY, refCtrOffsets: EMPTY, cookies: EMPTY };
}

/** A real host with recorded objects added (ids of its own objects are left as they are). */
export function recordedHost(base: Host, recorded: RecordedObjects): Host {
  const extra: Record<ObjectKind, number[]> = {
    prog: [...(recorded.progs?.keys() ?? [])],
    map: [...(recorded.maps?.keys() ?? [])],
    link: [...(recorded.links?.keys() ?? [])],
    btf: [],
  };
  const overrides: Partial<Host> = {
    listIds: async (kind) => [...new Set([...(await base.listIds(kind)), ...extra[kind]])].sort((a, b) => a - b),
    progInfo: async (id, detail) => recorded.progs?.get(id) ?? base.progInfo(id, detail),
    mapInfo: async (id) => recorded.maps?.get(id) ?? base.mapInfo(id),
    linkInfo: async (id) => recorded.links?.get(id) ?? base.linkInfo(id),
    owners: async () => [...(await base.owners()), ...(recorded.owners ?? [])],
  };
  return new Proxy(base, {
    get(target, key, receiver) {
      if (typeof key === 'string' && key in overrides) return overrides[key as keyof Host];
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const BPF_PROG_TYPE_TRACING = 26;
const BPF_PROG_TYPE_EXT = 28;
const BPF_TRACE_FENTRY = 24;
const BPF_TRACE_FEXIT = 25;

/** Recorded ids, far above the ids this kernel hands out during a test. */
export const RECORDED = {
  fentryProg: 0x7fff0001,
  freplaceProg: 0x7fff0002,
  kernelFexitProg: 0x7fff0003,
  fentryLink: 0x7fff0011,
  freplaceLink: 0x7fff0012,
  kernelFexitLink: 0x7fff0013,
} as const;

export interface ExtensionSnapshot {
  /** The real program the recorded fentry and freplace programs run on. */
  targetId: number;
  /** Its function's type id in its BTF. */
  funcId: number;
  vmlinuxId: number;
}

function funcIdOf(btf: Btf, name: string): number {
  for (let id = btf.firstId; id < btf.typeCount; id++) {
    const type = btf.type(id);
    if (type.kind === 'func' && type.name === name) return id;
  }
  throw new Error(`no function ${name} in BTF`);
}

/**
 * A snapshot of this machine plus programs on programs: an fentry and a freplace program on the
 * function of the real program `targetId`, and an fexit on a kernel function, their links written
 * from the uapi layout and their program records real ones (`sourceId`'s) given the type and
 * attach_btf_obj_id/attach_btf_id the kernel sets once they are attached.
 */
export async function writeExtensionSnapshot(local: Host, targetId: number, sourceId: number, path: string): Promise<ExtensionSnapshot> {
  const session = new HostSession(local);
  const target = decodeProgInfo((await local.progInfo(targetId, false))!.info);
  const targetBtf = await session.btf(target.btfId!);
  // The program's own function (a name of at most 15 characters, as the kernel keeps it).
  const funcId = funcIdOf(targetBtf, target.name ?? '');
  const getpgid = funcIdOf(await session.vmlinuxBtf(), '__x64_sys_getpgid');
  let vmlinuxId = 0;
  for (const id of await local.listIds('btf')) {
    const raw = await local.btfInfo(id);
    if (raw && decodeBtfInfo(raw.info, raw.name).name === 'vmlinux') vmlinuxId = id;
  }
  const real = (await local.progInfo(sourceId, true))!;
  const prog = (id: number, type: number, attachBtfObjId: number, attachBtfId: number): RawProgInfo => ({ ...real, id, info: patchedProgInfo(real.info, { id, type, attachBtfObjId, attachBtfId }) });
  const link = (id: number, progId: number, attachType: number, targetObjId: number, targetBtfId: number): RawLinkInfo =>
    rawLink(id, tracingLinkInfo({ id, progId, attachType, targetObjId, targetBtfId }));
  const host = recordedHost(local, {
    progs: new Map([
      // Attached to a program: the kernel cleared dst_prog, so attach_btf_obj_id reads 0.
      [RECORDED.fentryProg, prog(RECORDED.fentryProg, BPF_PROG_TYPE_TRACING, 0, funcId)],
      [RECORDED.freplaceProg, prog(RECORDED.freplaceProg, BPF_PROG_TYPE_EXT, 0, funcId)],
      // Attached to a kernel function: attach_btf_obj_id is vmlinux's BTF id.
      [RECORDED.kernelFexitProg, prog(RECORDED.kernelFexitProg, BPF_PROG_TYPE_TRACING, vmlinuxId, getpgid)],
    ]),
    links: new Map([
      [RECORDED.fentryLink, link(RECORDED.fentryLink, RECORDED.fentryProg, BPF_TRACE_FENTRY, targetId, funcId)],
      // freplace links carry the program's expected attach type, 0.
      [RECORDED.freplaceLink, link(RECORDED.freplaceLink, RECORDED.freplaceProg, 0, targetId, funcId)],
      [RECORDED.kernelFexitLink, link(RECORDED.kernelFexitLink, RECORDED.kernelFexitProg, BPF_TRACE_FEXIT, vmlinuxId, getpgid)],
    ]),
  });
  await writeSnapshot(host, path, { maps: 'none', maxEntries: 0, withVmlinux: false });
  return { targetId, funcId, vmlinuxId };
}


const BPF_MAP_TYPE_ARENA = 33;
const BPF_F_MMAPABLE = 1 << 10;
export const RECORDED_ARENA = 0x7fff0100;

/**
 * Where process pid maps the one-page BPF map whose bytes start with `value` (an mmapable array
 * such as a skeleton's .data, as bpftool dumps it): a real anon_inode:bpf-map mapping.
 */
export async function bpfMappingOf(local: Host, pid: number, value: Uint8Array): Promise<bigint> {
  for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) rw-s .*anon_inode:bpf-map$/.exec(line);
    if (!m) continue;
    const start = BigInt(`0x${m[1]}`);
    const read = await local.procMapPages!(pid, start, 1);
    if (read.present[0] && Buffer.from(read.bytes.subarray(0, value.length)).equals(Buffer.from(value))) return start;
  }
  throw new Error(`pid ${pid} maps no BPF map holding those bytes`);
}

/**
 * This machine plus an arena (this kernel refuses to create one) of `pages` pages whose user
 * address is `start`, a real BPF map mapping of process pid, held by that process: its pages are
 * real memory. Without a fixed address its map_extra is 0, as the kernel reports an arena created
 * without one after the first mmap picked its address.
 */
export function arenaHost(local: Host, pid: number, comm: string, start: bigint, shape: { pages: number; fixedAddress: boolean } = { pages: 1, fixedAddress: true }): Host {
  const mapExtra = shape.fixedAddress ? start : 0n;
  return recordedHost(local, {
    maps: new Map([[RECORDED_ARENA, { id: RECORDED_ARENA, info: mapInfo({ id: RECORDED_ARENA, type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: shape.pages, flags: BPF_F_MMAPABLE, name: 'rec_arena', mapExtra }), fdinfo: '' }]]),
    owners: [{ pid, fd: 1000, comm, target: 'anon_inode:bpf-map', fdinfo: `map_type:\t${BPF_MAP_TYPE_ARENA}\nmap_id:\t${RECORDED_ARENA}\n` }],
  });
}
