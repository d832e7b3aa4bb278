// Sends a snapshot or BPF object file chosen in the UI (File → Open, drag and drop) to the
// service in chunks; the service tells which it is, decodes it and adds it as a host. The
// renderer only moves bytes.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import type { HostSummary } from '../../../../main/api/records.js';

/** Raw bytes per chunk: 48 KiB of base64, under the service's 64 KiB request cap. */
export const CHUNK_BYTES = 36 * 1024;

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x2000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
  return btoa(binary);
}

export interface SnapshotFile {
  name: string;
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export async function uploadSnapshot(api: BpfscopeApi, file: SnapshotFile, onProgress?: (fraction: number) => void): Promise<HostSummary> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const { upload } = await api.beginSnapshotUpload({ name: file.name, size: bytes.length });
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
    await api.uploadSnapshotChunk({ upload, offset, data: toBase64(bytes.subarray(offset, offset + CHUNK_BYTES)) });
    onProgress?.(Math.min(1, (offset + CHUNK_BYTES) / bytes.length));
  }
  return api.openUploadedSnapshot({ upload });
}
