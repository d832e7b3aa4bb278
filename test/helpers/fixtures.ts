// Builds and runs the real BPF fixtures (test/fixtures/) for kernel tests. The loader's
// stdout carries one JSON report line, then one JSON reply per trigger command.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** From the source tree (vitest) or the compiled one (out/node/test/helpers, benchmarks). */
const ROOT = [join(here, '..', '..'), join(here, '..', '..', '..', '..')].find((root) => existsSync(join(root, 'build', 'fixtures.sh'))) ?? join(here, '..', '..');
export const FIXTURE_BUILD_DIR = join(ROOT, 'test', 'fixtures', 'build');
export const LOADER_PATH = join(FIXTURE_BUILD_DIR, 'bpfscope-fixtures');
const BUILD_SCRIPT = join(ROOT, 'build', 'fixtures.sh');

/** Fixture objects the loader knows ('big' only with bigHash). */
export type FixtureObject = 'maps' | 'tracing' | 'trampoline' | 'kprobes' | 'net' | 'cgroup' | 'struct_ops' | 'printk' | 'stream' | 'arena' | 'big';

/** bpftool's type names, or the number for types libbpf 1.1 has no name for. */
export type KernelTypeName = string | number;

export interface FixtureProgram {
  object: FixtureObject;
  /** The function name, as bpftool prints it (from BTF when the kernel's is truncated). */
  name: string;
  /** The kernel's name: at most 15 characters. */
  kernel_name: string;
  id: number;
  type: KernelTypeName;
  /** Program kind as attached: 'tracepoint', 'uprobe', 'tcx', 'prog_array', 'struct_ops', … */
  attach: string;
  /** Mechanism: 'link', 'perf_event' (fd, no link), 'netlink', 'prog_attach', 'socket', 'prog_array',
   * 'struct_ops_map', 'none'. */
  via: string;
  link_id?: number;
  /** Set when the program is loaded but this kernel cannot attach it. */
  reason?: string;
}

export interface FixtureMap {
  object: FixtureObject;
  name: string;
  libbpf_name: string;
  id: number;
  type: KernelTypeName;
  max_entries: number;
}

export interface FixtureLink {
  id: number;
  type: KernelTypeName;
  kind: string;
  object: FixtureObject;
  /** libbpf's (untruncated) program name, or the struct_ops map's name. */
  program: string;
  prog_id: number;
}

export interface FixtureReport {
  pid: number;
  target_tgid: number;
  pin_dir: string;
  cgroup: string;
  netns: string;
  veth: { host: string; host_ifindex: number; peer: string; peer_ifindex: number } | null;
  tcp_congestion: string;
  programs: FixtureProgram[];
  maps: FixtureMap[];
  links: FixtureLink[];
  /** Whole fixture objects this kernel refuses to load, with the reason. */
  unavailable: Array<{ object: FixtureObject; reason: string }>;
}

/** Commands that run fixture programs a known number of times inside the loader process. */
export type TriggerCommand = 'getpid' | 'getppid' | 'ringbuf' | 'getpgid' | 'uprobe' | 'open' | 'nanosleep' | 'printk';

export interface StartFixturesOptions {
  only?: FixtureObject[];
  /** Also load the 'big' fixture: a hash map named big_hash with this many entries. */
  bigHash?: number;
  /** How long to wait for the report line (default 60 s). */
  timeoutMs?: number;
}

export interface LoadedFixtures {
  report: FixtureReport;
  program(name: string, object?: FixtureObject): FixtureProgram;
  map(name: string, object?: FixtureObject): FixtureMap;
  /** Runs `command` count times in the loader (the programs' target process). */
  trigger(command: TriggerCommand, count: number): Promise<void>;
  /** Makes the counting programs follow another process instead of the loader. */
  setTarget(pid: number): Promise<void>;
  /** Consumes the ring buffer and perf buffer records produced so far. */
  drain(): Promise<{ ring: number; perf: number }>;
  /** Runs the stream fixture's stream_say count times: what its two stream writes returned last (0 or -errno). */
  streamSay(count: number): Promise<{ stdoutRet: number; stderrRet: number }>;
  /** Runs the stream fixture's may_goto loop once (~250 ms): its program id. */
  streamSpin(): Promise<number>;
  /** Closes the loader's stdin and waits for it to detach and remove everything. */
  stop(): Promise<void>;
}

interface Reply {
  ok: boolean;
  command: string;
  error?: string;
  ring?: number;
  perf?: number;
  stdout_ret?: number;
  stderr_ret?: number;
  prog_id?: number;
}

let built = false;

/** Builds vmlinux.h, the BPF objects and the loader (incremental), once per process. */
export function buildFixtures(): void {
  if (built) return;
  const result = spawnSync('bash', [BUILD_SCRIPT], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`build/fixtures.sh failed (${result.status ?? result.signal}):\n${result.stderr}`);
  }
  built = true;
}

function find<T extends { name: string; object: FixtureObject }>(
  items: T[], what: string, name: string, object?: FixtureObject,
): T {
  const found = items.find((item) => item.name === name && (object === undefined || item.object === object));
  if (!found) throw new Error(`fixture ${what} '${name}' not loaded`);
  return found;
}

