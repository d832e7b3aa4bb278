// Lifecycle events: an object seen for the first time, or no longer there,
// between two listings — and the one-line text users read for each.
import type { Owner } from '../info/index.js';

export type LifecycleKind = 'prog' | 'map' | 'link';
export type LifecycleChange = 'loaded' | 'gone';

export interface LifecycleObject {
  kind: LifecycleKind;
  id: number;
  /** The kernel's name; '' for unnamed objects and for links. */
  name: string;
  /** Type name (libbpf's), or the number as text when unknown. */
  type: string;
  /** Links: the program they attach. */
  progId?: number;
  /** Processes holding an fd when it was seen (loaded) or last seen (gone). */
  owners: Owner[];
}

export interface LifecycleEvent extends LifecycleObject {
  /** Increasing per timeline; a subscriber resumes after the last seq it saw. */
  seq: number;
  /** Wall clock (ms since the epoch) of the listing that noticed the change. */
  timeMs: number;
  change: LifecycleChange;
  text: string;
}

function ownersText(owners: readonly Owner[]): string {
  return owners.map((o) => `pid ${o.pid} (${o.comm})`).join(', ');
}

/** `prog 412 'xdp_lb' loaded by pid 901 (cilium-agent)`, `map 77 'ring' gone`. */
export function describeLifecycle(object: LifecycleObject, change: LifecycleChange): string {
  let text = `${object.kind} ${object.id}`;
  if (object.name) text += ` '${object.name}'`;
  text += ` (${object.type})`;
  if (object.progId) text += ` for prog ${object.progId}`;
  text += ` ${change}`;
  if (change === 'loaded' && object.owners.length > 0) text += ` by ${ownersText(object.owners)}`;
  if (change === 'gone' && object.owners.length > 0) text += ` (was held by ${ownersText(object.owners)})`;
  return text;
}
