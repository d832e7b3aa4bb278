// Keyboard conventions: `/` focuses the view's search, `j`/`k` move the selection,
// Enter opens it, `p` pauses live views, Esc goes back. Views register what j/k/Enter do.
import { livePause } from './live-pause.svelte.js';

export interface KeyTarget {
  move(delta: number): void;
  open(): void;
}

let current: KeyTarget | undefined;

export function setKeyTarget(target: KeyTarget | undefined): void {
  current = target;
}

/** The key goes to a text field, not to the view. */
export function typing(element: EventTarget | null): boolean {
  return element instanceof HTMLElement && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
}

export function handleKey(event: KeyboardEvent): void {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === 'Escape') {
    if (typing(event.target)) (event.target as HTMLElement).blur();
    else history.back();
    return;
  }
  if (typing(event.target)) return;
  if (event.key === '/') {
    const search = document.querySelector<HTMLInputElement>('[data-search]');
    if (search) {
      event.preventDefault();
      search.focus();
    }
  } else if (event.key === 'p') livePause.toggle();
  else if (event.key === 'j') current?.move(1);
  else if (event.key === 'k') current?.move(-1);
  else if (event.key === 'Enter') current?.open();
}
