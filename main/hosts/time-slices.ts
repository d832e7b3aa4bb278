// Long synchronous-looking work (a list of thousands of local objects, a search through a
// million-line listing) cut into slices of a few milliseconds, with a turn of the event loop
// between them, so other clients, page loads and live ticks are not held up behind it.

export class TimeSlices {
  private sliceStart = performance.now();
  private pause: Promise<void> | undefined;

  constructor(private readonly sliceMs: number) {}

  /**
   * Nothing while the current slice lasts; once it is over, a promise of the event loop's next
   * turn. Every caller asking meanwhile gets the same one, so concurrent workers pause together
   * (a worker pausing alone would leave the others running on).
   */
  due(): Promise<void> | undefined {
    if (!this.pause && performance.now() - this.sliceStart > this.sliceMs) {
      this.pause = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.pause = undefined;
        this.sliceStart = performance.now();
      });
    }
    return this.pause;
  }
}
