// What jsdom lacks and the components use: ResizeObserver (Svelte's bind:clientHeight).
/// <reference lib="dom" />
class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= NoResizeObserver as unknown as typeof ResizeObserver;
