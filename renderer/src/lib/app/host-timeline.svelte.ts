// The lifecycle of one host's objects, from the `series` timeline stream: the log the
// overview shows, and a call to `onchange` when programs, maps or links came or went (the
// lists reload). Held back while live views are paused, applied on resume.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import { livePause } from './live-pause.svelte.js';

export interface LifecycleEntry {
  seq: number;
  kind: 'prog' | 'map' | 'link';
  change: string;
  text: string;
  timeMs: number;
}

const MAX_EVENTS = 200;
/** Events held while paused before the oldest are dropped (their kinds still reload the lists). */
const MAX_HELD = 1000;

export class HostTimeline {
  /** Newest first. */
  events = $state.raw<LifecycleEntry[]>([]);
  private held: LifecycleEntry[] = [];
  private heldKinds = new Set<LifecycleEntry['kind']>();
  /** The first push is the backlog the host kept: the lists loaded after it already hold it. */
  private backlog = true;
  private readonly unsubscribe: () => void;
  private readonly offResume: () => void;

  constructor(api: BpfscopeApi, host: string, private readonly onchange: (kinds: ReadonlySet<LifecycleEntry['kind']>) => void) {
    this.unsubscribe = api.subscribe('series', { kind: 'timeline', host }, (batch) => {
      for (const update of batch) {
        if (update.kind !== 'timeline') continue;
        this.add(update.events as unknown as LifecycleEntry[], !this.backlog);
        this.backlog = false;
      }
    });
    this.offResume = livePause.onResume(() => this.add([], true));
  }

  close(): void {
    this.unsubscribe();
    this.offResume();
  }

  private add(events: LifecycleEntry[], changed: boolean): void {
    this.held.push(...events);
    if (this.held.length > MAX_HELD) this.held.splice(0, this.held.length - MAX_HELD);
    if (changed) for (const event of events) this.heldKinds.add(event.kind);
    if (livePause.paused || this.held.length === 0) return;
    const fresh = this.held.splice(0);
    const kinds = this.heldKinds;
    this.heldKinds = new Set();
    this.events = [...fresh.reverse(), ...this.events].slice(0, MAX_EVENTS);
    if (kinds.size > 0) this.onchange(kinds);
  }
}
