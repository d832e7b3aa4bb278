import { BTF_INFO as O } from './layout.js';
import { InfoReader, cString } from './reader.js';

/** `struct bpf_btf_info` as the kernel wrote it (the struct itself dates from Linux 4.18). */
export interface BtfInfo {
  /** Bytes the kernel returned (its info_len). */
  infoLen: number;
  id: number;
  /** Size of the raw BTF blob in bytes. */
  btfSize: number;
  /** "vmlinux", a module name, or "" for program BTF. Linux 5.11. */
  name?: string;
  /** True for vmlinux and module BTF. Linux 5.11. */
  kernelBtf?: boolean;
}

/**
 * Decodes `struct bpf_btf_info`; `nameBuffer` is the buffer the native layer pointed `name` at
 * (absent: name undefined).
 */
export function decodeBtfInfo(bytes: Uint8Array, nameBuffer?: Uint8Array): BtfInfo {
  if (bytes.byteLength < O.id + 4) throw new Error(`btf info: ${bytes.byteLength} bytes, need at least ${O.id + 4}`);
  const r = new InfoReader(bytes);
  const kernelBtf = r.u32(O.kernelBtf);
  const nameLen = r.u32(O.nameLen);
  return {
    infoLen: bytes.byteLength,
    id: r.u32(O.id) as number,
    btfSize: r.u32(O.btfSize) as number,
    name: nameBuffer && nameLen !== undefined ? cString(nameBuffer.subarray(0, nameLen)) : undefined,
    kernelBtf: kernelBtf === undefined ? undefined : kernelBtf !== 0,
  };
}
