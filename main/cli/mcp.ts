// `bpfscope mcp [--host H[,H…]]`: the read-only MCP server on stdin/stdout until the client
// closes stdin (or SIGINT/SIGTERM). Tools may name only the hosts given here; nothing but
// the protocol goes to stdout, messages go to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from '../mcp/server.js';
import { appVersion } from '../server/app-version.js';
import { UsageError, type CommandContext } from './context.js';
import { keptHosts } from './kept-hosts.js';

function untilClosed(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.stdin.off('end', done);
      process.stdin.off('close', done);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.stdin.once('end', done);
    process.stdin.once('close', done);
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export async function mcpCommand(ctx: CommandContext): Promise<number> {
  if (ctx.args.length > 0) throw new UsageError('usage: bpfscope mcp [--host H[,H…]] (an MCP server on stdin/stdout)');
  const [first = 'local', ...rest] = ctx.hosts ?? [];
  const hosts = keptHosts([first, ...rest], ctx.flags, { ask: false });
  const server = createMcpServer({ names: [first, ...rest], session: (host) => hosts.session(host) }, appVersion());
  try {
    const closed = untilClosed();
    await server.connect(new StdioServerTransport());
    ctx.io.err(`bpfscope: MCP server on stdio for ${[first, ...rest].join(', ')}\n`);
    await closed;
    return 0;
  } finally {
    await server.close();
    await hosts.close();
  }
}
