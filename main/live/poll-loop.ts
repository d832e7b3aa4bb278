// The timer every sampler runs on: one tick now, then one every interval after the previous
// tick ends (never overlapping, however slow the host), errors reported and not fatal.

export class PollLoop {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private runningValue = false;
  private readonly errorListeners = new Set<(error: Error) => void>();

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => Promise<unknown>,
  ) {}

  get running(): boolean {
    return this.runningValue;
  }

  onError(listener: (error: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Runs `prepare` then the first tick; either failing stops the loop and throws. */
  async start(prepare?: () => Promise<void>): Promise<void> {
    if (this.runningValue) return;
    this.runningValue = true;
    try {
      await prepare?.();
      await this.tick();
    } catch (error) {
      this.stop();
      throw error;
    }
    if (this.runningValue) this.schedule();
  }

  stop(): void {
    this.runningValue = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.tick()
        .catch((error: unknown) => {
          const err = error instanceof Error ? error : new Error(String(error));
          for (const listener of this.errorListeners) listener(err);
        })
        .finally(() => {
          if (this.runningValue) this.schedule();
        });
    }, this.intervalMs);
  }
}
