// Which page-wide overlay is open: the command palette (Ctrl+K / Cmd+K) or the list of
// shortcuts (?). One per page, shared by the keyboard handler and the top bar.

export class Overlays {
  palette = $state(false);
  help = $state(false);

  /** Some modal dialog is open: the page's own keys wait. Read from the page, not the flags:
   * a dialog closed by Esc is shut at once, its flag only when its close event comes. */
  get any(): boolean {
    return document.querySelector('dialog[open]') !== null;
  }
}

export const overlays = new Overlays();
