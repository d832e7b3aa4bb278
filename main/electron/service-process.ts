// The utility process that does the bpf work, so a long map read or a slow
// host never blocks the main process (menus, window, IPC routing). It serves
// the API over the MessagePort the main process hands it.
import { serveChannel } from '../api/rpc-server.js';
import { createHostService } from '../server/host-service.js';
import { portChannel } from './port-channel.js';

const appVersion = process.env.BPFSCOPE_APP_VERSION ?? '0.0.0';
const service = createHostService({
  versions: { app: appVersion, electron: process.versions.electron, chrome: process.versions.chrome },
  keepHistory: true,
});

process.parentPort.on('message', (event) => {
  const [port] = event.ports;
  if (!port) return;
  // A window is loading: it opens on the local host and asks for its program list first.
  service.warmProgramList('local');
  serveChannel(portChannel(port), service);
});

process.on('SIGTERM', () => {
  void service.close().finally(() => process.exit(0));
});
