// `bpfscope mcp`: a Model Context Protocol server (the official SDK) whose tools read what
// is loaded in the kernel of one or more hosts and answer with the CLI's --json structures.
// Every tool is read-only (annotated so) and bounded (tools.ts); the hosts are the ones
// named when the server started, so a client cannot make bpfscope connect anywhere else.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { toHostError } from '../hosts/host-error.js';
import { ProgramListings } from '../server/code-service.js';
import type { HostSession } from '../hosts/host-session.js';
import { dumpMapTool, dumpProgramTool, INSN_LIMIT, LIST_LIMIT, listTool, MAP_ENTRY_LIMIT, showTool, TOP_INTERVAL_MS, TOP_LIMIT, topTool } from './tools.js';

export interface McpHosts {
  /** The hosts tools may name; the first is the default. */
  names: readonly [string, ...string[]];
  session(host: string): Promise<HostSession>;
}

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

const id = (what: string) => z.number().int().min(1).max(0xffffffff).describe(`the ${what}'s id`);
const offset = (what: string) => z.number().int().min(0).optional().describe(`first ${what} to return (default 0); answers give next_offset while more remain`);
const limit = (what: string, bounds: { default: number; max: number }) =>
  z.number().int().min(1).max(bounds.max).optional().describe(`${what} to return, at most ${bounds.max} (default ${bounds.default})`);

function answer(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

/** A failure as the CLI words it (`code: message`, and the hint), marked as a tool error. */
function failure(error: unknown): CallToolResult {
  const e = toHostError(error);
  return { isError: true, content: [{ type: 'text', text: `${e.code}: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}` }] };
}

export function createMcpServer(hosts: McpHosts, version: string): McpServer {
  const server = new McpServer(
    { name: 'bpfscope', version },
    {
      instructions:
        'Read-only inspection of eBPF: the programs, maps and links loaded in a Linux kernel, their bytecode, map contents ' +
        'decoded with BTF, and program run statistics. Answers are the JSON of the bpfscope CLI (bpftool -j keys first). ' +
        `Hosts: ${hosts.names.join(', ')} (default ${hosts.names[0]}). Lists and dumps are paged: pass next_offset back as offset.`,
    },
  );
  const host = z.enum(hosts.names).optional().describe(`the host to read (default ${hosts.names[0]})`);
  const listings = new ProgramListings();
  const tool = async (name: string | undefined, read: (session: HostSession, host: string) => Promise<string>): Promise<CallToolResult> => {
    const chosen = name ?? hosts.names[0];
    try {
      return answer(await read(await hosts.session(chosen), chosen));
    } catch (error) {
      return failure(error);
    }
  };

  for (const [name, kind, noun] of [
    ['list_programs', 'prog', 'programs'],
    ['list_maps', 'map', 'maps'],
    ['list_links', 'link', 'links'],
  ] as const) {
    server.registerTool(
      name,
      {
        title: `List loaded ${noun}`,
        description: `Every ${noun.slice(0, -1)} loaded on the host, as \`bpfscope ls ${noun} --json\` (bpftool ${kind} show -j) prints it, a page at a time: {host, total, offset, items, next_offset?}.`,
        inputSchema: { host, offset: offset(noun.slice(0, -1)), limit: limit(noun, LIST_LIMIT) },
        annotations: READ_ONLY,
      },
      (args) => tool(args.host, (s) => listTool(s, kind, args)),
    );
  }
  for (const [name, kind, noun, what] of [
    ['show_program', 'prog', 'program', 'with its attach_points (links, netlink, cgroups, perf events) and a summary'],
    ['show_map', 'map', 'map', 'with its type, key and value sizes, max_entries, memlock, BTF ids and owners'],
  ] as const) {
    server.registerTool(
      name,
      {
        title: `Show one ${noun}`,
        description: `One loaded ${noun} as \`bpfscope show ${kind} ID --json\` prints it, ${what}.`,
        inputSchema: { host, id: id(noun) },
        annotations: READ_ONLY,
      },
      (args) => tool(args.host, (s) => showTool(s, kind, args.id)),
    );
  }
  server.registerTool(
    'dump_program',
    {
      title: 'Dump a program\'s bytecode',
      description:
        'Instructions of a loaded program as `bpfscope dump prog ID --json` prints them (bpftool prog dump xlated -j keys, then ours), ' +
        'a range at a time: {host, prog_id, total, offset, insns, next_offset?}.',
      inputSchema: {
        host,
        id: id('program'),
        offset: offset('instruction index'),
        limit: limit('instructions', INSN_LIMIT),
        linum: z.boolean().optional().describe('add source file and line (like --linum)'),
        opcodes: z.boolean().optional().describe('add the raw opcode bytes (like --opcodes)'),
      },
      annotations: READ_ONLY,
    },
    (args) => tool(args.host, (s, chosen) => dumpProgramTool(listings, chosen, s, args.id, args, args)),
  );
  server.registerTool(
    'dump_map',
    {
      title: 'Dump a map\'s entries',
      description:
        'Entries of a loaded map as `bpfscope dump map ID --json` prints them (bpftool map dump -j: hex key and value, and ' +
        'formatted with BTF), a page at a time in the kernel\'s order: {host, map_id, offset, entries, next_offset?}.',
      inputSchema: { host, id: id('map'), offset: offset('entry'), limit: limit('entries', MAP_ENTRY_LIMIT) },
      annotations: READ_ONLY,
    },
    (args) => tool(args.host, (s) => dumpMapTool(s, args.id, args)),
  );
  server.registerTool(
    'top',
    {
      title: 'Program run statistics',
      description:
        'Which programs run most, as `bpfscope top --json` prints one sample: events per second, average run time and CPU ' +
        'share over the interval, with the cost of keeping run statistics on (they are on only while sampling).',
      inputSchema: {
        host,
        interval_ms: z.number().int().min(TOP_INTERVAL_MS.min).max(TOP_INTERVAL_MS.max).optional().describe(`sampling interval (default ${TOP_INTERVAL_MS.default})`),
        sort: z.enum(['cpu', 'events', 'avg', 'name']).optional().describe('order of programs (default cpu)'),
        limit: limit('programs', TOP_LIMIT),
      },
      annotations: READ_ONLY,
    },
    (args) => tool(args.host, (s) => topTool(s, args.interval_ms ?? TOP_INTERVAL_MS.default, args.sort ?? 'cpu', args.limit ?? TOP_LIMIT.default)),
  );
  return server;
}
