// The desktop app's main process: one window, the preload bridge, and the bpf
// work in a utility process. Thin by design: everything below is shared with
// `bpfscope serve`.
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerIpc } from './ipc.js';
import { appUrlMatcher, trustedSender } from './sender-check.js';
import { installMenu } from './menu.js';
import { openOfflineFiles } from './open-file.js';
import { hardenSessions, hardenWebContents } from './security.js';
import { ServiceConnection } from './service-connection.js';
import { createMainWindow, rendererFile } from './window.js';

// Bundled into out/main/index.js: the app root is two levels up.
const appRoot = join(__dirname, '..', '..');
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const page: { url: string } | { file: string } = devServerUrl ? { url: devServerUrl } : { file: rendererFile(appRoot) };
const pageUrl = 'url' in page ? new URL(page.url) : pathToFileURL(page.file);

const isAppUrl = appUrlMatcher(pageUrl);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | undefined;
  const service = new ServiceConnection(join(__dirname, 'service-process.js'), app.getVersion());

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  hardenWebContents(isAppUrl);

  void app.whenReady().then(() => {
    hardenSessions();
    installMenu({}, { openFile: () => void openOfflineFiles(service, window) });
    registerIpc(service, trustedSender(isAppUrl, (contents) => contents === window?.webContents));
    window = createMainWindow({
      preload: join(__dirname, '..', 'preload', 'index.cjs'),
      page,
      boundsFile: join(app.getPath('userData'), 'window-bounds.json'),
    });
    window.on('closed', () => (window = undefined));
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => service.close());
}
