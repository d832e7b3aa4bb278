import { describe, expect, it } from 'vitest';
import {
  decodeBtfInfo,
  decodeMapInfo,
  decodeProgInfo,
  formatLocalTime,
  MAP_INFO as M,
  parseFdinfo,
  progFullName,
  PROG_INFO as P,
  renderMapJson,
  renderMapText,
  renderProgJson,
  renderProgText,
  stringifyJson,
  BTF_INFO as B,
} from '../../../main/kernel/info/index.js';
import { build, text } from './build.js';

const tag = Uint8Array.from([0x7b, 0xd0, 0x4d, 0x1f, 0xa3, 0x78, 0x60, 0x87]);

function progBytes(size: number): Uint8Array {
  return build(size, [
    [P.type, 'u32', 5],
    [P.id, 'u32', 135],
    [P.tag, 'bytes', tag],
    [P.jitedProgLen, 'u32', 137],
    [P.xlatedProgLen, 'u32', 152],
    [P.loadTime, 'u64', 2_500_000_000n],
    [P.createdByUid, 'u32', 0],
    [P.nrMapIds, 'u32', 2],
    [P.name, 'bytes', text('handle_getppid_', 16)],
    [P.gplCompatible, 'u32', 1],
    [P.btfId, 'u32', 58],
    [P.funcInfoRecSize, 'u32', 8],
    [P.nrFuncInfo, 'u32', 1],
    [P.runTimeNs, 'u64', 1234n],
    [P.runCnt, 'u64', 3n],
    [P.verifiedInsns, 'u32', 19],
  ]);
}

describe('decodeProgInfo', () => {
  it('decodes every field of the 6.18 struct by offset', () => {
    const info = decodeProgInfo(progBytes(P.size));
    expect(info).toMatchObject({
      infoLen: 232,
      type: 5,
      id: 135,
      tag: '7bd04d1fa3786087',
      jitedProgLen: 137,
      xlatedProgLen: 152,
      loadTime: 2_500_000_000n,
      nrMapIds: 2,
      name: 'handle_getppid_',
      gplCompatible: true,
      btfId: 58,
      runTimeNs: 1234n,
      runCnt: 3n,
      verifiedInsns: 19,
      attachBtfId: 0,
    });
  });

  it('a 4.15-era info_len (80 bytes) leaves later fields undefined', () => {
    const info = decodeProgInfo(progBytes(P.size).slice(0, 80));
    expect(info.name).toBe('handle_getppid_');
    expect(info.gplCompatible).toBeUndefined();
    expect(info.btfId).toBeUndefined();
    expect(info.verifiedInsns).toBeUndefined();
    expect(stringifyJson(renderProgJson({ info }, { bootToWallNs: 0n }))).toBe(
      '{"id":135,"type":"tracepoint","name":"handle_getppid_","tag":"7bd04d1fa3786087","gpl_compatible":false,' +
        '"loaded_at":2,"uid":0,"bytes_xlated":152,"jited":true,"bytes_jited":137}',
    );
  });

  it('a future, longer info_len decodes what we know and ignores the rest', () => {
    const longer = new Uint8Array(P.size + 64);
    longer.set(progBytes(P.size));
    longer.fill(0xff, P.size);
    expect(decodeProgInfo(longer)).toMatchObject({ infoLen: 296, id: 135, verifiedInsns: 19 });
  });

  it('rejects fewer than 8 bytes', () => {
    expect(() => decodeProgInfo(new Uint8Array(6))).toThrow('prog info: 6 bytes, need at least 8');
  });

  it('full name: BTF name only for a 15-character name with func info', () => {
    const info = decodeProgInfo(progBytes(P.size));
    expect(progFullName(info, 'handle_getppid_tracepoint')).toBe('handle_getppid_tracepoint');
    expect(progFullName(info)).toBe('handle_getppid_');
    expect(progFullName({ ...info, name: 'short' }, 'other')).toBe('short');
    expect(progFullName({ ...info, nrFuncInfo: 0 }, 'other')).toBe('handle_getppid_');
  });

  it('renders stats, map ids, memlock, owners and pinned paths in bpftool order', () => {
    const info = decodeProgInfo(progBytes(P.size));
    const prog = {
      info,
      mapIds: [55, 56],
      fdinfo: parseFdinfo('prog_type:\t5\nmemlock:\t4096\n'),
      owners: [{ pid: 9, comm: 'loader' }, { pid: 9, comm: 'loader' }, { pid: 11, comm: 'agent' }],
      pinned: ['/sys/fs/bpf/p'],
    };
    const options = { bootToWallNs: 1_795_657_000_000_000_000n };
    expect(stringifyJson(renderProgJson(prog, options))).toBe(
      '{"id":135,"type":"tracepoint","name":"handle_getppid_","tag":"7bd04d1fa3786087","gpl_compatible":true,' +
        '"run_time_ns":1234,"run_cnt":3,"loaded_at":1795657002,"uid":0,"bytes_xlated":152,"jited":true,"bytes_jited":137,' +
        '"bytes_memlock":4096,"map_ids":[55,56],"btf_id":58,"verified_insns":19,"pinned":["/sys/fs/bpf/p"],' +
        '"pids":[{"pid":9,"comm":"loader"},{"pid":11,"comm":"agent"}]}',
    );
    expect(renderProgText(prog, { ...options, localTime: (seconds) => formatLocalTime(seconds, 3600) })).toBe(
      '135: tracepoint  name handle_getppid_  tag 7bd04d1fa3786087  gpl run_time_ns 1234 run_cnt 3\n' +
        '\tloaded_at 2026-11-26T02:36:42+0100  uid 0\n' +
        '\txlated 152B  jited 137B  memlock 4096B  map_ids 55,56\n\tpinned /sys/fs/bpf/p\n\tbtf_id 58\n' +
        '\tpids loader(9), agent(11)\n',
    );
  });

  it('an unknown program type renders as a number', () => {
    const info = decodeProgInfo(build(16, [[P.type, 'u32', 77], [P.id, 'u32', 1]]));
    expect(renderProgJson({ info }).type).toBe(77);
    expect(renderProgText({ info }).startsWith('1: type 77  tag 0000000000000000\n')).toBe(true);
    const netfilter = decodeProgInfo(build(16, [[P.type, 'u32', 32], [P.id, 'u32', 1]]));
    expect(renderProgJson({ info: netfilter }).type).toBe('netfilter');
    expect(renderProgJson({ info: netfilter }, { names: 'bpftool-7.1' }).type).toBe(32);
  });
});

