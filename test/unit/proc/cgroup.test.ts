// /proc/PID/cgroup as systemd, Docker, containerd, CRI-O, Podman and the kubelet lay it out
// (recorded shapes of each; ids made up), and command lines.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cgroupContext, parseCgroupFile } from '../../../main/kernel/proc/cgroup.js';
import { commandLineText, parseCmdline } from '../../../main/kernel/proc/cmdline.js';

const DOCKER_ID = '376f487bf99250bcc5fc3fe8c25a75d3176d40b0050403f03b4d7d31fd48e7f2';
const DOCKER_V1_ID = '4e7d912fd6788b3f2fa2968e1e1f2e737bab4bd782c6f906952f5870492ce4a2';
const CONTAINERD_ID = '2397d068a8d1552a4c3f9147ba9c94e086bfd66fb2acb5bbaf47197105127d5f';
const CRIO_ID = 'c64064614423cb790e88b3e5492ff5ccf673b25ae823089f7a60c65cda24d809';
const K8S_FS_ID = 'b682343341ef1c4a6c977b0abfe273cf123c00bb53e2d3204c35d488a8166664';
const PODMAN_ID = '2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9';

const HYBRID_V1 = (path: string) => [
  `12:freezer:${path}`, `11:memory:${path}`, '10:rdma:/', `9:pids:${path}`, `8:cpu,cpuacct:${path}`, `7:devices:${path}`,
  `6:blkio:${path}`, '5:net_cls,net_prio:/', '4:perf_event:/', '3:hugetlb:/', '2:cpuset:/', `1:name=systemd:${path}`,
];

