// Who the processes holding BPF objects are: their command line and, from their cgroup, the
// systemd unit, container and pod they run in. Read through the host (/proc/PID/cmdline and
// /proc/PID/cgroup), decoded by main/kernel/proc; kept a few seconds per session.
import { cgroupContext, parseCgroupFile, type CgroupContext } from '../kernel/proc/cgroup.js';
import { commandLineText, parseCmdline } from '../kernel/proc/cmdline.js';
import { toHostError } from './host-error.js';
import type { HostSession } from './host-session.js';

const CMDLINE_LIMIT = 1 << 16;
const CGROUP_LIMIT = 1 << 16;
const TTL_MS = 10_000;

export interface OwnerContext {
  pid: number;
  /** The arguments, and as one line. */
  argv?: string[];
  commandLine?: string;
  cgroup?: CgroupContext;
  /** The process exited since it was seen holding the object. */
  gone?: true;
  /** Why its files could not be read (an agent without access, a snapshot that did not record them). */
  unreadable?: string;
}

const cache = new WeakMap<HostSession, Map<number, { at: number; context: Promise<OwnerContext> }>>();

async function readContext(session: HostSession, pid: number): Promise<OwnerContext> {
  const context: OwnerContext = { pid };
  const [cmdline, cgroup] = await Promise.allSettled([
    session.host.readFile(`/proc/${pid}/cmdline`, CMDLINE_LIMIT),
    session.host.readFile(`/proc/${pid}/cgroup`, CGROUP_LIMIT),
  ]);
  if (cmdline.status === 'fulfilled') {
    const argv = parseCmdline(cmdline.value);
    // Kernel threads have an empty command line.
    if (argv.length > 0) {
      context.argv = argv;
      context.commandLine = commandLineText(argv);
    }
  }
  if (cgroup.status === 'fulfilled') {
    const parsed = cgroupContext(parseCgroupFile(new TextDecoder().decode(cgroup.value)));
    if (parsed) context.cgroup = parsed;
  }
  const failure = [cmdline, cgroup].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    const error = toHostError(failure.reason);
    if (error.code === 'ENOENT' || error.code === 'ESRCH') context.gone = true;
    else context.unreadable = error.message;
  }
  return context;
}

/** Context of each pid, in the order given. */
export async function ownerContexts(session: HostSession, pids: readonly number[], now: number = Date.now()): Promise<OwnerContext[]> {
  let known = cache.get(session);
  if (!known) cache.set(session, (known = new Map()));
  const byPid = known;
  for (const [pid, entry] of byPid) if (now - entry.at >= TTL_MS) byPid.delete(pid);
  return Promise.all(
    pids.map((pid) => {
      let entry = byPid.get(pid);
      if (!entry) {
        entry = { at: now, context: readContext(session, pid) };
        byPid.set(pid, entry);
      }
      return entry.context;
    }),
  );
}

/** The unit, container and pod in a few words: `sshd.service`, `docker 3f2a9c1b2d4e`, `pod 0a1b… (burstable)`. */
export function ownerPlace(context: OwnerContext): string | undefined {
  const c = context.cgroup;
  if (!c) return undefined;
  const words: string[] = [];
  if (c.pod) words.push(`pod ${c.pod.uid} (${c.pod.qos})`);
  if (c.container) words.push(`${c.container.runtime} container ${c.container.id.slice(0, 12)}`);
  else if (c.unit) words.push(c.unit);
  return words.length > 0 ? words.join(', ') : undefined;
}
