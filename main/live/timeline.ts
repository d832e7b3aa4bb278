// The lifecycle timeline of one host: programs, maps and links that appear or
// vanish between two listings become events, kept in a bounded log. An object
// created and destroyed entirely between two listings is not seen.
import { decodeLinkInfo, decodeMapInfo, decodeProgInfo } from '../kernel/info/index.js';
import { describeLifecycle, diffIds, type LifecycleEvent, type LifecycleKind, type LifecycleObject } from '../kernel/live/index.js';
import { linkTypeName, mapTypeName, progTypeName } from '../kernel/names/index.js';
import type { Host } from '../hosts/host.js';
import { indexOwners, ownerKey, type OwnerIndex } from '../hosts/owners.js';
import { checkInterval } from './program-sampler.js';
import { PollLoop } from './poll-loop.js';

const DEFAULT_CAPACITY = 10_000;
const ALL_KINDS: readonly LifecycleKind[] = ['prog', 'map', 'link'];

export interface LifecycleTimelineOptions {
  /** 250 ms – 60 s; default 1 s. */
  intervalMs?: number;
  /** Events kept; the oldest are dropped first. Default 10 000. */
  capacity?: number;
  kinds?: readonly LifecycleKind[];
  now?: () => number;
}

export class LifecycleTimeline {
  readonly host: Host;
  readonly intervalMs: number;
  readonly capacity: number;
  private readonly kinds: readonly LifecycleKind[];
  private readonly now: () => number;
  /** What is loaded now, as last listed: kind → id → object. */
  private readonly known = new Map<LifecycleKind, Map<number, LifecycleObject>>();
  private baselined = false;
  private log: LifecycleEvent[] = [];
  private nextSeq = 1;
  private readonly loop: PollLoop;
  private readonly listeners = new Set<(events: LifecycleEvent[]) => void>();

  constructor(host: Host, options: LifecycleTimelineOptions = {}) {
    this.host = host;
    this.intervalMs = checkInterval(options.intervalMs ?? 1000);
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.kinds = options.kinds ?? ALL_KINDS;
    this.now = options.now ?? Date.now;
    this.loop = new PollLoop(this.intervalMs, () => this.poll());
  }

  onEvents(listener: (events: LifecycleEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onError(listener: (error: Error) => void): () => void {
    return this.loop.onError(listener);
  }

  /** Events after `afterSeq` (all kept events without it). */
  events(afterSeq = 0): LifecycleEvent[] {
    return this.log.filter((e) => e.seq > afterSeq);
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /** Lists every kind once; the first call records what is there without events. */
  async poll(): Promise<LifecycleEvent[]> {
    const timeMs = this.now();
    const listed = new Map<LifecycleKind, number[]>();
    for (const kind of this.kinds) listed.set(kind, await this.host.listIds(kind));
    const appeared: Array<[LifecycleKind, number]> = [];
    const events: LifecycleEvent[] = [];
    for (const kind of this.kinds) {
      const known = this.knownOf(kind);
      const diff = diffIds(known.keys(), listed.get(kind) ?? []);
      for (const id of diff.vanished) {
        const object = known.get(id)!;
        known.delete(id);
        events.push(this.event(object, 'gone', timeMs));
      }
      for (const id of diff.appeared) appeared.push([kind, id]);
    }
    if (appeared.length > 0) {
      const owners = indexOwners(await this.host.owners());
      for (const [kind, id] of appeared) {
        const object = await this.describe(kind, id, owners);
        if (!object) continue;
        this.knownOf(kind).set(id, object);
        if (this.baselined) events.push(this.event(object, 'loaded', timeMs));
      }
    }
    this.baselined = true;
    if (events.length === 0) return events;
    this.log.push(...events);
    if (this.log.length > this.capacity) this.log = this.log.slice(this.log.length - this.capacity);
    for (const listener of this.listeners) listener(events);
    return events;
  }

  private knownOf(kind: LifecycleKind): Map<number, LifecycleObject> {
    let map = this.known.get(kind);
    if (!map) {
      map = new Map();
      this.known.set(kind, map);
    }
    return map;
  }

  private event(object: LifecycleObject, change: 'loaded' | 'gone', timeMs: number): LifecycleEvent {
    return { ...object, seq: this.nextSeq++, timeMs, change, text: describeLifecycle(object, change) };
  }

  /** null: gone again before we could read it. */
  private async describe(kind: LifecycleKind, id: number, owners: OwnerIndex): Promise<LifecycleObject | null> {
    const held = owners.get(ownerKey(kind, id)) ?? [];
    switch (kind) {
      case 'prog': {
        const raw = await this.host.progInfo(id, false);
        if (!raw) return null;
        const info = decodeProgInfo(raw.info);
        return { kind, id, name: info.name ?? '', type: progTypeName(info.type) ?? String(info.type), owners: held };
      }
      case 'map': {
        const raw = await this.host.mapInfo(id);
        if (!raw) return null;
        const info = decodeMapInfo(raw.info);
        return { kind, id, name: info.name ?? '', type: mapTypeName(info.type) ?? String(info.type), owners: held };
      }
      case 'link': {
        const raw = await this.host.linkInfo(id);
        if (!raw) return null;
        const info = decodeLinkInfo(raw.info);
        const object: LifecycleObject = { kind, id, name: '', type: linkTypeName(info.type) ?? String(info.type), owners: held };
        if (info.progId) object.progId = info.progId;
        return object;
      }
    }
  }
}
