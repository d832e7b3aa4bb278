// Faults on the local pipe: fake agents, hung agents, malformed requests to
// the real agent. Each ends in a clear HostError, never a crash or a hang.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentHost } from '../../main/hosts/agent-host.js';
import { AGENT_MAGIC, PROTOCOL_VERSION, encodeFrame } from '../../main/hosts/frame.js';
import { prng } from '../helpers/prng.js';
import { AGENT_BINARY, agentTestProblem } from './requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfscope-fake-agent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeAgent(bytes: Uint8Array, then = 'sleep 30'): AgentHost {
  const file = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, bytes);
  return new AgentHost(spawn('sh', ['-c', `cat '${file}'; ${then}`], { stdio: ['pipe', 'pipe', 'pipe'] }), { requestTimeoutMs: 300, helloTimeoutMs: 2000 });
}

const hello = { id: 0, ok: true, result: { agent: 'bpfscope-agent', protocol: PROTOCOL_VERSION } };
const magic = new TextEncoder().encode(AGENT_MAGIC);
const concat = (...parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

describe('fake agents', () => {
  it('garbage instead of the magic: not a bpfscope agent', async () => {
    const host = fakeAgent(new TextEncoder().encode('Welcome to my shell!\n'));
    await expect(host.ready()).rejects.toMatchObject({ code: 'EPROTO', message: expect.stringMatching(/not a bpfscope agent.*Welcome/) });
    await expect(host.listIds('prog')).rejects.toMatchObject({ code: 'EPROTO' });
  });

  it('a frame header past the cap closes the session without buffering it', async () => {
    const host = fakeAgent(concat(magic, new Uint8Array([0xff, 0xff, 0xff, 0x7f])), 'head -c 100000000 /dev/zero; sleep 30');
    await expect(host.ready()).rejects.toMatchObject({ code: 'EPROTO', message: expect.stringMatching(/exceeds/) });
    expect(host.session.closed).toBe(true);
  });

  it('a wrong protocol version is refused', async () => {
    const host = fakeAgent(concat(magic, encodeFrame({ ...hello, result: { agent: 'bpfscope-agent', protocol: 99 } })));
    await expect(host.ready()).rejects.toMatchObject({ code: 'EPROTO', message: expect.stringMatching(/protocol 99/) });
  });

  it('an agent of the previous protocol (without the live and attachment ops) is refused by name', async () => {
    const old = PROTOCOL_VERSION - 1;
    const host = fakeAgent(concat(magic, encodeFrame({ ...hello, result: { agent: 'bpfscope-agent', protocol: old } })));
    await expect(host.ready()).rejects.toMatchObject({ code: 'EPROTO', message: `agent speaks protocol ${old}, we speak ${PROTOCOL_VERSION}` });
  });

  it('an agent that exits prints its stderr into the error', async () => {
    const host = new AgentHost(spawn('sh', ['-c', 'echo "agent: cannot exec: Exec format error" >&2; exit 126'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    await expect(host.ready()).rejects.toMatchObject({ code: 'ECLOSED', message: expect.stringMatching(/Exec format error/) });
  });

  it('a hung agent times requests out and drops their late replies', async () => {
    const host = fakeAgent(concat(magic, encodeFrame(hello)));
    await host.ready();
    const t0 = Date.now();
    await expect(host.listIds('prog')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(host.session.closed).toBe(false);
    await host.close();
  });

  it('a reply to a request never made closes the session', async () => {
    const host = fakeAgent(concat(magic, encodeFrame(hello), encodeFrame({ id: 77, ok: true, result: null })));
    await host.ready().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    await expect(host.listIds('map')).rejects.toMatchObject({ code: 'EPROTO', message: expect.stringMatching(/unknown request 77/) });
  });
});

const problem = agentTestProblem();

describe.skipIf(problem)(`the real agent under malformed input${problem ? ` (skipped: ${problem})` : ''}`, () => {
  it('answers malformed, truncated and oversized requests with EPROTO and exits 2, seeded', async () => {
    const rand = prng(7);
    const cases: Buffer[] = [];
    for (let i = 0; i < 100; i++) {
      const good = Buffer.from(encodeFrame({ id: 1, op: 'listIds', kind: 0, max: 10 }));
      const kind = i % 5;
      if (kind === 0) for (let k = 0; k < 3; k++) good[8 + Math.floor(rand() * (good.length - 8))] = Math.floor(rand() * 256);
      if (kind === 1) good.writeUInt32LE(0xffffff, 0);
      if (kind === 2) good.writeUInt32LE(good.readUInt32LE(4) + 5, 4);
      if (kind === 3) cases.push(good.subarray(0, 4 + Math.floor(rand() * (good.length - 4))));
      else if (kind === 4) cases.push(Buffer.from(encodeFrame({ id: 1, op: 'x'.repeat(40), blobs: 'no' } as Record<string, unknown>)));
      else cases.push(good);
    }
    let refused = 0;
    await Promise.all(
      cases.map(
        (input) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(AGENT_BINARY, [], { stdio: ['pipe', 'pipe', 'ignore'] });
            let out = Buffer.alloc(0);
            child.stdout.on('data', (d: Buffer) => (out = Buffer.concat([out, d])));
            // 'close', not 'exit': stdout is read to its end by then.
            child.on('close', (code, signal) => {
              if (signal) return reject(new Error(`agent died of ${signal} on ${input.toString('hex')}`));
              if (code === 2 && out.toString('latin1').includes('"code":"EPROTO"')) refused++;
              else if (code !== 0) return reject(new Error(`agent exited ${code} on ${input.toString('hex')}: ${out.toString('latin1')}`));
              resolve();
            });
            child.stdin.end(input);
          }),
      ),
    );
    expect(refused).toBeGreaterThan(40);
  });
});
