// Hand-built rtnetlink messages, prog-query records and task_fd_query attrs, with the values
// the decoders must find in them; then the per-program join.
import { describe, expect, it } from 'vitest';
import {
  attachPointsByProgram,
  CLSACT_INGRESS,
  linkAttachWords,
  decodeFilterDump,
  decodeLinkDump,
  decodeQueryRecords,
  decodeRouteDump,
  decodeTaskFdQuery,
  decodeTcObjectDump,
  resolveLwtProgram,
  tcFilterParents,
  renderCgroupTreeJson,
  renderPerfJson,
  renderPerfText,
  perfEventHolders,
  perfHolderTarget,
  type AttachmentViews,
} from '../../../main/kernel/attach/index.js';
import type { LinkInfo } from '../../../main/kernel/info/index.js';

function attr(type: number, payload: Uint8Array): Uint8Array {
  const len = 4 + payload.length;
  const out = new Uint8Array((len + 3) & ~3);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, len, true);
  dv.setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}
const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const str = (s: string): Uint8Array => new TextEncoder().encode(`${s}\0`);
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
function message(type: number, body: Uint8Array): Uint8Array {
  const head = new Uint8Array(16);
  new DataView(head.buffer).setUint32(0, 16 + body.length, true);
  new DataView(head.buffer).setUint16(4, type, true);
  return cat(head, body);
}
function ifinfo(index: number): Uint8Array {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setInt32(4, index, true);
  return b;
}

describe('rtnetlink', () => {
  it('finds XDP programs per mode, in bpftool order for multi', () => {
    const single = message(16, cat(ifinfo(7), attr(3, str('veth0')), attr(43 | 0x8000, cat(attr(2, new Uint8Array([1])), attr(4, u32(99))))));
    const multi = message(16, cat(ifinfo(8), attr(3, str('eth1')), attr(43, cat(attr(2, new Uint8Array([4])), attr(5, u32(11)), attr(6, u32(12))))));
    const plain = message(16, cat(ifinfo(1), attr(3, str('lo'))));
    const ifaces = decodeLinkDump(cat(single, multi, plain));
    expect(ifaces).toEqual([
      { ifindex: 7, name: 'veth0', xdp: { attached: 'driver', programs: [{ mode: 'driver', progId: 99 }] } },
      { ifindex: 8, name: 'eth1', xdp: { attached: 'multi', programs: [{ mode: 'generic', progId: 12 }, { mode: 'driver', progId: 11 }] } },
      { ifindex: 1, name: 'lo' },
    ]);
  });

  it('decodes a cls_bpf filter: prio, protocol, handle, direct-action, name, tag', () => {
    const tc = new Uint8Array(20);
    const dv = new DataView(tc.buffer);
    dv.setInt32(4, 33, true);
    dv.setUint32(8, 1, true);
    dv.setUint32(12, CLSACT_INGRESS, true);
    dv.setUint32(16, (1 << 16) | 0x0300, true); // prio 1, ETH_P_ALL in network order
    const opts = cat(attr(11, u32(1730)), attr(7, str('tc_ingress:[1730]')), attr(8, u32(1)), attr(10, new Uint8Array([0x8a, 0xac, 0x7f, 0xd4, 0xc2, 0xe9, 0x7b, 0xf7])));
    const head = message(44, cat(tc, attr(1, str('bpf')))); // chain head: no options
    const filter = message(44, cat(tc, attr(1, str('bpf')), attr(2, opts)));
    expect(decodeFilterDump(cat(head, filter))).toEqual([
      { ifindex: 33, handle: 1, parent: CLSACT_INGRESS, priority: 1, protocol: 3, progId: 1730, name: 'tc_ingress:[1730]', directAction: true, hasActions: false, tag: '8aac7fd4c2e97bf7' },
    ]);
  });

  it('rejects a message longer than the buffer', () => {
    const bad = message(16, ifinfo(1)).slice(0, 20);
    expect(() => decodeLinkDump(bad)).toThrow(/bad message length/);
  });
});

