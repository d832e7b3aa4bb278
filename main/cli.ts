// The `bpfscope` command.
import { parseArgs } from 'node:util';
import { btfCommand } from './cli/btf.js';
import { doctorCommand } from './cli/doctor.js';
import { objCommand } from './cli/objfile.js';
import { snapshotCommand } from './cli/snapshot.js';
import { diffCommand } from './cli/diff.js';
import { lsCommand, showCommand } from './cli/objects.js';
import { dumpCommand, watchCommand } from './cli/maps.js';
import { topCommand } from './cli/top.js';
import { UsageError, type CliIo, type CommandContext } from './cli/context.js';
import { requireEnumeration, openLocalHost } from './hosts/host-access.js';
import { toHostError } from './hosts/host-error.js';
import { HostSession } from './hosts/host-session.js';
import { SnapshotHost } from './hosts/snapshot-host.js';

const USAGE = `usage: bpfscope <command> [options]

  ls progs|maps|links [--json]         list what is loaded (like bpftool … show)
  show prog|map|link ID [--json]       one object (programs: with every attach point)
  ls net|perf [--json]                 XDP/tc/tcx/flow_dissector per netns; perf-event attachments
  ls cgroup [ROOT] [effective] [--json]  programs per cgroup (like bpftool cgroup tree)
  btf ID [--raw|--c]                   a BTF object as bpftool's raw listing or as C
  obj FILE [--json]                    a compiled BPF object: programs, maps, globals, sections
  obj FILE prog NAME [--linum|--opcodes|--json]   one program's listing with source lines
  dump map ID [--json]                 a map's contents (like bpftool map dump)
  watch map ID [--interval MS] [--key K] [--json]
                                       a map's changes as they happen, until interrupted
  top [--interval S] [--sort cpu|events|avg|name] [--json]
                                       program run statistics, refreshing (like bpftop)
  doctor [--json]                      privilege and kernel settings, what each blocks, what to change
  snapshot [--maps all|none|ID,…] [--max-entries N] [--with-vmlinux] -o FILE
                                       the host's whole BPF state in one file
  diff A B [--json] [--max-entries N]  programs, maps and map entries changed (A, B: snapshot files or local)
  serve [--port N] [--bind ADDR]       the dashboard in a browser

  --host H        inspect host H (default: local; snapshot:FILE opens a snapshot read-only)
  --json          JSON output (keys and values as bpftool -j, plus ours)
`;

type Command = (ctx: CommandContext) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  ls: lsCommand,
  show: showCommand,
  btf: btfCommand,
  obj: objCommand,
  dump: dumpCommand,
  watch: watchCommand,
  doctor: doctorCommand,
  top: topCommand,
  snapshot: snapshotCommand,
  diff: diffCommand,
};

const OPTIONS = {
  json: { type: 'boolean' },
  raw: { type: 'boolean' },
  c: { type: 'boolean' },
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
} as const;

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function sessionOpener(hostSpec: string | undefined): () => Promise<HostSession> {
  let opened: Promise<HostSession> | undefined;
  return () => {
    opened ??= (async () => {
      if (hostSpec?.startsWith('snapshot:')) return new HostSession(await SnapshotHost.open(hostSpec.slice('snapshot:'.length)));
      if (hostSpec !== undefined && hostSpec !== 'local') {
        throw new UsageError(`--host ${hostSpec}: remote hosts are not available in this build`);
      }
      const host = await openLocalHost();
      await requireEnumeration(host);
      return new HostSession(host);
    })();
    return opened;
  };
}

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
  const command = COMMANDS[verb];
  if (!command) {
    io.err(`bpfscope: unknown command '${verb}'\n${USAGE}`);
    return 2;
  }
  const session = sessionOpener(parsed.values.host);
  try {
    return await command({ args, flags: parsed.values, io, session });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`bpfscope: ${error.message}\n`);
      return 2;
    }
    const e = toHostError(error);
    io.err(`bpfscope: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}\n`);
    return 1;
  }
}
