import { describe, expect, it } from 'vitest';
import {
  decodeFuncInfo,
  decodeJitedLineInfo,
  decodeLineInfo,
  decodeProgTags,
  parseFdinfo,
  u32Array,
  u64Array,
} from '../../../main/kernel/info/index.js';
import {
  attachTypeName,
  linkTypeName,
  mapTypeName,
  perfConfigName,
  progTypeName,
  typeJsonValue,
  typeName,
} from '../../../main/kernel/names/index.js';
import { build } from './build.js';

describe('aux arrays', () => {
  it('u32/u64 arrays stop at the count and at the buffer end', () => {
    const b = build(12, [[0, 'u32', 1], [4, 'u32', 2], [8, 'u32', 3]]);
    expect(u32Array(b)).toEqual([1, 2, 3]);
    expect(u32Array(b, 2)).toEqual([1, 2]);
    expect(u32Array(b, 10)).toEqual([1, 2, 3]);
    expect(u64Array(build(12, [[0, 'u64', 2n ** 64n - 1n]]))).toEqual([2n ** 64n - 1n]);
    expect(u32Array(undefined)).toEqual([]);
  });

  it('func info with the kernel record size, and with a larger future one', () => {
    const b = build(16, [[0, 'u32', 0], [4, 'u32', 12], [8, 'u32', 30], [12, 'u32', 14]]);
    expect(decodeFuncInfo(b, 8)).toEqual([{ insnOff: 0, typeId: 12 }, { insnOff: 30, typeId: 14 }]);
    expect(decodeFuncInfo(build(24, [[12, 'u32', 5], [16, 'u32', 6]]), 12)).toEqual([
      { insnOff: 0, typeId: 0 },
      { insnOff: 5, typeId: 6 },
    ]);
    expect(() => decodeFuncInfo(b, 4)).toThrow('func info: record size 4, need at least 8');
  });

  it('line info splits line_col into line and column', () => {
    const b = build(16, [[0, 'u32', 3], [4, 'u32', 100], [8, 'u32', 200], [12, 'u32', (42 << 10) | 7]]);
    expect(decodeLineInfo(b, 16)).toEqual([{ insnOff: 3, fileNameOff: 100, lineOff: 200, line: 42, col: 7 }]);
  });

  it('jited line info and prog tags', () => {
    expect(decodeJitedLineInfo(build(16, [[0, 'u64', 0xffffffffc0001000n], [8, 'u64', 1n]]), 8, 1)).toEqual([0xffffffffc0001000n]);
    expect(decodeProgTags(Uint8Array.from([0, 0xf0, 4, 0x83, 0x98, 0x92, 0x96, 0x96, 1, 2, 3, 4, 5, 6, 7, 8]))).toEqual([
      '00f0048398929696',
      '0102030405060708',
    ]);
  });
});

