// A compiled BPF object file (.bpf.o) as a read-only Host: it answers with what the kernel would
// report had libbpf loaded the object (main/kernel/objfile/loaded.ts: ids by position, linked
// "xlated" code with func/line info, map info with BTF type ids, the object's BTF), so every
// listing, detail view, map dump of global data and the BTF browser work on it unchanged.
// What only a live kernel has (host files, owners, links, statistics, `.maps` contents) throws
// HostError code 'EOBJFILE' saying so.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parsePossibleCpus } from '../kernel/maps/map-kind.js';
import { basename } from 'node:path';
import { parseBtf, type Btf } from '../kernel/btf/btf.js';
import { isElf, loadedForm, parseBpfObject, type BpfObject, type LoadedMap, type LoadedObject, type LoadedProgram, type StructOpsValueLookup } from '../kernel/objfile/index.js';
import type {
  Host, HostClocks, MapReader, ObjectKind, RawBtfInfo, RawCgroupQuery, RawInfo, RawLinkInfo, RawMapPeek, RawNetns, RawOwnerFd, RawProgInfo, RawTaskFd, StatsHold,
} from './host.js';
import { readBoundedFile, type BoundedFile } from './bounded-file.js';
import { HostError } from './host-error.js';
import { RecordedMapReader } from './snapshot-host.js';

/** Object files are small; a larger file is a mistake, not an object. */
export const MAX_OBJECT_BYTES = 512 << 20;
const EMPTY = new Uint8Array(0);
const EMPTY_KERNEL_MOUNTS = new TextEncoder().encode('cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n');
const LIVE_HINT = 'load the object (bpftool prog loadall, or its loader) and open the host it runs on';

/** A .bpf.o file's bytes, read only when it is a regular file that starts as ELF and is not too large. */
export function readObjectFile(path: string): Promise<BoundedFile> {
  return readBoundedFile(path, {
    limit: MAX_OBJECT_BYTES, what: 'a BPF object file', code: 'EOBJFILE',
    checkHead: (head) => (isElf(head) ? undefined : 'not a BPF object file (no ELF header)'),
  });
}

function objfileError(message: string, hint?: string): HostError {
  return new HostError({ code: 'EOBJFILE', message, ...(hint ? { hint } : {}) });
}

/**
 * The kernel's tag: the first 8 bytes of the SHA-256 of the instructions (bpf_prog_calc_tag since
 * Linux 6.18; SHA-1 before), equal to a live program's tag when the object loads unchanged.
 */
function programTag(input: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(input).digest().subarray(0, 8));
}

/**
 * The possible CPUs of this machine, where the object would load: libbpf sizes perf event
 * arrays by them. Undefined where the count cannot be read (the arrays then show 0).
 */
const POSSIBLE_CPUS = '/sys/devices/system/cpu/possible';

function localPossibleCpus(): number | undefined {
  try {
    return parsePossibleCpus(readFileSync(POSSIBLE_CPUS, 'utf8'));
  } catch {
    return undefined;
  }
}

const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

/**
 * struct_ops value types of this machine's kernel, which sizes struct_ops maps where the
 * object would load; its BTF is read only when an object has such a map. Without it (no BTF
 * here, or a kernel without that ops type) the map keeps the object's own type.
 */
function localStructOpsValue(): StructOpsValueLookup {
  let vmlinux: Btf | null | undefined;
  return (structName) => {
    if (vmlinux === undefined) {
      try {
        vmlinux = parseBtf(new Uint8Array(readFileSync(VMLINUX_BTF)));
      } catch {
        vmlinux = null;
      }
    }
    const found = vmlinux?.findByName(`bpf_struct_ops_${structName}`, 'struct')[0];
    return found?.kind === 'struct' ? { id: found.id, size: found.size } : undefined;
  };
}

export class ObjectFileHost implements Host {
  readonly label: string;
  readonly loaded: LoadedObject;
  private readonly programs: Map<number, LoadedProgram>;
  private readonly maps: Map<number, LoadedMap>;

  /** `modifiedMs`: the file's modification time, shown as the programs' load time. */
  /** `heldBytes`: the file's bytes, which the parsed object's sections view (memory the host holds). */
  constructor(readonly object: BpfObject, readonly fileName: string, private readonly modifiedMs: number, readonly heldBytes = 0) {
    this.label = `objfile:${fileName}`;
    this.loaded = loadedForm(object, fileName, programTag, localPossibleCpus(), localStructOpsValue());
    this.programs = new Map(this.loaded.programs.map((p) => [p.id, p]));
    this.maps = new Map(this.loaded.maps.map((m) => [m.id, m]));
  }

