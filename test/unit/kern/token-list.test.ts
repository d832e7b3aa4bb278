// bpffs delegation as `bpftool token list` (bpftool 7.6, token.c) prints it. The expected texts
// are written from token.c's printing rules (Debian's bpftool 7.1 has no token command); the
// kernel test mounts a real delegating bpffs.
import { describe, expect, it } from 'vitest';
import { renderTokenJson, renderTokenText, tokenMounts } from '../../../main/kernel/info/token-list.js';
import { stringifyJson } from '../../../main/kernel/info/json-value.js';
import { parseMounts } from '../../../main/kernel/proc/mounts.js';

const MOUNTS = [
  'sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0',
  'bpf /sys/fs/bpf bpf rw,relatime 0 0',
  'bpf /run/with\\040space bpf rw,relatime,delegate_cmds=map_create:prog_load:btf_load:link_create:obj_get,delegate_maps=hash:array,delegate_progs=kprobe:xdp,delegate_attachs=any 0 0',
  'bpf /tmp/only-cmds bpf rw,delegate_cmds=0x20 0 0',
].join('\n');

describe('token list', () => {
  it('finds the bpffs mounts with delegate options, names unescaped as getmntent does', () => {
    const tokens = tokenMounts(parseMounts(MOUNTS));
    expect(tokens.map((t) => t.path)).toEqual(['/run/with space', '/tmp/only-cmds']);
    expect(tokens[1]!.allowed).toEqual({ allowed_cmds: ['0x20'], allowed_maps: [], allowed_progs: [], allowed_attachs: [] });
  });

  it('prints four names a line, each padded to 20, and empty sets as bare headers', () => {
    const [first, second] = tokenMounts(parseMounts(MOUNTS));
    expect(renderTokenText(first!)).toBe(
      'token_info  /run/with space' +
      '\n\tallowed_cmds:\n\t  map_create          prog_load           btf_load            link_create         \n\t  obj_get             ' +
      '\n\tallowed_maps:\n\t  hash                array               ' +
      '\n\tallowed_progs:\n\t  kprobe              xdp                 ' +
      '\n\tallowed_attachs:\n\t  any                 \n',
    );
    expect(renderTokenText(second!)).toBe('token_info  /tmp/only-cmds\n\tallowed_cmds:\n\t  0x20                \n\tallowed_maps:\n\tallowed_progs:\n\tallowed_attachs:\n');
    expect(stringifyJson(renderTokenJson(second!))).toBe('{"token_info":"/tmp/only-cmds","allowed_cmds":["0x20"],"allowed_maps":[],"allowed_progs":[],"allowed_attachs":[]}');
  });
});
