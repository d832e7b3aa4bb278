import { describe, expect, it } from 'vitest';
import {
  decodeLinkInfo,
  LINK_INFO as L,
  renderLinkJson,
  renderLinkText,
  stringifyJson,
  type LinkBuffers,
} from '../../../main/kernel/info/index.js';
import { build, text, u64s, type Field } from './build.js';

const head = (type: number, id = 7, progId = 42): Field[] => [
  [L.type, 'u32', type],
  [L.id, 'u32', id],
  [L.progId, 'u32', progId],
];

function link(type: number, fields: Field[], buffers: LinkBuffers = {}) {
  return decodeLinkInfo(build(L.size, [...head(type), ...fields]), buffers);
}

const json = (info: ReturnType<typeof decodeLinkInfo>, extra: object = {}) =>
  stringifyJson(renderLinkJson({ info, ...extra }));

describe('decodeLinkInfo: every link kind of 6.18', () => {
  it('raw_tracepoint: name from the buffer, cookie (6.17)', () => {
    const info = link(1, [[L.rawTracepoint.tpNameLen, 'u32', 10], [L.rawTracepoint.cookie, 'u64', 5n]], { name: text('sys_enter', 64) });
    expect(info.details).toEqual({ kind: 'raw_tracepoint', tpName: 'sys_enter', cookie: 5n });
    expect(json(info)).toBe('{"id":7,"type":"raw_tracepoint","prog_id":42,"tp_name":"sys_enter","cookie":5}');
    expect(renderLinkText({ info })).toBe("7: raw_tracepoint  prog 42  \n\ttp 'sys_enter'  cookie 5  \n");
  });

  it('tracing: attach type, target ids (5.13), cookie (6.17), prog type from the caller', () => {
    const info = link(2, [
      [L.tracing.attachType, 'u32', 24],
      [L.tracing.targetObjId, 'u32', 1],
      [L.tracing.targetBtfId, 'u32', 5000],
      [L.tracing.cookie, 'u64', 0n],
    ]);
    expect(info.details).toEqual({ kind: 'tracing', attachType: 24, targetObjId: 1, targetBtfId: 5000, cookie: 0n });
    expect(json(info, { progType: 26 })).toBe(
      '{"id":7,"type":"tracing","prog_id":42,"prog_type":"tracing","attach_type":"trace_fentry","target_obj_id":1,"target_btf_id":5000,"cookie":0}',
    );
  });

  it('cgroup: a u64 cgroup id beyond 2^53 stays exact', () => {
    const info = link(3, [[L.cgroup.cgroupId, 'u64', 0xfedcba9876543210n], [L.cgroup.attachType, 'u32', 1]]);
    expect(json(info)).toBe('{"id":7,"type":"cgroup","prog_id":42,"cgroup_id":18364758544493064720,"attach_type":"cgroup_inet_egress"}');
    expect(renderLinkText({ info })).toBe('7: cgroup  prog 42  \n\tcgroup_id 18364758544493064720  attach_type cgroup_inet_egress  \n');
  });

  it('iter: map, task and cgroup variants chosen by target name', () => {
    const map = link(4, [[L.iter.mapId, 'u32', 9]], { name: text('bpf_map_elem') });
    expect(map.details).toEqual({ kind: 'iter', targetName: 'bpf_map_elem', mapId: 9 });
    const task = link(4, [[L.iter.taskTid, 'u32', 0], [L.iter.taskPid, 'u32', 1234]], { name: text('task_vma') });
    expect(json(task)).toBe('{"id":7,"type":"iter","prog_id":42,"target_name":"task_vma","pid":1234}');
    const cg = link(4, [[L.iter.cgroupId, 'u64', 77n], [L.iter.cgroupOrder, 'u32', 2]], { name: text('cgroup') });
    expect(json(cg)).toBe('{"id":7,"type":"iter","prog_id":42,"target_name":"cgroup","cgroup_id":77,"order":"descendants_pre"}');
    expect(renderLinkText({ info: cg })).toBe('7: iter  prog 42  target_name cgroup  cgroup_id 77  order descendants_pre  \n');
  });

  it('netns, xdp, struct_ops, sockmap', () => {
    expect(json(link(5, [[L.netns.netnsIno, 'u32', 4026531840], [L.netns.attachType, 'u32', 17]]))).toBe(
      '{"id":7,"type":"netns","prog_id":42,"netns_ino":4026531840,"attach_type":"flow_dissector"}',
    );
    expect(json(link(6, [[L.xdp.ifindex, 'u32', 3]]), { ifname: 'eth0' })).toBe(
      '{"id":7,"type":"xdp","prog_id":42,"devname":"eth0","ifindex":3}',
    );
    expect(json(link(9, [[L.structOps.mapId, 'u32', 12]], {}), {})).toBe('{"id":7,"type":"struct_ops","prog_id":42,"map_id":12}');
    expect(link(14, [[L.sockmap.mapId, 'u32', 4], [L.sockmap.attachType, 'u32', 38]]).details).toEqual({
      kind: 'sockmap',
      mapId: 4,
      attachType: 38,
    });
  });

  it('netfilter: signed priority', () => {
    const info = link(10, [[L.netfilter.pf, 'u32', 2], [L.netfilter.hooknum, 'u32', 1], [L.netfilter.priority, 's32', -100], [L.netfilter.flags, 'u32', 0]]);
    expect(json(info)).toBe('{"id":7,"type":"netfilter","prog_id":42,"pf":2,"hook":1,"prio":-100,"flags":0}');
  });

  it('tcx and netkit: names here, bare numbers in bpftool-7.1 style', () => {
    const tcx = link(11, [[L.tcx.ifindex, 'u32', 0], [L.tcx.attachType, 'u32', 47]]);
    expect(json(tcx)).toBe('{"id":7,"type":"tcx","prog_id":42,"devname":"(detached)","ifindex":0,"attach_type":"tcx_egress"}');
    expect(stringifyJson(renderLinkJson({ info: tcx }, { names: 'bpftool-7.1', keys: 'bpftool-7.1' }))).toBe('{"id":7,"type":11,"prog_id":42}');
    expect(renderLinkText({ info: tcx }, { names: 'bpftool-7.1', keys: 'bpftool-7.1' })).toBe('7: type 11  prog 42  \n');
    const netkit = link(13, [[L.netkit.ifindex, 'u32', 5], [L.netkit.attachType, 'u32', 55]]);
    expect(renderLinkText({ info: netkit })).toBe('7: netkit  prog 42  \n\tifindex (unknown)(5)  attach_type netkit_peer  \n');
  });

  it('kprobe_multi: addresses sorted with their cookies, symbols from the caller', () => {
    const info = link(
      8,
      [[L.kprobeMulti.count, 'u32', 2], [L.kprobeMulti.flags, 'u32', 1], [L.kprobeMulti.missed, 'u64', 3n]],
      { addrs: u64s([0xffffffff81000200n, 0xffffffff81000100n]), cookies: u64s([20n, 10n]) },
    );
    const resolveKsym = (addr: bigint) => (addr === 0xffffffff81000100n ? { name: 'do_nanosleep' } : undefined);
    expect(stringifyJson(renderLinkJson({ info }, { resolveKsym }))).toBe(
      '{"id":7,"type":"kprobe_multi","prog_id":42,"retprobe":true,"func_cnt":2,"missed":3,"funcs":[' +
        '{"addr":18446744071578845440,"func":"do_nanosleep","module":null,"cookie":10},{"addr":18446744071578845696,"cookie":20}]}',
    );
  });

  it('uprobe_multi: path, pid and the three arrays', () => {
    const info = link(
      12,
      [[L.uprobeMulti.pathSize, 'u32', 10], [L.uprobeMulti.count, 'u32', 1], [L.uprobeMulti.flags, 'u32', 0], [L.uprobeMulti.pid, 'u32', 99]],
      { name: text('/bin/true'), offsets: u64s([0x1130n]), refCtrOffsets: u64s([0n]), cookies: u64s([7n]) },
    );
    expect(json(info)).toBe(
      '{"id":7,"type":"uprobe_multi","prog_id":42,"retprobe":false,"path":"/bin/true","func_cnt":1,"pid":99,"funcs":[{"offset":4400,"ref_ctr_offset":0,"cookie":7}]}',
    );
  });

  it('perf_event: kprobe, uretprobe, tracepoint and event variants', () => {
    const P = L.perfEvent;
    const kp = link(7, [[P.type, 'u32', 4], [P.kprobe.offset, 'u32', 0], [P.kprobe.addr, 'u64', 0n], [P.kprobe.missed, 'u64', 0n], [P.kprobe.cookie, 'u64', 0n]], { name: text('do_sys_open') });
    expect(json(kp)).toBe('{"id":7,"type":"perf_event","prog_id":42,"retprobe":true,"addr":0,"func":"do_sys_open","offset":0,"missed":0,"cookie":0}');
    expect(renderLinkText({ info: kp })).toBe('7: perf_event  prog 42  \n\tkretprobe do_sys_open  \n');
    const up = link(7, [[P.type, 'u32', 2], [P.uprobe.offset, 'u32', 0x40], [P.uprobe.cookie, 'u64', 9n], [P.uprobe.refCtrOffset, 'u64', 0n]], { name: text('/lib/libc.so.6') });
    expect(up.details).toEqual({ kind: 'perf_event', perfEventType: 2, event: { type: 'uretprobe', fileName: '/lib/libc.so.6', offset: 64, cookie: 9n, refCtrOffset: 0n } });
    const tp = link(7, [[P.type, 'u32', 5], [P.tracepoint.cookie, 'u64', 0n]], { name: text('sys_enter_getppid') });
    expect(stringifyJson(renderLinkJson({ info: tp, owners: [{ pid: 10, comm: 'loader' }] }))).toBe(
      '{"id":7,"type":"perf_event","prog_id":42,"tracepoint":"sys_enter_getppid","cookie":0,"bpf_cookie":0,"pids":[{"pid":10,"comm":"loader"}]}',
    );
    const ev = link(7, [[P.type, 'u32', 6], [P.event.config, 'u64', 0x10000n], [P.event.type, 'u32', 3]]);
    expect(json(ev)).toBe('{"id":7,"type":"perf_event","prog_id":42,"event_type":"hw-cache","event_config":"L1-dcache-load-misses","cookie":0}');
  });

  it('unknown link types keep their raw union and render as numbers', () => {
    const info = link(99, [[16, 'u32', 0xabcd]]);
    expect(info.details).toMatchObject({ kind: 'unknown' });
    expect(info.details?.kind === 'unknown' && info.details.raw.byteLength).toBe(48);
    expect(json(info)).toBe('{"id":7,"type":99,"prog_id":42}');
    expect(renderLinkText({ info })).toBe('7: type 99  prog 42  \n');
  });
});

