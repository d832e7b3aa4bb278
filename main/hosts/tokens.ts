// BPF token delegation on a host: the bpffs mounts of its mount table with delegate options.
import { tokenMounts, type TokenMount } from '../kernel/info/token-list.js';
import { parseMounts } from '../kernel/proc/mounts.js';
import type { Host } from './host.js';

const MOUNTS_LIMIT = 1 << 20;

export async function hostTokens(host: Host): Promise<TokenMount[]> {
  return tokenMounts(parseMounts(new TextDecoder().decode(await host.readFile('/proc/mounts', MOUNTS_LIMIT))));
}
