// The application menu and the About box.
import { app, BrowserWindow, dialog, Menu, type MenuItemConstructorOptions } from 'electron';
import { release } from 'node:os';

export interface AboutFacts {
  /** The agent binary's version, when one is bundled. */
  agent?: string;
}

export function aboutText(facts: AboutFacts): string {
  return [
    `bpfscope ${app.getVersion()}`,
    `Electron ${process.versions.electron}`,
    `Chromium ${process.versions.chrome}`,
    `Node ${process.versions.node}`,
    `Linux kernel ${release()}`,
    `Agent ${facts.agent ?? 'not bundled'}`,
  ].join('\n');
}

export function showAbout(facts: AboutFacts): void {
  const options = { type: 'info' as const, title: 'About bpfscope', message: 'bpfscope', detail: aboutText(facts), buttons: ['OK'] };
  const parent = BrowserWindow.getFocusedWindow();
  void (parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options));
}

export interface MenuActions {
  /** File → Open: snapshots and BPF object files. */
  openFile(): void;
}

export function installMenu(facts: AboutFacts, actions: MenuActions): void {
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [{ label: 'Open Snapshot or Object File…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFile() }, { type: 'separator' }, { role: 'quit' }],
    },
    { label: 'Edit', submenu: [{ role: 'copy' }, { role: 'selectAll' }] },
    {
      label: 'View',
      submenu: [{ role: 'reload' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
    },
    { label: 'Help', submenu: [{ label: 'About bpfscope', click: () => showAbout(facts) }] },
  ];
  if (!app.isPackaged) (template[2]!.submenu as MenuItemConstructorOptions[]).push({ role: 'toggleDevTools' });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