describe('decodeLinkInfo: any info_len', () => {
  it('an older kernel (5.8, 24 bytes of raw_tracepoint) lacks the cookie', () => {
    const info = decodeLinkInfo(build(32, [...head(1), [L.rawTracepoint.tpNameLen, 'u32', 4]]), { name: text('abc') });
    expect(info.infoLen).toBe(32);
    expect(info.details).toEqual({ kind: 'raw_tracepoint', tpName: 'abc', cookie: undefined });
    expect(json(info)).toBe('{"id":7,"type":"raw_tracepoint","prog_id":42,"tp_name":"abc"}');
  });

  it('a header-only info has no details; a longer one is read as far as we know', () => {
    expect(decodeLinkInfo(build(12, head(6))).details).toBeUndefined();
    const longer = decodeLinkInfo(build(96, [...head(6), [L.xdp.ifindex, 'u32', 2], [80, 'u32', 0xffff]]));
    expect(longer).toMatchObject({ infoLen: 96, details: { kind: 'xdp', ifindex: 2 } });
  });

  it('rejects less than type and id', () => {
    expect(() => decodeLinkInfo(new Uint8Array(4))).toThrow('link info: 4 bytes, need at least 8');
  });

  it('arrays are cut to the count and to what the buffer holds', () => {
    const info = link(8, [[L.kprobeMulti.count, 'u32', 3]], { addrs: u64s([1n, 2n]), cookies: u64s([5n, 6n, 7n, 8n]) });
    expect(info.details).toMatchObject({ addrs: [1n, 2n], cookies: [5n, 6n, 7n] });
  });
});
