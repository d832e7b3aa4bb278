// Where tc filters of one interface can hang, in bpftool's order (net.c show_dev_tc_bpf):
// every class, every qdisc with a handle (clsact aside), TC_H_ROOT, clsact ingress and egress.
// Blocks that cannot exist on the interface (no clsact qdisc, no ingress qdisc) are skipped:
// one filter dump fewer each, the same answer.
import { CLSACT_EGRESS, CLSACT_INGRESS, TC_H_ROOT, type TcObject } from './rtnetlink.js';
import type { Direction } from './views.js';

/** TC_H_INGRESS / TC_H_CLSACT major: the ingress-queue qdisc's handle. */
const INGRESS_HANDLE = 0xffff0000;

export interface TcParent {
  parent: number;
  /** bpftool's `kind`: the class's or qdisc's kind, `root`, `clsact/ingress`, `clsact/egress`. */
  kind: string;
  direction?: Direction;
}

/** qdiscs undefined: not known (a failed or unrecorded dump): ask the clsact pair, as before. */
export function tcFilterParents(ifindex: number, qdiscs: readonly TcObject[] | undefined, classes: readonly TcObject[]): TcParent[] {
  const clsact: TcParent[] = [
    { parent: CLSACT_INGRESS, kind: 'clsact/ingress', direction: 'ingress' },
    { parent: CLSACT_EGRESS, kind: 'clsact/egress', direction: 'egress' },
  ];
  if (!qdiscs) return clsact;
  const mine = qdiscs.filter((q) => q.ifindex === ifindex);
  const out: TcParent[] = classes.filter((c) => c.ifindex === ifindex).map((c) => ({ parent: c.handle, kind: c.kind }));
  for (const q of mine) if (q.kind !== 'clsact' && q.handle !== 0) out.push({ parent: q.handle, kind: q.kind });
  if (mine.some((q) => q.handle === INGRESS_HANDLE && q.kind !== 'clsact')) out.push({ parent: TC_H_ROOT, kind: 'root' });
  if (mine.some((q) => q.kind === 'clsact')) out.push(...clsact);
  return out;
}

/** `1:a` as tc prints a handle. */
export function tcHandleText(handle: number): string {
  return `${(handle >>> 16).toString(16)}:${(handle & 0xffff).toString(16)}`;
}