function waitForExit(child: ChildProcessWithoutNullStreams, stderr: () => string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture loader did not exit within ${timeoutMs} ms:\n${stderr()}`));
    }, timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`fixture loader exited with ${code ?? signal}:\n${stderr()}`));
    };
    if (child.exitCode !== null || child.signalCode !== null) finish(child.exitCode, child.signalCode);
    else child.once('exit', finish);
  });
}

/** Starts the loader and resolves once every fixture is loaded, attached and reported. */
export async function startFixtures(opts: StartFixturesOptions = {}): Promise<LoadedFixtures> {
  buildFixtures();
  const args: string[] = [];
  if (opts.only) args.push('--only', opts.only.join(','));
  if (opts.bigHash !== undefined) args.push('--big-hash', String(opts.bigHash));
  const child = spawn(LOADER_PATH, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderrText = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrText += chunk;
  });
  const stderr = (): string => stderrText;
  const lines = createInterface({ input: child.stdout });
  const pending: Array<{ resolve: (reply: Reply) => void; reject: (err: Error) => void }> = [];
  let onReport: ((line: string) => void) | undefined;

  lines.on('line', (line) => {
    if (onReport) {
      const deliver = onReport;
      onReport = undefined;
      deliver(line);
      return;
    }
    const waiter = pending.shift();
    if (waiter) waiter.resolve(JSON.parse(line) as Reply);
  });
  child.once('exit', (code, signal) => {
    const err = new Error(`fixture loader exited (${code ?? signal}):\n${stderrText}`);
    for (const waiter of pending.splice(0)) waiter.reject(err);
  });

  const timeoutMs = opts.timeoutMs ?? 60_000;
  const report = await new Promise<FixtureReport>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`fixture loader sent no report within ${timeoutMs} ms:\n${stderrText}`));
    }, timeoutMs);
    onReport = (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as FixtureReport);
    };
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`fixture loader failed (${code ?? signal}):\n${stderrText}`));
    });
    child.once('error', reject);
  });

  const send = (line: string): Promise<Reply> =>
    new Promise<Reply>((resolve, reject) => {
      pending.push({ resolve, reject });
      child.stdin.write(`${line}\n`);
    }).then((reply) => {
      if (!reply.ok) throw new Error(`fixture command '${line}' failed: ${reply.error ?? 'unknown error'}`);
      return reply;
    });

  return {
    report,
    program: (name, object) => find(report.programs, 'program', name, object),
    map: (name, object) => find(report.maps, 'map', name, object),
    trigger: async (command, count) => {
      await send(`${command} ${count}`);
    },
    setTarget: async (pid) => {
      await send(`target ${pid}`);
    },
    drain: async () => {
      const reply = await send('drain');
      return { ring: reply.ring ?? 0, perf: reply.perf ?? 0 };
    },
    streamSay: async (count) => {
      const reply = await send(`stream ${count}`);
      return { stdoutRet: reply.stdout_ret ?? NaN, stderrRet: reply.stderr_ret ?? NaN };
    },
    streamSpin: async () => (await send('spin')).prog_id ?? NaN,
    stop: async () => {
      child.stdin.end();
      await waitForExit(child, stderr, 30_000);
    },
  };
}

/** Entries the loader writes into hash_map, array_map, percpu_hash and lru_hash (keys 0..99). */
export const FILLED_ENTRIES = 100;

/** The value the loader stores under key i of hash_map and array_map (see fixture_types.h). */
export interface FixtureValue {
  index: number;
  color: 'FIXTURE_RED' | 'FIXTURE_GREEN' | 'FIXTURE_BLUE';
  origin: { x: number; y: number };
  path: Array<{ x: number; y: number }>;
  id: { as_u64: bigint };
  flags: { enabled: number; level: number; mode: number; reserved: number };
  label: string;
  counter: bigint;
  delta: number;
}

const COLORS = ['FIXTURE_RED', 'FIXTURE_GREEN', 'FIXTURE_BLUE'] as const;

export function fixtureValueFor(i: number): FixtureValue {
  return {
    index: i,
    color: COLORS[i % 3],
    origin: { x: i, y: -i },
    path: [0, 1, 2].map((j) => ({ x: i + j, y: i * j })),
    id: { as_u64: BigInt(i) * 0x0101010101010101n },
    flags: { enabled: i & 1, level: i % 8, mode: i % 16, reserved: 0 },
    label: `entry-${String(i).padStart(3, '0')}`,
    counter: BigInt(i) * 1000n,
    delta: -i,
  };
}

/** percpu_hash key i (0..99) and percpu_array index i (1..15) hold i * 1000 + cpu on each cpu. */
export function perCpuValueFor(i: number, cpu: number): bigint {
  return BigInt(i) * 1000n + BigInt(cpu);
}

/** Keys 0..FLOW_KEYS-1 of percpu_flows (struct fixture_flow per CPU). */
export const FLOW_KEYS = 4;

/** percpu_flows key k on cpu c: proto and port the same on every CPU, counters that differ. */
export function flowFor(key: number, cpu: number): { proto: number; port: number; packets: number; bytes: number } {
  const packets = (key + 1) * 10 + cpu;
  return { proto: key % 2 === 0 ? 17 : 6, port: 1000 + key, packets, bytes: packets * 100 };
}

/** lpm_trie contents: prefix → value. */
export const LPM_ENTRIES: ReadonlyArray<{ prefix: string; value: number }> = [
  { prefix: '10.0.0.0/8', value: 8 },
  { prefix: '10.1.0.0/16', value: 16 },
  { prefix: '10.1.2.0/24', value: 24 },
  { prefix: '192.168.0.0/16', value: 1616 },
];
