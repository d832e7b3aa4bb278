// The `bpfscope` command. Built into one bundle (build/cli.config.ts, out/cli/) whose start
// loads only this file: each verb's module, and what it imports, loads when the verb runs.
import { fstatSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ATTACHMENT_VIEWS, type CliIo, type Command, type CommandContext } from './cli/context.js';
import { parseHostList } from './hosts/host-list.js';

const USAGE = `usage: bpfscope <command> [options]

  ls progs|maps|links [--json]         list what is loaded (like bpftool … show)
  show prog|map|link ID [--json]       one object (programs: with every attach point)
  ls net|perf [--json]                 XDP/tc/tcx/flow_dissector per netns; perf-event attachments
  ls cgroup [ROOT] [effective] [--json]  programs per cgroup (like bpftool cgroup tree)
  btf ID [--raw|--c]                   a BTF object as bpftool's raw listing or as C
  obj FILE [--json]                    a compiled BPF object: programs, maps, globals, sections
  obj FILE prog NAME [--linum|--opcodes|--json]   one program's listing with source lines
  dump map ID [--json]                 a map's contents (like bpftool map dump)
  dump prog ID [--json|--cfg|--jited] [--linum] [--opcodes]
                                       a program's code (like bpftool prog dump xlated)
  peek map ID [--json]                 a queue's or stack's head element, left in place (like bpftool map peek)
  watch map ID [--interval MS] [--key K] [--json]
                                       a map's changes as they happen, until interrupted
  top [--interval S] [--sort cpu|events|avg|name] [--json]
                                       program run statistics, refreshing (like bpftop)
  doctor [--json]                      privilege and kernel settings, what each blocks, what to change
  snapshot [--maps all|none|ID,…] [--max-entries N] [--with-vmlinux] -o FILE
                                       the host's whole BPF state in one file
  diff A B [--json] [--max-entries N]  programs, maps and map entries changed (A, B: snapshot files,
                                       objfile:FILE.o or local)
  graph [--json|--dot]                 attach points, links, programs, maps and their holders, and how
                                       each reads, writes, emits to, jumps through or runs the next
  explain NAME [--json]                a helper, kfunc, or program/map/attach/link type, in a few words
  stacks MAP_ID [--pid PID] [--json]   a stack_trace map's stacks, user frames named from the process's files
  token list [--json]                  bpffs mounts that delegate BPF tokens (like bpftool token list)
  tracelog [--consume] [--prog ID|NAME] [--comm C] [--pid P] [--once] [--json]
                                       the kernel trace log (bpf_printk) as it grows, not consuming
                                       trace_pipe unless --consume (like bpftool prog tracelog)
  tracelog stdout|stderr PROG [--json] what a program's BPF stream holds, taken out of it (Linux 6.17+)
  serve [--port N] [--bind ADDR] [--snapshot FILE] [--object FILE.o] [--metrics-listen ADDR:PORT]
                                       the dashboard in a browser (with a snapshot or object file open)
  metrics [--listen ADDR:PORT] [--map-field MAP:FIELD]…
                                       a Prometheus/OpenMetrics endpoint at /metrics (127.0.0.1:9435)
  mcp                                  a read-only MCP server on stdin/stdout (tools for AI assistants)

  --host H[,H…]   inspect these hosts (default: local): user@host[:port], an ~/.ssh/config
                  alias, snapshot:FILE or objfile:FILE.o (a compiled BPF object as if loaded;
                  read-only); several hosts answer side by side, and
                  ls progs flags drift: a program name one host holds with a tag another lacks
  --accept-new-host-key   record an unknown SSH host key instead of asking
  --no-cache      remove the uploaded agent from the remote host on disconnect
  --json, -j      JSON output (keys and values as bpftool -j, plus ours)
  ID              an object's id, as ls prints it, or as bpftool names it: id ID, pinned PATH
                  (programs, maps, links), name NAME (programs, maps), tag TAG (programs)
`;

/**
 * The verbs, one line each: the module under main/cli/ that runs it, imported only when it
 * runs (a one-shot command should not pay for the SSH client, the web server or the x86
 * disassembler). A new verb is a module exporting a `Command` and a line here (and in USAGE).
 */
const COMMANDS: Record<string, (args: readonly string[]) => Promise<Command>> = {
  // The attach point views do not load the object listings (inventory, owners, program signature).
  ls: async ([what]) => (ATTACHMENT_VIEWS.has(what ?? '') ? (await import('./cli/attachments.js')).lsAttachmentsCommand : (await import('./cli/objects.js')).lsCommand),
  show: async () => (await import('./cli/objects.js')).showCommand,
  btf: async () => (await import('./cli/btf.js')).btfCommand,
  obj: async () => (await import('./cli/objfile.js')).objCommand,
  dump: async () => (await import('./cli/dump.js')).dumpCommand,
  watch: async () => (await import('./cli/maps.js')).watchCommand,
  peek: async () => (await import('./cli/peek.js')).peekCommand,
  doctor: async () => (await import('./cli/doctor.js')).doctorCommand,
  top: async () => (await import('./cli/top.js')).topCommand,
  snapshot: async () => (await import('./cli/snapshot.js')).snapshotCommand,
  serve: async () => (await import('./cli/serve.js')).serveCommand,
  diff: async () => (await import('./cli/diff.js')).diffCommand,
  metrics: async () => (await import('./cli/metrics.js')).metricsCommand,
  graph: async () => (await import('./cli/graph.js')).graphCommand,
  mcp: async () => (await import('./cli/mcp.js')).mcpCommand,
  explain: async () => (await import('./cli/explain.js')).explainCommand,
  stacks: async () => (await import('./cli/stacks.js')).stacksCommand,
  token: async () => (await import('./cli/token.js')).tokenCommand,
  tracelog: async () => (await import('./cli/tracelog.js')).tracelogCommand,
};

