// Who holds which object: fds found by the owner scan, grouped by object as
// bpftool's `pids` (one entry per process).
import { parseFdinfo } from '../kernel/info/index.js';
import type { Owner } from '../kernel/info/index.js';
import type { ObjectKind, RawOwnerFd } from './host.js';

const TARGET_KIND: Record<string, ObjectKind> = {
  'anon_inode:bpf-prog': 'prog',
  'anon_inode:bpf-map': 'map',
  // A link's file is named bpf_link as created, bpf-link as reopened (by id or from its pin).
  'anon_inode:bpf_link': 'link',
  'anon_inode:bpf-link': 'link',
  'anon_inode:btf': 'btf',
};

/** The kind of BPF object an fd's target names (`anon_inode:bpf-map` …); undefined for any other file. */
export function targetKind(target: string): ObjectKind | undefined {
  return TARGET_KIND[target];
}

export type OwnerIndex = Map<number, Owner[]>;

const KIND_NUMBER: Record<ObjectKind, number> = { prog: 0, map: 1, link: 2, btf: 3 };

/** An object's key in an OwnerIndex: a number, not a string made per lookup (a thousand-program listing looks each up). */
export function ownerKey(kind: ObjectKind, id: number): number {
  return KIND_NUMBER[kind] * 2 ** 32 + id;
}

export function indexOwners(fds: readonly RawOwnerFd[]): OwnerIndex {
  const index: OwnerIndex = new Map();
  for (const fd of fds) {
    const kind = targetKind(fd.target);
    if (!kind) continue;
    const fdinfo = parseFdinfo(fd.fdinfo);
    const id = kind === 'prog' ? fdinfo.progId : kind === 'map' ? fdinfo.mapId : kind === 'link' ? fdinfo.linkId : btfIdOf(fd.fdinfo);
    if (id === undefined) continue;
    const key = ownerKey(kind, id);
    const list = index.get(key);
    if (!list) index.set(key, [{ pid: fd.pid, comm: fd.comm }]);
    else if (!list.some((o) => o.pid === fd.pid)) list.push({ pid: fd.pid, comm: fd.comm });
  }
  return index;
}

function btfIdOf(fdinfo: string): number | undefined {
  const match = /^btf_id:\s*(\d+)/m.exec(fdinfo);
  return match ? Number(match[1]) : undefined;
}
