// The kernel's SHA-256 of a map's contents (bpf_map_info.hash, Linux 6.18). It exists for signed
// programs: a signed loader (a light skeleton) checks that its frozen data map hashes to what the
// signature covers, so this is the part of a signed load that can be seen afterwards (the kernel
// keeps no record of a program's signature). The kernel hashes only frozen arrays, all of their
// bytes, so it is asked for one map shown at a time and for arrays of a bounded size.
import type { MapShow } from '../kernel/info/show-input.js';
import type { HostSession } from './host-session.js';

const BPF_MAP_TYPE_ARRAY = 2;
/** Bytes hashed at most: the kernel's SHA-256 of a bigger array would hold up the answer. */
const MAX_HASHED_BYTES = 64 << 20;

/** `show` with the kernel's hash added where the kernel gives one (a frozen array, Linux 6.18+). */
export async function withContentHash(session: HostSession, show: MapShow): Promise<MapShow> {
  const { info, fdinfo } = show;
  if (info.type !== BPF_MAP_TYPE_ARRAY || !fdinfo?.frozen || !session.host.mapHash) return show;
  // The kernel's element stride: values rounded up to 8 bytes.
  const bytes = Math.ceil((info.valueSize ?? 0) / 8) * 8 * (info.maxEntries ?? 0);
  if (bytes > MAX_HASHED_BYTES) return show;
  // E2BIG: a kernel before 6.18, which has no map hash; any refusal leaves the show as it is.
  const hash = await session.host.mapHash(info.id).catch(() => null);
  return hash ? { ...show, contentHash: hash } : show;
}