  /** Parses an object's bytes; damage is an EOBJFILE error naming the file and the place. */
  static fromBytes(bytes: Uint8Array, fileName: string, modifiedMs: number): ObjectFileHost {
    if (bytes.length > MAX_OBJECT_BYTES) throw objfileError(`${fileName}: ${bytes.length} bytes, too large for a BPF object file`);
    if (!isElf(bytes)) throw objfileError(`${fileName}: not a BPF object file (no ELF header)`);
    try {
      return new ObjectFileHost(parseBpfObject(bytes), fileName, modifiedMs, bytes.length);
    } catch (error) {
      throw objfileError(`${fileName}: ${(error as Error).message}`);
    }
  }

  static async open(path: string): Promise<ObjectFileHost> {
    const { bytes, mtimeMs } = await readObjectFile(path);
    return ObjectFileHost.fromBytes(bytes, basename(path), mtimeMs);
  }

  objectSection(progId: number): string | undefined {
    return this.programs.get(progId)?.program.section;
  }

  async listIds(kind: ObjectKind): Promise<number[]> {
    switch (kind) {
      case 'prog':
        return [...this.programs.keys()];
      case 'map':
        return [...this.maps.keys()];
      case 'btf':
        return this.loaded.btf ? [this.loaded.btf.id] : [];
      case 'link':
        return [];
    }
  }

  async progInfo(id: number, detail: boolean): Promise<RawProgInfo | null> {
    const p = this.programs.get(id);
    if (!p) return null;
    const part = (bytes: Uint8Array) => (detail ? bytes : EMPTY);
    return {
      id, info: p.info, fdinfo: '', mapIds: p.mapIds,
      xlated: part(p.xlated), jited: EMPTY, jitedKsyms: EMPTY, jitedFuncLens: EMPTY,
      funcInfo: part(p.funcInfo), lineInfo: part(p.lineInfo), jitedLineInfo: EMPTY, progTags: EMPTY,
    };
  }

  async mapInfo(id: number): Promise<RawInfo | null> {
    const m = this.maps.get(id);
    return m ? { id, info: m.info, fdinfo: m.fdinfo } : null;
  }

  async linkInfo(): Promise<RawLinkInfo | null> {
    return null;
  }

  async btfInfo(id: number): Promise<RawBtfInfo | null> {
    const btf = this.loaded.btf;
    return btf && btf.id === id ? { id, info: btf.info, fdinfo: '', data: btf.data, name: EMPTY } : null;
  }

  async owners(): Promise<RawOwnerFd[]> {
    return [];
  }

  async readFile(path: string): Promise<Uint8Array> {
    // An empty kernel's mounts: cgroup v2 where systemd puts it, so the attachment views walk
    // an empty cgroup tree (nothing is attached anywhere) instead of failing.
    if (path === '/proc/mounts') return EMPTY_KERNEL_MOUNTS;
    // The object is shown as loaded on this machine: per-CPU layouts use its CPUs.
    if (path === POSSIBLE_CPUS) return readFileSync(path);
    const hint = path === '/sys/kernel/btf/vmlinux' ? 'kernel types come from a live host; this object\'s own types are BTF object 1 (a map\'s or program\'s type links open it)' : undefined;
    throw objfileError(`${this.label} is an object file, not a running system: it has no ${path} (attachments, kernel types and settings exist only on a live host)`, hint);
  }

  async openMap(id: number): Promise<MapReader | null> {
    const m = this.maps.get(id);
    if (!m) return null;
    if (!m.data) {
      throw objfileError(`${this.label}: map ${id} (${m.definition?.name ?? '?'}) has no contents: they exist only once the object is loaded`, LIVE_HINT);
    }
    // One entry, key 0: the section's initial bytes (zeros for .bss), as libbpf sets them.
    return new RecordedMapReader(new Uint8Array(4), m.data.bytes.slice(), { count: 1, keySize: 4, stride: m.valueSize, complete: true, state: 'done' });
  }

  async mapPeek(id: number): Promise<RawMapPeek | null> {
    const m = this.maps.get(id);
    if (!m) return null;
    throw objfileError(`${this.label}: map ${id} (${m.definition?.name ?? '?'}) holds nothing to peek at: a queue or stack is filled once the object is loaded`, LIVE_HINT);
  }

  async enableStats(): Promise<StatsHold> {
    throw objfileError(`${this.label} is an object file: nothing in it has run, so it has no run statistics`,
      'live views (statistics, charts, map watch) need a live host');
  }

  // Nothing is attached anywhere: the attachment views find no namespaces, netlink objects, cgroups or task fds.
  async netnsList(): Promise<RawNetns[]> {
    return [];
  }

  async rtnlDump(): Promise<Uint8Array> {
    return EMPTY;
  }

  async netProgQuery(): Promise<Uint8Array> {
    return EMPTY;
  }

  async cgroupQuery(): Promise<RawCgroupQuery[]> {
    return [];
  }

  async taskFds(): Promise<RawTaskFd[]> {
    return [];
  }

  /** Boot time 0 at the file's modification time: load times (0) show as that time. */
  async clocks(): Promise<HostClocks> {
    return { realtimeNs: BigInt(Math.round(this.modifiedMs)) * 1_000_000n, boottimeNs: 0n };
  }

  async close(): Promise<void> {}
}
