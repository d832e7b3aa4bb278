// Wrong words on the command line: each message says what was wrong in the user's terms and
// what would be right (every valid kind named), before any host is opened.
import { describe, expect, it } from 'vitest';
import { bpfscope } from '../../helpers/cli.js';

const CASES: ReadonlyArray<readonly [string[], RegExp]> = [
  [['ls', 'foo'], /^bpfscope: ls foo: there is no list called 'foo'; the lists are progs, maps, links, net, perf and cgroup: /],
  [['ls'], /^bpfscope: ls: say what to list: bpfscope ls progs\|maps\|links\|net\|perf \[--json\] \| ls cgroup \[ROOT\] \[effective\]/],
  [['ls', 'progs', '12'], /^bpfscope: ls progs: unexpected '12' \(to see one object: bpfscope show prog ID\)/],
  [['ls', 'net', 'eth0'], /^bpfscope: ls net: unexpected 'eth0': bpfscope ls net \[--json\]/],
  [['ls', 'cgroup', 'unified'], /^bpfscope: ls cgroup: unexpected 'unified': .*\(ROOT: an absolute path\)/],
  [['show'], /^bpfscope: show: say what to show: bpfscope show prog\|map\|link ID/],
  [['show', 'foo', '1'], /^bpfscope: show foo: bpfscope shows a prog, a map or a link: /],
  [['show', 'prog'], /^bpfscope: missing prog id: which prog\? \(bpfscope ls lists them with their ids\)/],
  [['show', 'map', 'x'], /^bpfscope: map id 'x' is not an id: ids are whole numbers from 1 to 4294967295/],
  [['dump', 'prog', '0'], /^bpfscope: prog id '0' is not an id: /],
  [['dump', 'map', 'id', 'x'], /^bpfscope: map id 'x' is not an id: /],
  [['show', 'link', 'id'], /^bpfscope: missing link id: which link\? /],
  [['btf', 'pinned', '/sys/fs/bpf/b'], /^bpfscope: btf pinned \/sys\/fs\/bpf\/b: bpfscope names a btf by ID \(or id ID\)$/m],
  [['show', 'link', 'name', 'x'], /^bpfscope: link name x: bpfscope names a link by ID \(or id ID\) or pinned PATH; bpfscope ls links lists them/],
  [['dump', 'map', 'tag', '0011'], /^bpfscope: map tag 0011: bpfscope names a map by ID \(or id ID\) or pinned PATH or name NAME; /],
  [['dump', 'prog', 'name'], /^bpfscope: prog name: which name\? /],
  [['dump'], /^bpfscope: dump: say what to dump: bpfscope dump map ID/],
  [['dump', 'foo', '1'], /^bpfscope: dump foo: bpfscope dumps a map or a prog: /],
];

describe('usage messages', () => {
  it.each(CASES)('bpfscope %s', async (args, message) => {
    const result = await bpfscope(args);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });
});
