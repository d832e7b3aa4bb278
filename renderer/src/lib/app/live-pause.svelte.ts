// The page-wide pause of live views: while paused, tables, counts, charts, map values and
// the lifecycle log keep what they show (the host keeps sampling underneath); on resume
// they catch up. One per page, shared like the theme.

export class LivePause {
  paused = $state(false);
  private readonly resumeListeners = new Set<() => void>();

  toggle(): void {
    this.paused = !this.paused;
    if (!this.paused) for (const listener of [...this.resumeListeners]) listener();
  }

  /** Runs `listener` on each resume (to apply what was held back); returns the unsubscribe. */
  onResume(listener: () => void): () => void {
    this.resumeListeners.add(listener);
    return () => this.resumeListeners.delete(listener);
  }
}

export const livePause = new LivePause();