// [what, file contents, expected context]
const RECORDED: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
  ['systemd service (cgroup v2)', '0::/system.slice/sshd.service\n', { path: '/system.slice/sshd.service', unit: 'sshd.service', slice: 'system.slice' }],
  ['systemd login session', '0::/user.slice/user-1000.slice/session-3.scope\n', { path: '/user.slice/user-1000.slice/session-3.scope', unit: 'session-3.scope', slice: 'user-1000.slice' }],
  ['systemd user service', '0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4012.scope\n',
    { path: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4012.scope', unit: 'app-gnome-firefox-4012.scope', slice: 'app.slice' }],
  ['systemd service (hybrid, v2 at the root)', [...HYBRID_V1('/system.slice/cron.service'), '0::/'].join('\n'),
    { path: '/system.slice/cron.service', unit: 'cron.service', slice: 'system.slice' }],
  ['Docker, systemd driver', `0::/system.slice/docker-${DOCKER_ID}.scope\n`,
    { path: `/system.slice/docker-${DOCKER_ID}.scope`, unit: `docker-${DOCKER_ID}.scope`, slice: 'system.slice', container: { runtime: 'docker', id: DOCKER_ID } }],
  ['Docker, cgroupfs driver (v1)', [...HYBRID_V1(`/docker/${DOCKER_V1_ID}`), '0::/'].join('\n'),
    { path: `/docker/${DOCKER_V1_ID}`, container: { runtime: 'docker', id: DOCKER_V1_ID } }],
  ['containerd under Kubernetes, systemd driver',
    `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5f2b4c6e_1d3a_4b7c_9e8f_0a1b2c3d4e5f.slice/cri-containerd-${CONTAINERD_ID}.scope\n`,
    {
      path: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5f2b4c6e_1d3a_4b7c_9e8f_0a1b2c3d4e5f.slice/cri-containerd-${CONTAINERD_ID}.scope`,
      unit: `cri-containerd-${CONTAINERD_ID}.scope`, slice: 'kubepods-burstable-pod5f2b4c6e_1d3a_4b7c_9e8f_0a1b2c3d4e5f.slice',
      container: { runtime: 'containerd', id: CONTAINERD_ID }, pod: { uid: '5f2b4c6e-1d3a-4b7c-9e8f-0a1b2c3d4e5f', qos: 'burstable' },
    }],
  ['CRI-O under Kubernetes, best-effort pod',
    `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1c2d3e4f_5a6b_7c8d_9e0f_a1b2c3d4e5f6.slice/crio-${CRIO_ID}.scope\n`,
    {
      path: `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1c2d3e4f_5a6b_7c8d_9e0f_a1b2c3d4e5f6.slice/crio-${CRIO_ID}.scope`,
      unit: `crio-${CRIO_ID}.scope`, slice: 'kubepods-besteffort-pod1c2d3e4f_5a6b_7c8d_9e0f_a1b2c3d4e5f6.slice',
      container: { runtime: 'cri-o', id: CRIO_ID }, pod: { uid: '1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6', qos: 'besteffort' },
    }],
  ['guaranteed pod, systemd driver', `0::/kubepods.slice/kubepods-pod0a1b2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice/cri-containerd-${CONTAINERD_ID}.scope\n`,
    {
      path: `/kubepods.slice/kubepods-pod0a1b2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice/cri-containerd-${CONTAINERD_ID}.scope`,
      unit: `cri-containerd-${CONTAINERD_ID}.scope`, slice: 'kubepods-pod0a1b2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice',
      container: { runtime: 'containerd', id: CONTAINERD_ID }, pod: { uid: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d', qos: 'guaranteed' },
    }],
  ['Kubernetes, cgroupfs driver (v1)', [...HYBRID_V1(`/kubepods/burstable/pod5f2b4c6e-1d3a-4b7c-9e8f-0a1b2c3d4e5f/${K8S_FS_ID}`), '0::/'].join('\n'),
    {
      path: `/kubepods/burstable/pod5f2b4c6e-1d3a-4b7c-9e8f-0a1b2c3d4e5f/${K8S_FS_ID}`,
      container: { runtime: 'kubernetes', id: K8S_FS_ID }, pod: { uid: '5f2b4c6e-1d3a-4b7c-9e8f-0a1b2c3d4e5f', qos: 'burstable' },
    }],
  ['rootless Podman', `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${PODMAN_ID}.scope/container\n`,
    {
      path: `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${PODMAN_ID}.scope/container`,
      unit: `libpod-${PODMAN_ID}.scope`, slice: 'user.slice', container: { runtime: 'podman', id: PODMAN_ID },
    }],
  ['the root cgroup', '0::/\n', { path: '/' }],
  // This machine's own (a sandbox: v1 controllers, only memory placed, v2 at the root): the path, nothing more.
  ['this machine (recorded)', ['9:name=systemd:/', '8:pids:/', '7:blkio:/', '6:freezer:/', '5:devices:/', '4:memory:/process_api/6f7744441f3c40597ac9c48bc508efae', '3:cpuset:/', '2:cpuacct:/', '1:cpu:/', '0::/', ''].join('\n'),
    { path: '/process_api/6f7744441f3c40597ac9c48bc508efae' }],
];

describe('cgroup context', () => {
  it.each(RECORDED)('%s', (_what, text, expected) => {
    expect(cgroupContext(parseCgroupFile(text))).toEqual(expected);
  });

  it('reads this machine\'s own /proc/self/cgroup: the path of one of its lines', () => {
    const text = readFileSync('/proc/self/cgroup', 'utf8');
    const lines = parseCgroupFile(text);
    expect(lines.length).toBe(text.trim().split('\n').length);
    const context = cgroupContext(lines)!;
    expect(lines.map((l) => l.path)).toContain(context.path);
  });

  it('skips lines that are not cgroup lines and survives garbage', () => {
    expect(parseCgroupFile('garbage\n0::/system.slice/a.service\n\n:x')).toEqual([{ hierarchy: 0, controllers: [], path: '/system.slice/a.service' }]);
    expect(cgroupContext([])).toBeUndefined();
  });
});

describe('command lines', () => {
  it('splits on NULs and quotes for a shell', () => {
    const args = parseCmdline(new TextEncoder().encode('bpftrace\0-e\0tracepoint:sched:sched_switch { @[comm] = count(); }\0'));
    expect(args).toEqual(['bpftrace', '-e', 'tracepoint:sched:sched_switch { @[comm] = count(); }']);
    expect(commandLineText(args)).toBe("bpftrace -e 'tracepoint:sched:sched_switch { @[comm] = count(); }'");
    expect(commandLineText(["it's"])).toBe(`'it'\\''s'`);
    expect(parseCmdline(new Uint8Array(0))).toEqual([]);
  });
});