/** Commands that give one answer per host; the streaming ones (watch, top, serve) take one host. */
const FLEET_COMMANDS = new Set(['ls', 'show', 'btf', 'dump', 'doctor', 'token']);
/** Commands that serve every --host at once themselves (ctx.hosts). */
const MULTI_HOST_COMMANDS = new Set(['metrics', 'mcp']);

const OPTIONS = {
  json: { type: 'boolean', short: 'j' },
  raw: { type: 'boolean' },
  c: { type: 'boolean' },
  cfg: { type: 'boolean' },
  dot: { type: 'boolean' },
  jited: { type: 'boolean' },
  linum: { type: 'boolean' },
  opcodes: { type: 'boolean' },
  interval: { type: 'string' },
  sort: { type: 'string' },
  key: { type: 'string' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  port: { type: 'string' },
  bind: { type: 'string' },
  output: { type: 'string', short: 'o' },
  maps: { type: 'string' },
  'max-entries': { type: 'string' },
  'with-vmlinux': { type: 'boolean' },
  snapshot: { type: 'string' },
  object: { type: 'string' },
  'accept-new-host-key': { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  listen: { type: 'string' },
  'metrics-listen': { type: 'string' },
  'map-field': { type: 'string', multiple: true },
  consume: { type: 'boolean' },
  once: { type: 'boolean' },
  prog: { type: 'string' },
  comm: { type: 'string' },
  pid: { type: 'string' },
} as const;

/**
 * Bytes written to stdout at once when it is a regular file. Not from the thread pool: each
 * chunk woke a pool thread, and this VM's scheduler ran it on the core formatting the next
 * chunk (dump map ints --json, 410 MB: 0.66 -> 0.46 s, 780 -> 70 involuntary switches).
 * Into a pipe the stream stays faster (counters as text, 11 runs: 440 ms, written at once 472).
 */
function writeFileOut(bytes: Uint8Array): void {
  for (let from = 0; from < bytes.length; ) from += writeSync(1, bytes, from, bytes.length - from);
}

let stdoutIsFile: boolean | undefined;
/** Output has gone through process.stdout, so all that follows must too, to keep its order. */
let streamed = false;

/**
 * What a failed write to stdout does: a closed pipe (`bpfscope … | head`) ends the output, not
 * the process with a stack trace; any other error (a full device) ends it with the error in one
 * line and status 1. bin/bpfscope.js hands process.stdout's errors here too. An exit joins the
 * thread pool: what reads there ahead of the command (kallsyms) stops on exit (LocalHost.readChunks).
 */
export function outputFailed(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`bpfscope: cannot write the output: ${error.message}\n`);
  process.exit(1);
}

/**
 * Text written to fd 1 at once, not through process.stdout: making that stream loads Node's
 * streams (and for a pipe its net module), 2-6 ms of a listing's whole run. A descriptor that
 * cannot take it all at once (a non-blocking pipe, full) gets the rest through the stream,
 * and every write after it.
 */
function writeOut(text: string): void {
  if (streamed) {
    process.stdout.write(text);
    return;
  }
  let written = 0;
  try {
    written = writeSync(1, text);
    if (written === Buffer.byteLength(text)) return;
    const bytes = Buffer.from(text);
    while (written < bytes.length) written += writeSync(1, bytes, written, bytes.length - written);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return outputFailed(error as NodeJS.ErrnoException);
    streamed = true;
    process.stdout.write(Buffer.from(text).subarray(written));
  }
}

const processIo: CliIo = {
  out: writeOut,
  err: (text) => process.stderr.write(text),
  // Write errors (EPIPE) reach the stream's error listener (outputFailed), as for `out`.
  outBytes: (bytes) => {
    stdoutIsFile ??= (() => {
      try {
        return fstatSync(1).isFile();
      } catch {
        return false;
      }
    })();
    if (stdoutIsFile) return Promise.resolve(writeFileOut(bytes));
    streamed = true;
    return new Promise((resolve) => process.stdout.write(bytes, () => resolve()));
  },
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`bpfscope: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [verb, ...args] = parsed.positionals;
  if (parsed.values.help || verb === undefined || verb === 'help') {
    io.out(USAGE);
    return verb === undefined && !parsed.values.help ? 2 : 0;
  }
  const load = COMMANDS[verb];
  if (!load) {
    io.err(`bpfscope: unknown command '${verb}'\n${USAGE}`);
    return 2;
  }
  const { 'map-field': mapFields, ...values } = parsed.values;
  const specs = parseHostList(values.host);
  const flags: CommandContext['flags'] = values;
  const [command, { runOnHost }] = await Promise.all([load(args), import('./cli/run.js')]);
  const extra = { lists: { 'map-field': mapFields ?? [] }, hosts: specs };
  if (specs.length === 1 || MULTI_HOST_COMMANDS.has(verb)) return runOnHost(command, specs[0]!, args, flags, io, extra);
  if (!FLEET_COMMANDS.has(verb)) {
    io.err(`bpfscope: ${verb} takes one host; --host named ${specs.length}\n`);
    return 2;
  }
  const { printFleet, printFleetListing, runOnHosts } = await import('./cli/fleet.js');
  // ls progs compares tags across hosts, which needs each host's JSON listing.
  const drift = verb === 'ls' && (args[0] === 'progs' || args[0] === 'prog');
  const hostFlags = drift ? { ...flags, json: true } : flags;
  const runs = await runOnHosts(specs, (spec, hostIo) => runOnHost(command, spec, args, hostFlags, hostIo));
  if (drift && !parsed.values.json) return printFleetListing(runs, io);
  return printFleet(runs, parsed.values.json === true, drift, io);
}
