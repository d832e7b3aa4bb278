// Counts and lines of a host comparison as the compare view shows them (pure: unit-testable).
import type { HostDiff } from '../../../../main/api/contract.js';

export interface CompareCounts {
  programsAdded: number;
  programsRemoved: number;
  programsChanged: number;
  mapsAdded: number;
  mapsRemoved: number;
  mapsWithChangedEntries: number;
}

export function compareCounts(diff: HostDiff): CompareCounts {
  return {
    programsAdded: diff.programs.added.length,
    programsRemoved: diff.programs.removed.length,
    programsChanged: diff.programs.changed.length,
    mapsAdded: diff.maps.added.length,
    mapsRemoved: diff.maps.removed.length,
    mapsWithChangedEntries: diff.contents.length,
  };
}

export function isEmptyDiff(diff: HostDiff): boolean {
  return Object.values(compareCounts(diff)).every((n) => n === 0);
}

/** `+2 -1 ~3`: a map's entry changes in one token. */
export function entryChangeText(c: HostDiff['contents'][number]): string {
  const text = `${c.before} → ${c.after} entries (+${c.added} −${c.removed} ~${c.changed})`;
  return c.partial ? `${text}, partial read: changed values only` : text;
}