function record(type: number, flags: number, error: number, attachFlags: number, progs: Array<[number, number, number]>): Uint8Array {
  const head = new Uint8Array(32);
  const dv = new DataView(head.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, flags, true);
  dv.setInt32(8, error, true);
  dv.setUint32(12, attachFlags, true);
  dv.setUint32(16, progs.length, true);
  const arrays = new Uint32Array(progs.length * 4);
  progs.forEach(([id, f, link], i) => {
    arrays[i] = id;
    arrays[progs.length + i] = f;
    arrays[2 * progs.length + i] = link;
  });
  return cat(head, new Uint8Array(arrays.buffer));
}

describe('prog query records', () => {
  it('decodes programs, per-program flags, link ids and errors', () => {
    const bytes = cat(record(0, 0, 0, 2, [[10, 2, 0], [11, 2, 0]]), record(7, 0, 22, 0, []), record(46, 1, 0, 0, [[12, 0, 5]]));
    expect(decodeQueryRecords(bytes)).toEqual([
      { attachType: 0, effective: false, attachFlags: 2, programs: [{ progId: 10, attachFlags: 2 }, { progId: 11, attachFlags: 2 }] },
      { attachType: 7, effective: false, error: 22, attachFlags: 0, programs: [] },
      { attachType: 46, effective: true, attachFlags: 0, programs: [{ progId: 12, attachFlags: 0, linkId: 5 }] },
    ]);
  });

  it('renders bpftool cgroup tree JSON (flags words; none in effective mode)', () => {
    const records = decodeQueryRecords(cat(record(0, 0, 0, 0, [[10, 2, 0]]), record(18, 0, 0, 0, [[11, 0, 0]])));
    const lookup = (id: number) => ({ name: `p${id}`, attachBtfObjId: 0, attachBtfId: 0, attachBtfName: '' });
    const views = [{ path: '/cg', id: 1, attached: records, effective: records }, { path: '/empty', id: 2, attached: [], effective: [] }];
    expect(renderCgroupTreeJson(views, false, lookup)).toEqual([
      {
        cgroup: '/cg',
        programs: [
          { id: 10, attach_type: 'cgroup_inet_ingress', attach_flags: 'multi', name: 'p10', attach_btf_name: '', attach_btf_obj_id: 0, attach_btf_id: 0 },
          { id: 11, attach_type: 'cgroup_sysctl', attach_flags: '', name: 'p11', attach_btf_name: '', attach_btf_obj_id: 0, attach_btf_id: 0 },
        ],
      },
    ]);
    expect(renderCgroupTreeJson(views, true, lookup)[0]!.programs).toEqual([
      { id: 10, attach_type: 'cgroup_inet_ingress', name: 'p10', attach_btf_name: '', attach_btf_obj_id: 0, attach_btf_id: 0 },
      { id: 11, attach_type: 'cgroup_sysctl', name: 'p11', attach_btf_name: '', attach_btf_obj_id: 0, attach_btf_id: 0 },
    ]);
  });
});

function taskAttr(pid: number, fd: number, progId: number, fdType: number, offset: bigint, addr: bigint): Uint8Array {
  const b = new Uint8Array(48);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, pid, true);
  dv.setUint32(4, fd, true);
  dv.setUint32(24, progId, true);
  dv.setUint32(28, fdType, true);
  dv.setBigUint64(32, offset, true);
  dv.setBigUint64(40, addr, true);
  return b;
}

describe('task fd query', () => {
  it('decodes uprobe, tracepoint and address-only kprobe; renders bpftool perf JSON', () => {
    const up = { ...decodeTaskFdQuery(taskAttr(5, 9, 70, 4, 39520n, 0n), str('/bin/x')), comm: 'x' };
    const tp = { ...decodeTaskFdQuery(taskAttr(5, 10, 71, 1, 0n, 0n), str('sys_enter_getpid')), comm: 'x' };
    const kp = { ...decodeTaskFdQuery(taskAttr(6, 3, 72, 2, 0n, 0xffffffff81000000n), new Uint8Array()), comm: 'y' };
    expect(up).toMatchObject({ pid: 5, fd: 9, progId: 70, fdType: 'uprobe', name: '/bin/x', probeOffset: 39520n });
    expect(renderPerfJson([up, tp, kp])).toEqual([
      { pid: 5, fd: 9, prog_id: 70, fd_type: 'uprobe', filename: '/bin/x', offset: 39520n, comm: 'x' },
      { pid: 5, fd: 10, prog_id: 71, fd_type: 'tracepoint', tracepoint: 'sys_enter_getpid', comm: 'x' },
      { pid: 6, fd: 3, prog_id: 72, fd_type: 'kprobe', addr: 0xffffffff81000000n, comm: 'y' },
    ]);
    expect(() => decodeTaskFdQuery(new Uint8Array(40), new Uint8Array())).toThrow(/48/);
  });
});

