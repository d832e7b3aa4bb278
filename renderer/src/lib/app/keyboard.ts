// Keyboard conventions: Ctrl+K / Cmd+K opens the palette, `?` lists every shortcut, `/`
// focuses the view's search, `j`/`k` move the selection, Enter opens it, `p` pauses live
// views, Esc leaves a text field or goes back. Views register what j/k/Enter do. While a
// dialog is open its own keys rule (Esc closes it).
import { livePause } from './live-pause.svelte.js';
import { overlays } from './overlays.svelte.js';

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

/** Every shortcut, as the `?` overlay lists them. */
export const SHORTCUTS: ReadonlyArray<readonly [keys: string[], what: string]> = [
  [['Ctrl+K', '⌘K'], 'Go to anything: hosts, programs, maps, links, BTF types, views'],
  [['/'], 'Focus the filter of the list (the find box in bytecode)'],
  [['j', 'k'], 'Move the selection down / up in a list'],
  [['Enter'], 'Open the selected row'],
  [['n', 'N'], 'Next / previous match of the bytecode find'],
  [['p'], 'Pause or resume every live view'],
  [['?'], 'Show these shortcuts'],
  [['Esc'], 'Close a dialog, leave a text field, or go back'],
];

export function handleKey(event: KeyboardEvent): void {
  if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
    event.preventDefault();
    overlays.help = false;
    overlays.palette = true;
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey || overlays.any) return;
  // A key typed as a dialog closes can still reach the field that had focus in it.
  const target = event.target instanceof Element && event.target.closest('dialog:not([open])') ? null : event.target;
  if (event.key === 'Escape') {
    if (typing(target)) (target as HTMLElement).blur();
    else history.back();
    return;
  }
  if (typing(target)) return;
  if (event.key === '?') {
    event.preventDefault();
    overlays.help = true;
  } else if (event.key === '/') {
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
