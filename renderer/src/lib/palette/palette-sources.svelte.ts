// What the command palette searches besides the hosts: the objects of the host on screen,
// handed over by its page (HostPage), which loads and refreshes them anyway.
import { getContext, setContext } from 'svelte';
import type { LinkSummary, MapSummary, ProgramSummary } from '../../../../main/api/records.js';

export class PaletteSources {
  host = $state<string | null>(null);
  programs = $state.raw<readonly ProgramSummary[]>([]);
  maps = $state.raw<readonly MapSummary[]>([]);
  links = $state.raw<readonly LinkSummary[]>([]);
  /** The BTF the host's BTF view shows by default (an object file's own); else vmlinux. */
  btf = $state<number | undefined>(undefined);

  show(host: string, programs: readonly ProgramSummary[], maps: readonly MapSummary[], links: readonly LinkSummary[], btf: number | undefined): void {
    this.host = host;
    this.programs = programs;
    this.maps = maps;
    this.links = links;
    this.btf = btf;
  }

  /** The page of `host` went away (another host, the all-hosts view). */
  forget(host: string): void {
    if (this.host !== host) return;
    this.host = null;
    this.programs = [];
    this.maps = [];
    this.links = [];
    this.btf = undefined;
  }
}

const KEY = Symbol('bpfscope-palette-sources');

export function setPaletteSources(sources: PaletteSources): void {
  setContext(KEY, sources);
}

/** The app's sources; none outside the app (a component mounted alone in a test). */
export function getPaletteSources(): PaletteSources | undefined {
  return getContext<PaletteSources | undefined>(KEY);
}
