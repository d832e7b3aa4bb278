// The keys bpftool 7.1 itself prints, to cut our superset down to exactly its objects.

import type { JsonObject } from './json-value.js';
import type { LinkDetails } from './link-info.js';

const TRAILER = ['pinned', 'bpf_cookie', 'pids'];

const PROG_KEYS = new Set([
  'id', 'type', 'name', 'tag', 'gpl_compatible', 'run_time_ns', 'run_cnt', 'recursion_misses', 'dev',
  'loaded_at', 'uid', 'bytes_xlated', 'jited', 'bytes_jited', 'bytes_memlock', 'map_ids', 'btf_id',
  ...TRAILER, 'metadata',
]);

const MAP_KEYS = new Set([
  'id', 'type', 'name', 'flags', 'dev', 'bytes_key', 'bytes_value', 'max_entries', 'bytes_memlock',
  'owner_prog_type', 'owner_jited', 'frozen', 'btf_id', ...TRAILER,
]);

const LINK_BASE = ['id', 'type', 'prog_id', ...TRAILER];

const LINK_KIND_KEYS: Partial<Record<LinkDetails['kind'], string[]>> = {
  raw_tracepoint: ['tp_name'],
  tracing: ['prog_type', 'attach_type'],
  cgroup: ['cgroup_id', 'attach_type'],
  iter: ['target_name', 'map_id', 'tid', 'pid', 'cgroup_id', 'order'],
  netns: ['netns_ino', 'attach_type'],
};

function pick(obj: JsonObject, keys: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (keys.has(k)) out[k] = v;
  return out;
}

export function progKeysOfBpftool71(obj: JsonObject): JsonObject {
  return pick(obj, PROG_KEYS);
}

export function mapKeysOfBpftool71(obj: JsonObject): JsonObject {
  return pick(obj, MAP_KEYS);
}

export function linkKeysOfBpftool71(obj: JsonObject, kind: LinkDetails['kind'] | undefined): JsonObject {
  const perKind = kind === undefined ? [] : (LINK_KIND_KEYS[kind] ?? []);
  return pick(obj, new Set([...LINK_BASE, ...perKind]));
}
