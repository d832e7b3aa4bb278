// Gives memory back once clients have left. V8 collects garbage when the program allocates,
// and a server whose clients left allocates almost nothing: the heap grown under their load
// (event text and rows, all garbage by then) would stay that size indefinitely. Two full
// collections shortly after connections close return it: the first frees the garbage, the
// second, seeing allocation has stopped, shrinks the young generation and the old space's
// pages (bench serve-load, 50 clients x 100 views: ~135 MB 30 s after they left, against the
// ~200 MB peak kept with no collection). Each takes ~10-50 ms; they run at most every 10 s.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const SETTLE_MS = 2000;
const SECOND_AFTER_MS = 3000;
const MIN_GAP_MS = 10_000;

let collect: (() => void) | undefined;

/** V8's full collection, exposed once: a new context sees the flag set at run time. */
function fullCollection(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

export class HeapRelease {
  private timers: NodeJS.Timeout[] = [];
  private lastMs = 0;

  /** Something large went away (a client): collect once things settle (one collection covers the closes meanwhile). */
  soon(): void {
    if (this.timers.length > 0) return;
    const first = Math.max(SETTLE_MS, this.lastMs + MIN_GAP_MS - Date.now());
    this.timers = [first, first + SECOND_AFTER_MS].map((wait, i) => setTimeout(() => {
      this.lastMs = Date.now();
      if (i === 1) this.timers = [];
      fullCollection();
    }, wait).unref());
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}
