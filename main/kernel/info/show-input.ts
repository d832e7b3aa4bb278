// What the bpftool-compatible renderers take: decoded info plus what bpftool gathers elsewhere
// (fdinfo, owners from /proc, pinned paths, BTF names, clocks). All supplied by the caller.

import type { NameStyle } from '../names/index.js';
import type { Fdinfo } from './fdinfo.js';
import type { LinkInfo } from './link-info.js';
import type { MapInfo } from './map-info.js';
import type { MetadataEntry } from './metadata.js';
import type { ProgInfo } from './prog-info.js';

/** A process holding an fd on the object; bpftool's `pids` entry (pid = tgid). */
export interface Owner {
  pid: number;
  comm: string;
}

interface Shared {
  /** Processes holding the object; rendered as bpftool's `pids`, deduplicated by pid. */
  owners?: readonly Owner[];
  /** bpffs paths; when given (bpftool's `-f`), rendered as `pinned`. */
  pinned?: readonly string[];
}

export interface ProgShow extends Shared {
  info: ProgInfo;
  /** The map ids array of the second info pass. */
  mapIds?: readonly number[];
  fdinfo?: Fdinfo;
  /** BTF name of the first func_info's FUNC (see progFullName); used for 15-char names. */
  firstFuncName?: string;
  /** The `bpf_metadata_*` variables of its .rodata (metadata.ts). */
  metadata?: readonly MetadataEntry[];
}

export interface MapShow extends Shared {
  info: MapInfo;
  fdinfo?: Fdinfo;
  /** The kernel's SHA-256 of a frozen array's contents (Linux 6.18; map-hash.ts), asked for one map at a time. */
  contentHash?: Uint8Array;
}

export interface LinkShow extends Shared {
  info: LinkInfo;
  /** Tracing links: type of the linked program (bpftool looks it up by prog_id). */
  progType?: number;
  /** xdp/tcx/netkit links: interface name of the ifindex, if known. */
  ifname?: string;
}

/** A kernel symbol for an address (from kallsyms), for kprobe_multi links. */
export interface KernelSymbol {
  name: string;
  /** Module name; undefined for vmlinux. */
  module?: string;
}

export interface ShowOptions {
  /** Type names as Linux 6.18 knows them (default) or exactly as bpftool 7.1 prints them. */
  names?: NameStyle;
  /**
   * Fields: bpftool's plus ours (default), or exactly what bpftool 7.1 prints (JSON keys, and
   * in text no details for link kinds or fields newer than it).
   */
  keys?: 'superset' | 'bpftool-7.1';
  /**
   * CLOCK_REALTIME − CLOCK_BOOTTIME in nanoseconds, to turn load_time into wall-clock time as
   * bpftool does. Without it, loaded_at is seconds since boot (bpftool's own fallback).
   */
  bootToWallNs?: bigint;
  /** An epoch second as loaded_at prints it in the text form (formatLocalTime); default UTC. */
  localTime?: (epochSeconds: number) => string;
  /** kprobe_multi function names; without it funcs carry addresses and cookies only. */
  resolveKsym?: (addr: bigint) => KernelSymbol | undefined;
}
