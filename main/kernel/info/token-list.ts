// `bpftool token list` (bpftool 7.6, token.c): every bpffs mount whose options delegate bpf()
// commands, map, program or attach types to the BPF tokens derived from it. Read from the mount
// table of the reader's mount namespace, as bpftool reads it.

import type { MountEntry } from '../proc/mounts.js';
import type { JsonObject } from './json-value.js';

/** bpftool's headers and the mount options they show, in its order. */
const SETS = [
  ['allowed_cmds', 'delegate_cmds'],
  ['allowed_maps', 'delegate_maps'],
  ['allowed_progs', 'delegate_progs'],
  ['allowed_attachs', 'delegate_attachs'],
] as const;

export type TokenSetName = (typeof SETS)[number][0];

export interface TokenMount {
  /** The bpffs mount point: bpftool's `token_info`. */
  path: string;
  /** Each set's names (`map_create`, `hash`, `any`, or a hex mask the kernel could not name); empty when not delegated. */
  allowed: Record<TokenSetName, string[]>;
}

/** bpftool's get_delegate_value: the first option spelled `key=…`. */
function optionValue(options: string, key: string): string | undefined {
  for (const option of options.split(',')) if (option.startsWith(`${key}=`)) return option.slice(key.length + 1);
  return undefined;
}

export function tokenMounts(mounts: readonly MountEntry[]): TokenMount[] {
  return mounts
    .filter((m) => m.type.startsWith('bpf') && SETS.some(([, key]) => m.options.includes(key)))
    .map((m) => ({
      path: m.target,
      allowed: Object.fromEntries(SETS.map(([header, key]) => [header, (optionValue(m.options, key) ?? '').split(':').filter((s) => s !== '')])) as Record<TokenSetName, string[]>,
    }));
}

const ITEMS_PER_LINE = 4;

/** show_token_info_plain: the mount point, then each set four names a line, each padded to 20. */
export function renderTokenText(token: TokenMount): string {
  let out = `token_info  ${token.path}`;
  for (const [header] of SETS) {
    out += `\n\t${header}:`;
    token.allowed[header].forEach((name, i) => {
      if (i % ITEMS_PER_LINE === 0) out += '\n\t  ';
      out += name.padEnd(20);
    });
  }
  return `${out}\n`;
}

/** show_token_info_json. */
export function renderTokenJson(token: TokenMount): JsonObject {
  const out: JsonObject = { token_info: token.path };
  for (const [header] of SETS) out[header] = [...token.allowed[header]];
  return out;
}
