// Long synchronous-looking work (a list of thousands of local objects, a search through a
// million-line listing) cut into slices of a few milliseconds, with a turn of the event loop
// between them, so other clients, page loads and live ticks are not held up behind it.

/**
 * Milliseconds on a monotonic clock. Not performance.now(): the global loads node:perf_hooks on
 * first use, 2 ms of a listing's start.
 */
function nowMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}

/**
 * A promise of a whole turn of the event loop, timers and I/O included. One immediate is not
 * that: queued from the poll phase (where a request arrives), it runs in the same turn's check
 * phase, before any timer or I/O; the second, queued from the check phase, runs only after them.
 */
function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
}

export class TimeSlices {
  private sliceStart = nowMs();
  private pause: Promise<void> | undefined;

  constructor(private readonly sliceMs: number) {}

  /**
   * Nothing while the current slice lasts; once it is over, a promise of the event loop's next
   * turn. Every caller asking meanwhile gets the same one, so concurrent workers pause together
   * (a worker pausing alone would leave the others running on).
   */
  due(): Promise<void> | undefined {
    if (!this.pause && nowMs() - this.sliceStart > this.sliceMs) {
      this.pause = nextTurn().then(() => {
        this.pause = undefined;
        this.sliceStart = nowMs();
      });
    }
    return this.pause;
  }
}

/** `each` of every item in order, in slices of `sliceMs` with a whole turn of the event loop between them. */
export async function mapInSlices<T, R>(items: readonly T[], each: (item: T) => R, sliceMs: number): Promise<R[]> {
  const slices = new TimeSlices(sliceMs);
  const results: R[] = [];
  for (const item of items) {
    results.push(each(item));
    const pause = slices.due();
    if (pause) await pause;
  }
  return results;
}
