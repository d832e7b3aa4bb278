// `bpftool prog|map show -j` (v7.1) objects: the same keys, values and key order as
// print_prog_json (prog.c) and show_map_close_json (map.c). Keys of ours that bpftool lacks
// come after bpftool's own and before `pinned`/`pids`, so bpftool's keys keep their order.

import { typeJsonValue } from '../names/index.js';
import { loadedAtSeconds } from './boot-time.js';
import type { JsonObject } from './json-value.js';
import { progFullName } from './prog-info.js';
import { mapKeysOfBpftool71, progKeysOfBpftool71 } from './bpftool-keys.js';
import { addPids, addPinned } from './json-common.js';
import { arenaOf } from '../maps/arena.js';
import type { MapShow, ProgShow, ShowOptions } from './show-input.js';

/** Only the page count and address are printed: the byte size needs the host's page size, which dump map reads. */
const ARENA_PAGE_SIZE = 4096;

const BPF_MAP_TYPE_PROG_ARRAY = 3;

// print_dev_json: only for offloaded objects; the ifname needs a netns lookup we do not do.
function addDev(out: JsonObject, ifindex: number | undefined, nsDev?: bigint, nsIno?: bigint): void {
  if (!ifindex) return;
  out.dev = { ifindex, ns_dev: nsDev ?? 0n, ns_inode: nsIno ?? 0n };
}

/** One element of `bpftool prog show -j`. */
export function renderProgJson(prog: ProgShow, options: ShowOptions = {}): JsonObject {
  const { info } = prog;
  const names = options.names ?? 'linux-6.18';
  const out: JsonObject = { id: info.id, type: typeJsonValue('prog', info.type, names) };
  if (info.name) out.name = progFullName(info, prog.firstFuncName);
  out.tag = info.tag ?? '0000000000000000';
  out.gpl_compatible = info.gplCompatible ?? false;
  if (info.runTimeNs) {
    out.run_time_ns = info.runTimeNs;
    out.run_cnt = info.runCnt ?? 0n;
  }
  if (info.recursionMisses) out.recursion_misses = info.recursionMisses;
  addDev(out, info.ifindex, info.netnsDev, info.netnsIno);
  if (info.loadTime) {
    out.loaded_at = loadedAtSeconds(info.loadTime, options.bootToWallNs);
    out.uid = info.createdByUid ?? 0;
  }
  out.bytes_xlated = info.xlatedProgLen ?? 0;
  out.jited = (info.jitedProgLen ?? 0) !== 0;
  if (info.jitedProgLen) out.bytes_jited = info.jitedProgLen;
  if (prog.fdinfo?.memlock !== undefined) out.bytes_memlock = prog.fdinfo.memlock;
  if (info.nrMapIds && prog.mapIds && prog.mapIds.length > 0) out.map_ids = [...prog.mapIds];
  if (info.btfId) out.btf_id = info.btfId;
  if (info.verifiedInsns !== undefined) out.verified_insns = info.verifiedInsns;
  if (info.attachBtfId) {
    out.attach_btf_obj_id = info.attachBtfObjId ?? 0;
    out.attach_btf_id = info.attachBtfId;
  }
  addPinned(out, prog.pinned);
  addPids(out, prog.owners);
  if (prog.metadata?.length) out.metadata = Object.fromEntries(prog.metadata.map((m) => [m.name, m.json]));
  return options.keys === 'bpftool-7.1' ? progKeysOfBpftool71(out) : out;
}

/** One element of `bpftool map show -j`. */
export function renderMapJson(map: MapShow, options: ShowOptions = {}): JsonObject {
  const { info, fdinfo } = map;
  const names = options.names ?? 'linux-6.18';
  const out: JsonObject = { id: info.id, type: typeJsonValue('map', info.type, names) };
  if (info.name) out.name = info.name;
  // bpftool prints the flags with %d, so bit 31 shows as a negative number.
  out.flags = (info.mapFlags ?? 0) | 0;
  addDev(out, info.ifindex, info.netnsDev, info.netnsIno);
  out.bytes_key = info.keySize ?? 0;
  out.bytes_value = info.valueSize ?? 0;
  out.max_entries = info.maxEntries ?? 0;
  if (fdinfo?.memlock !== undefined) out.bytes_memlock = fdinfo.memlock;
  if (info.type === BPF_MAP_TYPE_PROG_ARRAY) {
    if (fdinfo?.ownerProgType !== undefined) {
      out.owner_prog_type = typeJsonValue('prog', fdinfo.ownerProgType, names);
    }
    if (fdinfo?.ownerJited !== undefined) out.owner_jited = fdinfo.ownerJited;
  }
  out.frozen = fdinfo?.frozen ? 1 : 0;
  if (info.btfId) out.btf_id = info.btfId;
  if (info.mapExtra) out.map_extra = info.mapExtra;
  if (info.btfKeyTypeId) out.btf_key_type_id = info.btfKeyTypeId;
  if (info.btfValueTypeId) out.btf_value_type_id = info.btfValueTypeId;
  if (info.btfVmlinuxValueTypeId) out.btf_vmlinux_value_type_id = info.btfVmlinuxValueTypeId;
  const arena = arenaOf(info, ARENA_PAGE_SIZE);
  if (arena) out.arena = { pages: arena.pages, user_vm_start: arena.userVmStart === undefined ? null : `0x${arena.userVmStart.toString(16)}`, segv_on_fault: arena.segvOnFault, no_user_conv: arena.noUserConv };
  if (map.contentHash) out.sha256 = Array.from(map.contentHash, (b) => b.toString(16).padStart(2, '0')).join('');
  addPinned(out, map.pinned);
  addPids(out, map.owners);
  return options.keys === 'bpftool-7.1' ? mapKeysOfBpftool71(out) : out;
}
