// An ordered JSON value with 64-bit integers kept exact: bpftool prints u64 fields (cgroup ids,
// kernel addresses, cookies) as full decimal numbers, which a JS number cannot hold.

export type JsonValue = string | number | bigint | boolean | null | JsonValue[] | JsonObject;

/** A JSON object; key order is insertion order (no key here is an integer-like string). */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Maximum nesting when writing; our objects are 3 levels deep. */
const MAX_DEPTH = 32;

/**
 * Writes JSON the way `bpftool -j` does: no whitespace, keys in insertion order, integers
 * (including bigint) as plain decimals. Strings use standard JSON escapes, where bpftool's
 * writer has two bugs (it writes `\` as `\n` and `'` as `\'`); names never contain either.
 */
export function stringifyJson(value: JsonValue, depth = 0): string {
  if (depth > MAX_DEPTH) throw new Error('json: nesting too deep');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`json: non-finite number ${value}`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  // One growing string, no array of parts per object: a 1,000-program list is ~30,000 values.
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + stringifyJson(value[i], depth + 1);
    return `${out}]`;
  }
  out = '{';
  for (const key in value) out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${stringifyJson(value[key], depth + 1)}`;
  return `${out}}`;
}