function mapBytes(fields: Parameters<typeof build>[1] = []): Uint8Array {
  return build(M.size, [
    [M.type, 'u32', 3],
    [M.id, 'u32', 56],
    [M.keySize, 'u32', 4],
    [M.valueSize, 'u32', 4],
    [M.maxEntries, 'u32', 4],
    [M.name, 'bytes', text('jumps', 16)],
    [M.btfId, 'u32', 58],
    ...fields,
  ]);
}

describe('decodeMapInfo', () => {
  it('decodes the 6.18 struct and renders a prog_array with its owner', () => {
    const info = decodeMapInfo(mapBytes([[M.mapExtra, 'u64', 0n], [M.hashSize, 'u32', 0]]));
    expect(info).toMatchObject({ type: 3, id: 56, keySize: 4, name: 'jumps', btfId: 58, mapExtra: 0n, hashSize: 0 });
    const fdinfo = parseFdinfo('map_type:\t3\nmemlock:\t344\nmap_id:\t56\nfrozen:\t0\nowner_prog_type:\t5\nowner_jited:\t1\n');
    const map = { info, fdinfo };
    expect(stringifyJson(renderMapJson(map))).toBe(
      '{"id":56,"type":"prog_array","name":"jumps","flags":0,"bytes_key":4,"bytes_value":4,"max_entries":4,' +
        '"bytes_memlock":344,"owner_prog_type":"tracepoint","owner_jited":true,"frozen":0,"btf_id":58}',
    );
    expect(renderMapText(map)).toBe(
      '56: prog_array  name jumps  flags 0x0\n\tkey 4B  value 4B  max_entries 4  memlock 344B\n' +
        '\towner_prog_type tracepoint  owner jited\n\tbtf_id 58\n',
    );
  });

  it('flags print signed in JSON (bpftool uses %d) and hex in text; frozen without BTF', () => {
    const info = decodeMapInfo(build(M.size, [[M.type, 'u32', 2], [M.id, 'u32', 1], [M.mapFlags, 'u32', 0x80000480]]));
    const map = { info, fdinfo: parseFdinfo('frozen:\t1\n') };
    expect(renderMapJson(map).flags).toBe(-2147482496);
    expect(renderMapText(map)).toBe('1: array  flags 0x80000480\n\tkey 0B  value 0B  max_entries 0\n\tfrozen\n');
  });

  it('a 4.13-era info_len (24 bytes) and an unknown type', () => {
    const info = decodeMapInfo(mapBytes([[M.type, 'u32', 40]]).slice(0, 24));
    expect(info).toMatchObject({ infoLen: 24, type: 40, maxEntries: 4, mapFlags: 0 });
    expect(info.name).toBeUndefined();
    expect(stringifyJson(renderMapJson({ info }))).toBe(
      '{"id":56,"type":40,"flags":0,"bytes_key":4,"bytes_value":4,"max_entries":4,"frozen":0}',
    );
  });

  it('cgrp_storage (32): a name here, a number in bpftool-7.1 style', () => {
    const info = decodeMapInfo(mapBytes([[M.type, 'u32', 32]]));
    expect(renderMapJson({ info }).type).toBe('cgrp_storage');
    expect(renderMapJson({ info }, { names: 'bpftool-7.1' }).type).toBe(32);
    expect(renderMapText({ info }, { names: 'bpftool-7.1' }).startsWith('56: type 32  name jumps')).toBe(true);
  });
});

describe('decodeBtfInfo', () => {
  it('reads size, id, name and kernel flag', () => {
    const bytes = build(B.size, [[B.btfSize, 'u32', 5520272], [B.id, 'u32', 1], [B.nameLen, 'u32', 8], [B.kernelBtf, 'u32', 1]]);
    expect(decodeBtfInfo(bytes, text('vmlinux', 64))).toEqual({ infoLen: 32, id: 1, btfSize: 5520272, name: 'vmlinux', kernelBtf: true });
    expect(decodeBtfInfo(bytes.slice(0, 16))).toEqual({ infoLen: 16, id: 1, btfSize: 5520272, name: undefined, kernelBtf: undefined });
  });
});
