// Updates of a live view held back while live views are paused, then applied in order on
// resume. Bounded: past `max` held updates the oldest are dropped and `onlost` runs on
// resume instead of them (the view reloads what it shows).
import { livePause } from './live-pause.svelte.js';

export class HeldBack<T> {
  private held: T[] = [];
  private lost = false;
  private readonly offResume: () => void;

  constructor(
    private readonly apply: (update: T) => void,
    private readonly onlost: () => void,
    private readonly max = 120,
  ) {
    this.offResume = livePause.onResume(() => this.flush());
  }

  push(update: T): void {
    if (!livePause.paused) return this.apply(update);
    this.held.push(update);
    if (this.held.length > this.max) {
      this.held.shift();
      this.lost = true;
    }
  }

  close(): void {
    this.offResume();
    this.held = [];
  }

  private flush(): void {
    const held = this.held;
    this.held = [];
    if (this.lost) this.onlost();
    this.lost = false;
    for (const update of held) this.apply(update);
  }
}