function rtmsg(family: number, dstLen: number, table: number): Uint8Array {
  const b = new Uint8Array(12);
  b[0] = family;
  b[1] = dstLen;
  b[4] = table;
  return b;
}
const u16 = (n: number): Uint8Array => new Uint8Array(new Uint16Array([n]).buffer);

describe('routes (LWT BPF encap)', () => {
  const lwt = (hook: number, name: string): Uint8Array => cat(attr(21, u16(6)), attr(22 | 0x8000, attr(hook | 0x8000, attr(2, str(name)))));
  it('finds the hook and name per route and per multipath nexthop; other encaps are skipped', () => {
    const v4 = message(24, cat(rtmsg(2, 32, 254), attr(1, new Uint8Array([198, 18, 0, 7])), attr(4, u32(71)), lwt(3, 'lwt_xmit_pass')));
    const v6dst = new Uint8Array(16);
    v6dst.set([0x20, 0x01, 0x0d, 0xb8]);
    const hop = cat(new Uint8Array([0, 0, 0, 0]), new Uint8Array(new Int32Array([9]).buffer), lwt(1, 'in_prog'));
    new DataView(hop.buffer).setUint16(0, hop.length, true);
    const v6 = message(24, cat(rtmsg(10, 64, 252), attr(15, u32(1000)), attr(1, v6dst), attr(9, hop)));
    const mpls = message(24, cat(rtmsg(2, 0, 254), attr(21, u16(1)), attr(22, attr(1, u32(5)))));
    expect(decodeRouteDump(cat(v4, v6, mpls))).toEqual([
      { family: 2, dst: '198.18.0.7/32', table: 254, oif: 71, programs: [{ hook: 'xmit', name: 'lwt_xmit_pass' }] },
      { family: 10, dst: '2001:db8::/64', table: 1000, oif: 9, programs: [{ hook: 'in', name: 'in_prog' }] },
    ]);
  });

  it('matches a route\'s program by type and name, saying when it cannot tell', () => {
    const progs = [
      { id: 1, type: 12, name: 'lwt_xmit_pass' },
      { id: 2, type: 12, name: 'other' },
      { id: 3, type: 10, name: 'a_very_long_nam' },
      { id: 4, type: 11, name: 'lwt_xmit_pass' },
    ];
    expect(resolveLwtProgram('xmit', 'lwt_xmit_pass', progs)).toEqual({ progIds: [1], by: 'name' });
    expect(resolveLwtProgram('in', 'a_very_long_name_indeed', progs)).toEqual({ progIds: [3], by: 'name' });
    expect(resolveLwtProgram('out', 'prog.o:[lwt_out]', progs)).toEqual({ progIds: [4], by: 'only-of-type' });
    expect(resolveLwtProgram('xmit', 'prog.o:[xmit]', progs)).toEqual({ progIds: [1, 2], by: 'ambiguous' });
    expect(resolveLwtProgram('xmit', 'lwt_xmit_pass', [...progs, { id: 9, type: 12, name: 'lwt_xmit_pass' }])).toEqual({ progIds: [1, 9], by: 'ambiguous' });
    expect(resolveLwtProgram('in', 'x', [])).toEqual({ progIds: [], by: 'none' });
  });
});

