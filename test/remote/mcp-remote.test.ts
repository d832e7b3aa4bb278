// `bpfscope mcp --host box,local` over a real sshd: a tool naming the remote host reads it
// through the agent, and answers as the local CLI does (the same kernel).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfscope } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { startMcp, type McpSession } from '../helpers/mcp-client.js';
import { sshHome, startSshd, type TestSshd } from '../helpers/sshd.js';
import { agentTestProblem } from './requirements.js';

const problem = agentTestProblem(true);

describe.skipIf(problem)(`bpfscope mcp --host over loopback sshd${problem ? ` (skipped: ${problem})` : ''}`, { timeout: 180_000 }, () => {
  let sshd: TestSshd;
  let fixtures: LoadedFixtures;
  let mcp: McpSession;

  beforeAll(async () => {
    sshd = await startSshd();
    fixtures = await startFixtures({ only: ['maps'] });
    const home = sshHome(sshd, 'box');
    mcp = await startMcp(['--host', 'box,local'], { HOME: home, SSH_AUTH_SOCK: '' });
  });

  afterAll(async () => {
    await mcp?.close();
    await fixtures?.stop();
    await sshd?.stop();
  });

  it('offers exactly the hosts it was started with, the first by default', async () => {
    const { tools } = await mcp.client.listTools();
    for (const tool of tools) expect(tool.inputSchema.properties?.host, tool.name).toMatchObject({ enum: ['box', 'local'] });
    const page = JSON.parse((await mcp.call('list_maps', { limit: 1 })).text) as { host: string };
    expect(page.host).toBe('box');
  });

  it('shows and dumps a fixture map on the remote host as the local CLI does', async () => {
    const map = fixtures.map('hash_map');
    const shown = await mcp.call('show_map', { host: 'box', id: map.id });
    expect(shown.isError, shown.text).toBe(false);
    expect(JSON.parse(shown.text)).toEqual(JSON.parse((await bpfscope(['show', 'map', String(map.id), '--json'])).stdout));
    const entries = await mcp.pages('dump_map', { host: 'box', id: map.id, limit: 30 }, 'entries');
    expect(entries).toEqual(JSON.parse((await bpfscope(['dump', 'map', String(map.id), '--json'])).stdout));
  });
});
