// Who a process is, from its cgroup: /proc/PID/cgroup names the cgroup of each hierarchy, and
// the paths that systemd, container runtimes and the kubelet create carry the unit, the
// container id and the pod. Only what the path says is reported; a pod's name, for one, is not
// in it (its UID is).
//
//   systemd              /system.slice/sshd.service, /user.slice/user-1000.slice/session-3.scope
//   Docker (systemd)     /system.slice/docker-<64 hex>.scope
//   Docker (cgroupfs)    /docker/<64 hex>
//   Podman               /machine.slice/libpod-<64 hex>.scope, …/libpod-<64 hex>/container
//   containerd in k8s    /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_with_underscores>.slice/cri-containerd-<64 hex>.scope
//   CRI-O in k8s         /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid>.slice/crio-<64 hex>.scope
//   k8s (cgroupfs)       /kubepods/burstable/pod<uid>/<64 hex>

export interface CgroupLine {
  /** Hierarchy id; 0 for cgroup v2. */
  hierarchy: number;
  /** Controllers of a v1 hierarchy (`memory`, `name=systemd`); empty for v2. */
  controllers: string[];
  path: string;
}

/** `kubernetes`: a pod's container whose path does not name the runtime (the kubelet's cgroupfs driver). */
export type ContainerRuntime = 'docker' | 'containerd' | 'cri-o' | 'podman' | 'kubernetes';

export interface CgroupContext {
  /** The path the context was read from: v2's, else the named systemd hierarchy's, else the first. */
  path: string;
  /** The systemd unit the process runs in (`sshd.service`, `session-3.scope`, `docker-….scope`). */
  unit?: string;
  /** The slice holding that unit (`system.slice`, `user-1000.slice`). */
  slice?: string;
  container?: { runtime: ContainerRuntime; id: string };
  pod?: { uid: string; qos: 'guaranteed' | 'burstable' | 'besteffort' };
}

const MAX_LINES = 256;
const CONTAINER_ID = /^[0-9a-f]{64}$/;
const POD_UID = /^[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}$/;
const UNIT = /^[^/]+\.(service|scope|socket|mount|swap|target|timer|path|device)$/;

/** Parses /proc/PID/cgroup; lines that do not parse are skipped. */
export function parseCgroupFile(text: string): CgroupLine[] {
  const out: CgroupLine[] = [];
  for (const line of text.split('\n', MAX_LINES)) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    out.push({ hierarchy: Number(match[1]), controllers: match[2] === '' ? [] : match[2]!.split(','), path: match[3]! });
  }
  return out;
}

/** The path whose names mean the most: v2 when it says more than `/`, else systemd's hierarchy, else any. */
function mostTellingPath(lines: readonly CgroupLine[]): string | undefined {
  const v2 = lines.find((l) => l.hierarchy === 0 && l.controllers.length === 0);
  if (v2 && v2.path !== '/') return v2.path;
  const systemd = lines.find((l) => l.controllers.includes('name=systemd'));
  if (systemd && systemd.path !== '/') return systemd.path;
  const other = lines.find((l) => l.path !== '/');
  return other?.path ?? v2?.path ?? lines[0]?.path;
}

function containerOf(part: string, previous: string | undefined): CgroupContext['container'] | undefined {
  const scoped = /^(docker|cri-containerd|crio|libpod)-([0-9a-f]{64})\.scope$/.exec(part);
  if (scoped) {
    const runtime = ({ docker: 'docker', 'cri-containerd': 'containerd', crio: 'cri-o', libpod: 'podman' } as const)[scoped[1] as 'docker' | 'cri-containerd' | 'crio' | 'libpod'];
    return { runtime, id: scoped[2]! };
  }
  if (CONTAINER_ID.test(part)) {
    if (previous === 'docker') return { runtime: 'docker', id: part };
    if (previous?.startsWith('pod')) return { runtime: 'kubernetes', id: part };
  }
  const podman = /^libpod-([0-9a-f]{64})$/.exec(part);
  return podman ? { runtime: 'podman', id: podman[1]! } : undefined;
}

function podOf(part: string): CgroupContext['pod'] | undefined {
  const systemd = /^kubepods(?:-(burstable|besteffort))?-pod(.+)\.slice$/.exec(part);
  const cgroupfs = /^pod(.+)$/.exec(part);
  const uid = systemd?.[2] ?? cgroupfs?.[1];
  if (!uid || !POD_UID.test(uid)) return undefined;
  return { uid: uid.replace(/_/g, '-'), qos: (systemd?.[1] as 'burstable' | 'besteffort' | undefined) ?? 'guaranteed' };
}

/** What the cgroup path of a process says about it. */
export function cgroupContext(lines: readonly CgroupLine[]): CgroupContext | undefined {
  const path = mostTellingPath(lines);
  if (path === undefined) return undefined;
  const context: CgroupContext = { path };
  const parts = path.split('/').filter((p) => p !== '');
  let previous: string | undefined;
  for (const part of parts) {
    if (part.endsWith('.slice')) context.slice = part;
    if (UNIT.test(part)) context.unit = part;
    context.container = containerOf(part, previous) ?? context.container;
    const pod = podOf(part);
    if (pod) {
      // cgroupfs QoS is the parent directory's name; guaranteed pods sit directly under kubepods.
      if (previous === 'burstable' || previous === 'besteffort') pod.qos = previous;
      context.pod = pod;
    }
    previous = part;
  }
  return context;
}
