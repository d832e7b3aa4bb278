// Trace log, BPF streams, token delegation and arena pages (a process's BPF map mappings) through the agent: its new read-only ops answer
// what the addon answers, refuse every file and fd they are not for, and the CLI over a real
// sshd prints what it prints locally.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHost } from '../../main/hosts/agent-host.js';
import type { Host } from '../../main/hosts/host.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { bpfscope } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { sshHome, startSshd, type TestSshd } from '../helpers/sshd.js';
import { AGENT_BINARY, agentTestProblem } from './requirements.js';

const problem = agentTestProblem(true);
const TRACING = '/sys/kernel/tracing';

async function code(promise: Promise<unknown>): Promise<string> {
  return promise.then(() => 'ok', (error: unknown) => String((error as { code?: unknown }).code));
}

describe.skipIf(problem)(`trace log and streams through the agent${problem ? ` (skipped: ${problem})` : ''}`, { timeout: 180_000 }, () => {
  let fixtures: LoadedFixtures;
  let agent: AgentHost;
  let sshd: TestSshd;
  let env: string[];
  const local = new LocalHost();
  let progId: number;

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['printk', 'maps'] });
    progId = fixtures.program('printk_getegid', 'printk').id;
    agent = new AgentHost(spawn(AGENT_BINARY, [], { stdio: ['pipe', 'pipe', 'pipe'] }), { label: 'local agent' });
    sshd = await startSshd();
    const home = sshHome(sshd, 'box');
    env = ['env', '-u', 'SSH_AUTH_SOCK', `HOME=${home}`];
  });
  afterAll(async () => {
    await agent?.close();
    await sshd?.stop();
    await fixtures?.stop();
  });

  it('reads tracefs files and streams as the addon does', async () => {
    for (const file of ['trace_clock', 'buffer_size_kb', 'options/pause-on-trace']) {
      const [a, b] = await Promise.all([local.tracefsRead(`${TRACING}/${file}`, 4096), agent.tracefsRead(`${TRACING}/${file}`, 4096)]);
      expect(Buffer.from(b.bytes).toString(), file).toBe(Buffer.from(a.bytes).toString());
      expect(b.total).toBe(a.total);
    }
    // A tail shorter than the file: the last bytes, and the whole size. Programs on this machine
    // print meanwhile: compared on a read the file did not change around (the addon's before and after).
    const cpu0 = `${TRACING}/per_cpu/cpu0/trace`;
    for (let attempt = 1; ; attempt++) {
      const before = Buffer.from((await local.tracefsRead(cpu0, 1 << 20)).bytes);
      const tail = await agent.tracefsRead(cpu0, 64);
      const afterRead = await local.tracefsRead(cpu0, 1 << 20);
      const after = Buffer.from(afterRead.bytes);
      if (!before.equals(after) && attempt < 50) continue;
      expect(tail.bytes.byteLength).toBe(Math.min(64, tail.total));
      expect(tail.total).toBe(afterRead.total);
      expect(Buffer.from(tail.bytes).toString()).toBe(after.toString().slice(-tail.bytes.byteLength));
      break;
    }
    expect((await agent.progStreamRead(progId, 2, 4096))?.byteLength).toBe(0);
    expect(await agent.progStreamRead(999_999_999, 1, 4096)).toBeNull();
    const pipe = await agent.openTracePipe(`${TRACING}/trace_pipe`);
    expect((await pipe.read(1 << 16)) instanceof Uint8Array).toBe(true);
    await pipe.close();
  });

  it('refuses what is not a non-consuming tracefs file, a trace pipe or a stream read within bounds', async () => {
    for (const host of [local, agent] as Host[]) {
      expect(await code(host.tracefsRead!('/proc/kallsyms', 4096))).toBe('EACCES');
      expect(await code(host.tracefsRead!(`${TRACING}/trace_pipe`, 4096))).toBe('EACCES');
      expect(await code(host.tracefsRead!(`${TRACING}/per_cpu/cpu0/trace_pipe_raw`, 4096))).toBe('EACCES');
      expect(await code(host.tracefsRead!(`${TRACING}/../../../etc/passwd`, 4096))).toBe('EACCES');
      expect(await code(host.tracefsRead!(`${TRACING}/trace`, 0))).toBe('EACCES');
      // A file named like a trace file on another filesystem.
      expect(await code(host.tracefsRead!('/proc/self/stat/../trace', 4096))).toBe('EACCES');
      expect(await code(host.openTracePipe!(`${TRACING}/trace`))).toBe('EACCES');
      expect(await code(host.openTracePipe!('/tmp/trace_pipe'))).not.toBe('ok');
      expect(await code(host.progStreamRead!(progId, 3 as 1, 4096))).toBe('EINVAL');
      expect(await code(host.progStreamRead!(progId, 1, 2 << 20))).toBe('EINVAL');
    }
    // An agent handle of another kind (a map's) is no trace pipe.
    const opened = await agent.session.request('mapOpen', { obj: fixtures.map('hash_map').id });
    const handle = (opened.result as { handle: number }).handle;
    expect(await code(agent.session.request('tracePipeRead', { handle, max: 4096 }))).toBe('EBADF');
    await agent.session.request('close', { handle });
  });

  it('reads the pages of a process’s BPF map mapping as the addon does, and refuses any other range', async () => {
    const pid = fixtures.report.pid;
    const maps = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n');
    const starts = (suffix: string): bigint[] => maps.filter((l) => l.endsWith(suffix)).map((l) => BigInt(`0x${l.split('-')[0]}`));
    const mapped = starts('anon_inode:bpf-map');
    expect(mapped.length).toBeGreaterThan(0);
    for (const at of mapped) {
      const [a, b] = await Promise.all([local.procMapPages(pid, at, 1), agent.procMapPages(pid, at, 1)]);
      expect({ present: [...b.present], pageSize: b.pageSize }).toEqual({ present: [...a.present], pageSize: a.pageSize });
      expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
    }
    for (const host of [local, agent] as Host[]) {
      expect(await code(host.procMapPages!(pid, starts('[stack]')[0]!, 1))).toBe('EACCES');
      expect(await code(host.procMapPages!(pid, mapped[0]! + 1n, 1))).toBe('EINVAL');
      expect(await code(host.procMapPages!(pid, mapped[0]!, 0))).toBe('EINVAL');
    }
  });

  it('gives the kernel’s hash of a frozen array as the addon does, and the same refusals', async () => {
    const rodata = fixtures.map('maps_bpf.rodata', 'maps').id;
    expect(Buffer.from((await agent.mapHash(rodata))!).toString('hex')).toBe(Buffer.from((await local.mapHash(rodata))!).toString('hex'));
    for (const host of [local, agent] as Host[]) {
      expect(await code(host.mapHash!(fixtures.map('maps_bpf.data', 'maps').id))).toBe('EPERM');
      expect(await code(host.mapHash!(fixtures.map('hash_map', 'maps').id))).toBe('EINVAL');
      expect(await host.mapHash!(999_999_999)).toBeNull();
    }
  });

  it('prints over SSH what it prints locally', async () => {
    await fixtures.trigger('printk', 3);
    for (const args of [['tracelog', '--once', '--prog', String(progId)], ['tracelog', 'stderr', String(progId), '--json'], ['token', 'list', '--json'], ['show', 'map', String(fixtures.map('maps_bpf.rodata', 'maps').id), '--json']]) {
      const remote = await bpfscope([...args, '--host', 'box'], env);
      expect(remote.code, remote.stderr).toBe(0);
      const here = await bpfscope(args, env);
      expect(remote.stdout, args.join(' ')).toBe(here.stdout);
    }
  });
});