describe('qdiscs and classes', () => {
  it('reads handle, parent and kind of each', () => {
    const tc = (ifindex: number, handle: number, parent: number): Uint8Array => {
      const b = new Uint8Array(20);
      const dv = new DataView(b.buffer);
      dv.setInt32(4, ifindex, true);
      dv.setUint32(8, handle, true);
      dv.setUint32(12, parent, true);
      return b;
    };
    const dump = cat(message(36, cat(tc(3, 0x10000, 0xffffffff), attr(1, str('htb')))), message(40, cat(tc(3, 0x10001, 0x10000), attr(1, str('htb')))), message(36, tc(4, 0, 0)));
    expect(decodeTcObjectDump(dump)).toEqual([
      { ifindex: 3, handle: 0x10000, parent: 0xffffffff, kind: 'htb' },
      { ifindex: 3, handle: 0x10001, parent: 0x10000, kind: 'htb' },
      { ifindex: 4, handle: 0, parent: 0, kind: 'unknown' },
    ]);
  });
});

describe('tc filter parents', () => {
  it('classes, qdiscs with a handle, root when an ingress qdisc exists, clsact when present', () => {
    const q = (ifindex: number, handle: number, kind: string) => ({ ifindex, handle, parent: 0, kind });
    const qdiscs = [q(3, 0x10000, 'htb'), q(3, 0xffff0000, 'clsact'), q(4, 0, 'noqueue'), q(5, 0xffff0000, 'ingress')];
    expect(tcFilterParents(3, qdiscs, [q(3, 0x10001, 'htb')]).map((p) => p.kind)).toEqual(['htb', 'htb', 'clsact/ingress', 'clsact/egress']);
    expect(tcFilterParents(4, qdiscs, [])).toEqual([]);
    expect(tcFilterParents(5, qdiscs, []).map((p) => p.kind)).toEqual(['ingress', 'root']);
    expect(tcFilterParents(6, undefined, []).map((p) => p.kind)).toEqual(['clsact/ingress', 'clsact/egress']);
  });
});

describe('attach points', () => {
  it('joins every mechanism per program; a link hides the same hook seen elsewhere', () => {
    const views: AttachmentViews = {
      links: [{ infoLen: 64, type: 6, id: 3, progId: 1, details: { kind: 'xdp', ifindex: 7 } }],
      extensions: [],
      net: [
        {
          netns: { inode: 1, label: 'host', path: null },
          interfaces: [{ ifindex: 7, name: 'veth0', xdp: { attached: 'driver', programs: [{ mode: 'driver', progId: 1 }] } }],
          tc: [{ ifindex: 7, devname: 'veth0', kind: 'clsact/ingress', direction: 'ingress', parent: CLSACT_INGRESS, handle: 1, priority: 1, protocol: 3, progId: 2, directAction: true, hasActions: false }],
          tcx: [],
          flowDissector: [{ progId: 4, attachFlags: 0 }],
          skLookup: [],
          lwt: [],
          errors: [],
        },
      ],
      cgroups: [{ path: '/cg', id: 9, attached: [{ attachType: 1, effective: false, attachFlags: 2, programs: [{ progId: 5, attachFlags: 2 }] }], effective: [] }],
      perf: [{ pid: 5, fd: 9, progId: 6, fdType: 'uprobe', name: '/bin/x', probeOffset: 16n, probeAddr: 0n, comm: 'x' }],
      perfHolders: [{ pid: 30, comm: 'profiler', fds: [4, 5], progIds: [10] }],
      structOps: [{ mapId: 20, mapName: 'cc', progIds: [7, 8] }],
      progArrays: [{ mapId: 21, mapName: 'jmp', slots: [{ index: 2, progId: 9 }] }],
    };
    const points = attachPointsByProgram(views);
    expect(points.get(1)).toEqual([{ progId: 1, mechanism: 'link', kind: 'xdp', target: 'veth0 (ifindex 7)', linkId: 3 }]);
    expect(points.get(2)?.[0]).toMatchObject({ mechanism: 'netlink', kind: 'tc' });
    expect(points.get(4)?.[0]).toMatchObject({ mechanism: 'prog_attach', kind: 'flow_dissector', target: 'netns host' });
    expect(points.get(5)?.[0]).toMatchObject({ mechanism: 'prog_attach', kind: 'cgroup_inet_egress', target: '/cg' });
    expect(points.get(6)?.[0]).toMatchObject({ mechanism: 'perf_event', kind: 'uprobe', target: '/bin/x+0x10 (pid 5 x, fd 9)' });
    expect(points.get(8)?.[0]).toMatchObject({ mechanism: 'struct_ops_map', target: 'cc (map 20)' });
    expect(points.get(9)).toEqual([{ progId: 9, mechanism: 'prog_array', kind: 'tail_call', target: 'jmp (map 21) index 2' }]);
    expect(points.get(10)).toEqual([{
      progId: 10, mechanism: 'perf_event', kind: 'perf_event', pid: 30, fd: 4,
      target: 'profiler (pid 30) perf event fds 4, 5; the kernel does not say which program a perf event runs',
    }]);
  });
});

