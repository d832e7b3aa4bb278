// Owner context on this machine: a process moved into cgroups laid out as systemd, Docker and
// the kubelet lay them out (created here under the cgroup v2 mount), read through the real host.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalHost } from '../../main/hosts/host-access.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { ownerContexts, ownerPlace } from '../../main/hosts/owner-context.js';
import { cgroup2Mount } from '../../main/hosts/attachments.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
const ID = 'c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789';
const POD = 'kubepods-burstable-pod0a1b2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice';
let session: HostSession;
let root: string;
const made: string[] = [];
const children: ChildProcess[] = [];

/** Starts `sleep` inside a new cgroup at `path` (relative to the v2 mount); its pid. */
function sleeperIn(path: string): number {
  let dir = root;
  for (const part of path.split('/')) {
    dir = join(dir, part);
    mkdirSync(dir, { recursive: true });
    if (!made.includes(dir)) made.push(dir);
  }
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  children.push(child);
  writeFileSync(join(dir, 'cgroup.procs'), String(child.pid));
  return child.pid!;
}

describe.skipIf(skip)('owner context of real processes', () => {
  beforeAll(async () => {
    session = new HostSession(await openLocalHost());
    const mount = await cgroup2Mount(session.host);
    if (!mount) throw new Error('no cgroup v2 mount');
    root = mount;
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    for (const dir of made.reverse()) rmdirSync(dir);
    await session?.close();
  });

  it('reads the command line, unit, container and pod of processes in such cgroups', async () => {
    const service = sleeperIn('bpfscope-test.slice/bpfscope-owner.service');
    const docker = sleeperIn(`bpfscope-test.slice/docker-${ID}.scope`);
    const pod = sleeperIn(`bpfscope-kubepods.slice/${POD}/cri-containerd-${ID}.scope`);
    const [a, b, c] = await ownerContexts(session, [service, docker, pod]);
    expect(a!.argv).toEqual(readFileSync(`/proc/${service}/cmdline`, 'utf8').split('\0').slice(0, -1));
    expect(a!.commandLine).toBe('sleep 600');
    expect(a!.cgroup).toMatchObject({ unit: 'bpfscope-owner.service', slice: 'bpfscope-test.slice' });
    expect(ownerPlace(a!)).toBe('bpfscope-owner.service');
    expect(b!.cgroup?.container).toEqual({ runtime: 'docker', id: ID });
    expect(ownerPlace(b!)).toBe(`docker container ${ID.slice(0, 12)}`);
    expect(c!.cgroup).toMatchObject({ container: { runtime: 'containerd', id: ID }, pod: { uid: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d', qos: 'burstable' } });
    // The cgroup path is the one the kernel shows for the process.
    expect(readFileSync(`/proc/${pod}/cgroup`, 'utf8')).toContain(c!.cgroup!.path);
  });

  it('says when a process is gone', async () => {
    const child = spawn('true');
    await new Promise((r) => child.once('exit', r));
    const [gone] = await ownerContexts(session, [child.pid!]);
    expect(gone).toEqual({ pid: child.pid, gone: true });
  });
});
