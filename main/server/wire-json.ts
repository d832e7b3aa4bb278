// bpftool-compatible objects keep u64 fields as bigint; JSON on the wire has no
// bigint. Values a double holds exactly become numbers, larger ones decimal strings.
import type { JsonValue } from '../kernel/info/index.js';

export type WireJson = string | number | boolean | null | WireJson[] | { [key: string]: WireJson };

const MAX_DEPTH = 32;

export function toWireJson(value: JsonValue, depth = 0): WireJson {
  if (depth > MAX_DEPTH) throw new Error('wire json: nesting too deep');
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => toWireJson(item, depth + 1));
  const out: { [key: string]: WireJson } = {};
  for (const [key, item] of Object.entries(value)) out[key] = toWireJson(item, depth + 1);
  return out;
}