describe('parseFdinfo', () => {
  // Real fdinfo texts read from a 6.18 kernel.
  const mapText = 'pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t1038\nmap_type:\t3\nkey_size:\t4\nvalue_size:\t4\n' +
    'max_entries:\t4\nmap_flags:\t0x0\nmap_extra:\t0x0\nmemlock:\t344\nmap_id:\t56\nfrozen:\t0\nowner_prog_type:\t5\nowner_jited:\t1\n';
  const linkText = 'pos:\t0\nflags:\t02000000\nmnt_id:\t17\nino:\t1038\nlink_type:\tperf\nlink_id:\t89\n' +
    'prog_tag:\t7bd04d1fa3786087\nprog_id:\t135\ntp_name:\tsys_enter_getppid\nevent_type:\ttracepoint\ncookie:\t0\n';

  it('types the fields bpftool reads', () => {
    expect(parseFdinfo(mapText)).toMatchObject({
      memlock: 344n,
      frozen: false,
      ownerProgType: 5,
      ownerJited: true,
      mapExtra: 0n,
      mapId: 56,
    });
    const link = parseFdinfo(linkText);
    expect(link).toMatchObject({ linkType: 'perf', linkId: 89, progId: 135, progTag: '7bd04d1fa3786087' });
    expect(link.fields.get('tp_name')).toBe('sys_enter_getppid');
    expect(link.memlock).toBeUndefined();
  });

  it('skips malformed lines', () => {
    expect(parseFdinfo('garbage\nmemlock:\tlots\n:\t1\nfrozen:\t1').frozen).toBe(true);
    expect(parseFdinfo('memlock:\tlots\n').memlock).toBeUndefined();
  });

  it('finds a key as String.prototype.trim leaves it, the first line of a key winning', () => {
    // Keys found in place (not cut out): each typed field as the trimmed key of its first line says.
    const text = ' \u00a0memlock\u3000:\t4096\r\nmemlock:\t1\nmnt_id:\t17\n\tmap_id :\t56\nmap_idx:\t9\nprog_i:\t3\n\u0085frozen:\t1\n\ufefflink_type:\tperf\n';
    const parsed = parseFdinfo(text);
    expect(parsed).toMatchObject({ memlock: 4096n, mapId: 56, linkType: 'perf' });
    expect(parsed.progId).toBeUndefined();
    // U+0085 is no whitespace to trim: "\u0085frozen" is another key.
    expect(parsed.frozen).toBeUndefined();
    expect(parsed.fields.get('memlock')).toBe('4096');
    expect(parsed.fields.get('\u0085frozen')).toBe('1');
    expect([...parsed.fields.keys()]).toEqual(['memlock', 'mnt_id', 'map_id', 'map_idx', 'prog_i', '\u0085frozen', 'link_type']);
  });

  it('finds a key only where it is a line\'s key: not inside a value, after another key or as part of a longer one', () => {
    expect(parseFdinfo('note:\tmemlock: 9\nmemlocked:\t1\nmemlock:\t5\n').memlock).toBe(5n);
    expect(parseFdinfo('a:memlock:\t3\nfrozen :\t1\n')).toMatchObject({ memlock: undefined, frozen: true });
    expect(parseFdinfo('memlock\n:\t3\nx\tmemlock:\t4').memlock).toBeUndefined();
  });

  it('reads only the first 512 lines', () => {
    expect(parseFdinfo(`${'pos:\t0\n'.repeat(511)}memlock:\t7\n`).memlock).toBe(7n);
    expect(parseFdinfo(`${'pos:\t0\n'.repeat(512)}memlock:\t7\n`).memlock).toBeUndefined();
  });
});

describe('names', () => {
  it('knows every type up to 6.18, as libbpf spells them', () => {
    expect(progTypeName(3)).toBe('sched_cls');
    expect(progTypeName(32)).toBe('netfilter');
    expect(progTypeName(33)).toBeUndefined();
    expect(mapTypeName(4)).toBe('perf_event_array');
    expect(mapTypeName(33)).toBe('arena');
    expect(mapTypeName(34)).toBeUndefined();
    expect(attachTypeName(46)).toBe('tcx_ingress');
    expect(attachTypeName(57)).toBe('trace_uprobe_session');
    expect(attachTypeName(58)).toBeUndefined();
    expect(linkTypeName(8)).toBe('kprobe_multi');
    expect(linkTypeName(14)).toBe('sockmap');
    expect(linkTypeName(-1)).toBeUndefined();
  });

  it('bpftool 7.1 knows up to syscall, user_ringbuf, lsm_cgroup and struct_ops', () => {
    expect(typeName('prog', 31, 'bpftool-7.1')).toBe('syscall');
    expect(typeJsonValue('prog', 32, 'bpftool-7.1')).toBe(32);
    expect(typeJsonValue('map', 31, 'bpftool-7.1')).toBe('user_ringbuf');
    expect(typeJsonValue('map', 32, 'bpftool-7.1')).toBe(32);
    expect(typeJsonValue('attach', 43, 'bpftool-7.1')).toBe('lsm_cgroup');
    expect(typeJsonValue('attach', 44, 'bpftool-7.1')).toBe(44);
    expect(typeJsonValue('link', 9, 'bpftool-7.1')).toBe('struct_ops');
    expect(typeJsonValue('link', 10, 'bpftool-7.1')).toBe(10);
    expect(typeJsonValue('link', 10, 'linux-6.18')).toBe('netfilter');
  });

  it('perf event configs', () => {
    expect(perfConfigName(1, 9n)).toBe('dummy');
    expect(perfConfigName(0, 0n)).toBe('cpu-cycles');
    expect(perfConfigName(3, 0x10002n)).toBe('LLC-load-misses');
    expect(perfConfigName(3, 0x90909n)).toBe('9-9-9');
    expect(perfConfigName(4, 1n)).toBeUndefined();
  });
});
