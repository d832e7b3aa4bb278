// Objects read side by side, a window of requests in flight at a time, and the event loop let
// in between: listings, and the walks that read every object of a kind.
import { TimeSlices } from './time-slices.js';

/**
 * Info requests kept in flight while listing: an agent answers them in turn, so a remote
 * list costs a round trip per window rather than one per object.
 */
const LIST_WINDOW = 32;

/**
 * A local host answers info requests synchronously, so a list of thousands would hold the
 * event loop for its whole length (100+ ms): other clients, page loads and live ticks wait.
 * The list lets them in after each slice of this many ms.
 */
export const LIST_SLICE_MS = 4;

/** `fetch` of every id, LIST_WINDOW at a time; results in id order, vanished objects left out. */
export async function fetchEach<T>(ids: readonly number[], fetch: (id: number) => Promise<T | null>): Promise<T[]> {
  const results: (T | null)[] = new Array<T | null>(ids.length).fill(null);
  let next = 0;
  const slices = new TimeSlices(LIST_SLICE_MS);
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const at = next++;
      results[at] = await fetch(ids[at]!);
      await slices.due();
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_WINDOW, ids.length) }, worker));
  return results.filter((result): result is T => result !== null);
}