describe('perf events running perf_event programs', () => {
  const progFd = (pid: number, id: number, type: number) => ({ pid, target: 'anon_inode:bpf-prog', fdinfo: `pos:\t0\nprog_type:\t${type}\nprog_jited:\t1\nprog_id:\t${id}\n` });

  it('groups the unnamed events by process with the perf_event programs it holds, nothing else', () => {
    const holders = perfEventHolders(
      [{ pid: 7, fd: 22, comm: 'bpftrace' }, { pid: 7, fd: 21, comm: 'bpftrace' }, { pid: 9, fd: 3, comm: 'perf' }],
      [progFd(7, 40, 7), progFd(7, 41, 5), progFd(7, 40, 7), progFd(8, 42, 7), { pid: 7, target: 'anon_inode:bpf-map', fdinfo: 'map_id:\t3\n' }],
    );
    expect(holders).toEqual([
      { pid: 7, comm: 'bpftrace', fds: [21, 22], progIds: [40] },
      { pid: 9, comm: 'perf', fds: [3], progIds: [] },
    ]);
    expect(perfHolderTarget({ pid: 7, comm: 'bpftrace', fds: [21], progIds: [40, 43] })).toBe(
      'bpftrace (pid 7) perf event fd 21, each running one of its perf_event programs 40, 43; the kernel does not say which program a perf event runs',
    );
  });

  it('lists them after bpftool\'s perf list entries, JSON and text', () => {
    const json = renderPerfJson([], [{ pid: 7, comm: 'bpftrace', fds: [21], progIds: [40] }]);
    expect(json).toEqual([{ pid: 7, fd: 21, prog_type: 'perf_event', holder_prog_ids: [40], comm: 'bpftrace' }]);
    expect(renderPerfText(json)).toBe('pid 7  fd 21: a perf_event program the kernel does not name; bpftrace holds perf_event prog 40\n');
  });
});

describe('a link\'s attach point in words, for the list of links', () => {
  const link = (type: number, details: LinkInfo['details']) => ({ infoLen: 64, type, id: 1, progId: 2, details });
  it('names what each kind hooks, leaving out a kind the link type already says', () => {
    expect(linkAttachWords(link(7, { kind: 'perf_event', event: { type: 'tracepoint', tpName: 'sys_enter_getpid' } }), undefined)).toBe('tracepoint sys_enter_getpid');
    expect(linkAttachWords(link(1, { kind: 'raw_tracepoint', tpName: 'sys_enter' }), undefined)).toBe('sys_enter');
    expect(linkAttachWords(link(6, { kind: 'xdp', ifindex: 3 }), 'veth0')).toBe('veth0 (ifindex 3)');
    expect(linkAttachWords(link(6, { kind: 'xdp', ifindex: 847 }), undefined)).toBe('ifindex 847');
    expect(linkAttachWords(link(9, { kind: 'struct_ops', mapId: 12 }), undefined)).toBe('map 12');
    expect(linkAttachWords(link(12, { kind: 'uprobe_multi', path: '/bin/bash', offsets: [1n], refCtrOffsets: [0n], cookies: [0n] }), undefined)).toBe('/bin/bash');
  });
  it('says netfilter hooks as nft does: family, hook, priority', () => {
    expect(linkAttachWords(link(10, { kind: 'netfilter', pf: 2, hooknum: 1, priority: -100 }), undefined)).toBe('ipv4 input priority -100');
    expect(linkAttachWords(link(10, { kind: 'netfilter', pf: 10, hooknum: 4, priority: 5 }), undefined)).toBe('ipv6 postrouting priority 5');
    expect(linkAttachWords(link(10, { kind: 'netfilter', pf: 42, hooknum: 9, priority: 0 }), undefined)).toBe('pf 42 hook 9 priority 0');
  });
});
