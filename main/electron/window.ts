// The one application window: locked-down webPreferences and bounds that
// survive restarts.
import { BrowserWindow, screen } from 'electron';
import { join } from 'node:path';
import { loadBounds, saveBounds } from './window-state.js';

export interface WindowOptions {
  preload: string;
  /** out/renderer/index.html, or the dev server URL. */
  page: { file: string } | { url: string };
  boundsFile: string;
  icon?: string;
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const displays = screen.getAllDisplays().map((d) => d.workArea);
  const bounds = loadBounds(options.boundsFile, displays);
  const window = new BrowserWindow({
    ...bounds,
    minWidth: 640,
    minHeight: 400,
    show: false,
    title: 'bpfscope',
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click would open links in new windows, which are refused anyway.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  if (bounds.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());

  const remember = (): void => {
    if (window.isDestroyed() || window.isMinimized()) return;
    const maximized = window.isMaximized();
    saveBounds(options.boundsFile, { ...(maximized ? window.getNormalBounds() : window.getBounds()), maximized });
  };
  window.on('close', remember);

  if ('url' in options.page) void window.loadURL(options.page.url);
  else void window.loadFile(options.page.file);
  return window;
}

export function rendererFile(appRoot: string): string {
  return join(appRoot, 'out', 'renderer', 'index.html');
}
