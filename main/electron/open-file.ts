// File → Open: a native dialog for snapshots and compiled BPF object files. Each chosen file is
// added as a host by path, as `--host snapshot:FILE` / `objfile:FILE` would open it; the sidebar
// learns of it through the hosts stream like any added host.
import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import { open } from 'node:fs/promises';
import type { ApiTransport } from '../api/client.js';
import { isElf } from '../kernel/objfile/magic.js';

const OPEN_OPTIONS: OpenDialogOptions = {
  title: 'Open snapshot or BPF object file',
  properties: ['openFile', 'multiSelections'],
  filters: [
    { name: 'Snapshots and BPF object files', extensions: ['bpfsnap', 'gz', 'o'] },
    { name: 'bpfscope snapshots', extensions: ['bpfsnap', 'gz'] },
    { name: 'BPF object files', extensions: ['o'] },
    { name: 'All files', extensions: ['*'] },
  ],
};

/** `objfile:PATH` for an ELF file, else `snapshot:PATH` (whose decoder says what else the file is not). */
export async function offlineHostSpec(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(new Uint8Array(4), 0, 4, 0);
    return `${isElf(buffer.subarray(0, bytesRead)) ? 'objfile' : 'snapshot'}:${path}`;
  } finally {
    await file.close();
  }
}

export async function openOfflineFiles(service: ApiTransport, parent: BrowserWindow | undefined): Promise<void> {
  const chosen = parent ? await dialog.showOpenDialog(parent, OPEN_OPTIONS) : await dialog.showOpenDialog(OPEN_OPTIONS);
  if (chosen.canceled) return;
  for (const path of chosen.filePaths) {
    const reply = await offlineHostSpec(path).then(
      (spec) => service.request('addHost', { spec }),
      (error: Error) => ({ ok: false as const, error: { code: 'EIO', message: error.message } }),
    );
    if (!reply.ok) dialog.showErrorBox('Could not open the file', `${path}: ${reply.error.message}`);
  }
}
