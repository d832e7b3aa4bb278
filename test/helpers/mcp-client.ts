// The MCP SDK's own client driving `node bin/bpfscope.js mcp` over stdio, as an assistant's
// host application would.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN } from './cli.js';

export interface ToolAnswer {
  isError: boolean;
  text: string;
}

export interface McpSession {
  client: Client;
  /** The text of a tool's answer, and whether it is an error. */
  call(name: string, args?: Record<string, unknown>): Promise<ToolAnswer>;
  /** Every page of a paged tool, following next_offset; `key` names the page's array. */
  pages<T>(name: string, args: Record<string, unknown>, key: string): Promise<T[]>;
  stderr(): string;
  close(): Promise<void>;
}

export async function startMcp(args: string[] = [], env: Record<string, string> = {}): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...args],
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'bpfscope-test', version: '1.0.0' });
  await client.connect(transport);
  const call = async (name: string, toolArgs: Record<string, unknown> = {}): Promise<ToolAnswer> => {
    const result = await client.callTool({ name, arguments: toolArgs });
    const content = result.content as Array<{ type: string; text?: string }>;
    return { isError: result.isError === true, text: content.map((c) => c.text ?? '').join('') };
  };
  return {
    client,
    call,
    pages: async <T>(name: string, toolArgs: Record<string, unknown>, key: string): Promise<T[]> => {
      const all: T[] = [];
      for (let offset: number | undefined = 0, n = 0; offset !== undefined; n++) {
        if (n > 100_000) throw new Error(`${name}: endless pages`);
        const answer = await call(name, { ...toolArgs, offset });
        if (answer.isError) throw new Error(`${name}: ${answer.text}`);
        const page = JSON.parse(answer.text) as Record<string, unknown> & { next_offset?: number };
        all.push(...(page[key] as T[]));
        offset = page.next_offset;
      }
      return all;
    },
    stderr: () => stderr,
    close: () => client.close(),
  };
}
