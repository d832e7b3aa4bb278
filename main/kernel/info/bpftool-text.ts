// `bpftool prog|map|link show` text (v7.1): print_prog_plain (prog.c), show_map_close_plain
// (map.c), show_link_close_plain (link.c). Each object renders as its lines, ending in "\n".
// Link kinds bpftool 7.1 does not detail get lines shaped like later bpftool releases print.

import { typeName, type NameStyle, type TypeKind } from '../names/index.js';
import { formatLocalTime, loadedAtSeconds } from './boot-time.js';
import { uniqueOwners } from './json-common.js';
import { linkDetailsText } from './bpftool-text-link.js';
import { arenaOf } from '../maps/arena.js';
import { progFullName } from './prog-info.js';
import type { LinkShow, MapShow, Owner, ProgShow, ShowOptions } from './show-input.js';

const BPF_MAP_TYPE_PROG_ARRAY = 3;

/** A type as bpftool's text shows it: its name, or "type N" when it has none. */
export function typeText(kind: TypeKind, value: number, names: NameStyle): string {
  return typeName(kind, value, names) ?? `type ${value}`;
}

function devText(ifindex: number | undefined, nsDev?: bigint, nsIno?: bigint): string {
  if (!ifindex) return '';
  return `  offloaded_to ifindex ${ifindex} ns_dev ${nsDev ?? 0n} ns_ino ${nsIno ?? 0n}`;
}

function pinnedText(pinned: readonly string[] | undefined): string {
  return pinned?.length ? pinned.map((p) => `\n\tpinned ${p}`).join('') : '';
}

/** emit_obj_refs_plain: "\n\tpids comm(pid), comm(pid)". */
export function pidsText(owners: readonly Owner[] | undefined): string {
  const unique = uniqueOwners(owners);
  if (unique.length === 0) return '';
  return `\n\tpids ${unique.map((o) => `${o.comm}(${o.pid})`).join(', ')}`;
}

/** show_prog_metadata's text: a `metadata:` line, then `name = value` per variable. */
function metadataText(prog: ProgShow): string {
  if (!prog.metadata?.length) return '';
  return `\tmetadata:${prog.metadata.map((m) => `\n\t\t${m.name} = ${m.text}`).join('')}\n`;
}

/** One program as `bpftool prog show` prints it. */
export function renderProgText(prog: ProgShow, options: ShowOptions = {}): string {
  const { info } = prog;
  const names = options.names ?? 'linux-6.18';
  let s = `${info.id}: ${typeText('prog', info.type, names)}  `;
  if (info.name) s += `name ${progFullName(info, prog.firstFuncName)}  `;
  s += `tag ${info.tag ?? '0000000000000000'}`;
  s += devText(info.ifindex, info.netnsDev, info.netnsIno);
  if (info.gplCompatible) s += '  gpl';
  if (info.runTimeNs) s += ` run_time_ns ${info.runTimeNs} run_cnt ${info.runCnt ?? 0n}`;
  if (info.recursionMisses) s += ` recursion_misses ${info.recursionMisses}`;
  s += '\n';
  if (info.loadTime) {
    const seconds = Number(loadedAtSeconds(info.loadTime, options.bootToWallNs));
    s += `\tloaded_at ${options.localTime?.(seconds) ?? formatLocalTime(seconds, 0)}  uid ${info.createdByUid ?? 0}\n`;
  }
  s += `\txlated ${info.xlatedProgLen ?? 0}B`;
  s += info.jitedProgLen ? `  jited ${info.jitedProgLen}B` : '  not jited';
  if (prog.fdinfo?.memlock !== undefined) s += `  memlock ${prog.fdinfo.memlock}B`;
  if (info.nrMapIds && prog.mapIds && prog.mapIds.length > 0) s += `  map_ids ${prog.mapIds.join(',')}`;
  s += pinnedText(prog.pinned);
  if (info.btfId) s += `\n\tbtf_id ${info.btfId}`;
  s += pidsText(prog.owners);
  return `${s}\n${metadataText(prog)}`;
}

/** Arena maps (ours: bpftool prints none of it): pages, the user address, the fault rule. */
function arenaText(map: MapShow): string {
  const arena = arenaOf(map.info, 4096);
  if (!arena) return '';
  const at = arena.userVmStart === undefined ? 'user_vm_start not fixed (the first mmap picks it)' : `user_vm_start 0x${arena.userVmStart.toString(16)}`;
  return `\n\tarena  pages ${arena.pages}  ${at}${arena.segvOnFault ? '  segv_on_fault' : ''}${arena.noUserConv ? '  no_user_conv' : ''}`;
}

/** One map as `bpftool map show` prints it. */
export function renderMapText(map: MapShow, options: ShowOptions = {}): string {
  const { info, fdinfo } = map;
  const names = options.names ?? 'linux-6.18';
  let s = `${info.id}: ${typeText('map', info.type, names)}  `;
  if (info.name) s += `name ${info.name}  `;
  s += `flags 0x${(info.mapFlags ?? 0).toString(16)}`;
  s += `${devText(info.ifindex, info.netnsDev, info.netnsIno)}\n`;
  s += `\tkey ${info.keySize ?? 0}B  value ${info.valueSize ?? 0}B  max_entries ${info.maxEntries ?? 0}`;
  if (fdinfo?.memlock !== undefined) s += `  memlock ${fdinfo.memlock}B`;
  if (info.type === BPF_MAP_TYPE_PROG_ARRAY && fdinfo) {
    const { ownerProgType, ownerJited } = fdinfo;
    if (ownerProgType !== undefined || ownerJited !== undefined) s += '\n\t';
    if (ownerProgType !== undefined) {
      const name = typeName('prog', ownerProgType, names);
      s += `owner_prog_type ${name ?? ownerProgType}  `;
    }
    if (ownerJited !== undefined) s += `owner${ownerJited ? '' : ' not'} jited`;
  }
  s += arenaText(map);
  s += pinnedText(map.pinned);
  const frozen = fdinfo?.frozen ?? false;
  if (info.btfId || frozen) s += '\n\t';
  if (info.btfId) s += `btf_id ${info.btfId}`;
  if (frozen) s += `${info.btfId ? '  ' : ''}frozen`;
  s += pidsText(map.owners);
  return `${s}\n`;
}

/** One link as `bpftool link show` prints it. */
export function renderLinkText(link: LinkShow, options: ShowOptions = {}): string {
  const { info } = link;
  const names = options.names ?? 'linux-6.18';
  let s = `${info.id}: ${typeText('link', info.type, names)}  prog ${info.progId ?? 0}  `;
  if (info.details) s += linkDetailsText(info.details, link, names, options);
  s += pinnedText(link.pinned);
  const details = info.details;
  const owners = uniqueOwners(link.owners);
  if (details?.kind === 'perf_event' && details.event && 'cookie' in details.event && owners.length > 0) {
    if (details.event.cookie !== undefined) s += `\n\tbpf_cookie ${details.event.cookie}`;
  }
  s += pidsText(owners);
  return `${s}\n`;
}
