// .BTF.ext of an object file: func_info, line_info and CO-RE relocation records, grouped by the
// code section they describe. In object files insn_off counts bytes from the section start
// (libbpf divides by 8 when it loads); names are offsets into the .BTF string table.
//
//   header: u16 magic 0xeb9f, u8 version 1, u8 flags, u32 hdr_len,
//           u32 func_info_off, u32 func_info_len, u32 line_info_off, u32 line_info_len,
//           [u32 core_relo_off, u32 core_relo_len]          (offsets count from hdr_len)
//   each info area: u32 rec_size, then per section { u32 sec_name_off, u32 num_info,
//                                                    num_info × rec_size bytes }

const MAGIC = 0xeb9f;
const MIN_HEADER = 24;
const CORE_HEADER = 32;
const MIN_FUNC_REC = 8;
const MIN_LINE_REC = 16;
const MIN_CORE_REC = 16;

export interface ExtFuncInfo {
  /** Byte offset in the section. */
  readonly insnOff: number;
  readonly typeId: number;
}

export interface ExtLineInfo {
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  readonly line: number;
  readonly col: number;
}

export interface ExtCoreRelo {
  readonly insnOff: number;
  readonly typeId: number;
  readonly accessStrOff: number;
  /** enum bpf_core_relo_kind. */
  readonly kind: number;
}

export interface BtfExt {
  /** Keyed by section name. */
  readonly funcInfo: ReadonlyMap<string, readonly ExtFuncInfo[]>;
  readonly lineInfo: ReadonlyMap<string, readonly ExtLineInfo[]>;
  readonly coreRelos: ReadonlyMap<string, readonly ExtCoreRelo[]>;
}

/** Looks up a name in the .BTF string table. */
export type BtfStringLookup = (offset: number) => string | undefined;

function readArea<T>(
  view: DataView, start: number, len: number, minRec: number, what: string, names: BtfStringLookup,
  record: (at: number) => T,
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  if (len === 0) return out;
  if (len < 4) throw new Error(`${what}: ${len} bytes, too short for the record size`);
  const end = start + len;
  const recSize = view.getUint32(start, true);
  if (recSize < minRec || recSize % 4 !== 0) throw new Error(`${what}: bad record size ${recSize}`);
  let at = start + 4;
  // Each section header takes 8 bytes, which bounds the loop by the area's length.
  while (at < end) {
    if (at + 8 > end) throw new Error(`${what}: section header at ${at - start} truncated`);
    const nameOff = view.getUint32(at, true);
    const count = view.getUint32(at + 4, true);
    const name = names(nameOff);
    if (name === undefined) throw new Error(`${what}: section name offset ${nameOff} past string table`);
    at += 8;
    if (count === 0) throw new Error(`${what}: section '${name}': no records`);
    if (count > (end - at) / recSize) throw new Error(`${what}: section '${name}': ${count} records past end of area`);
    const list = out.get(name) ?? [];
    for (let i = 0; i < count; i++, at += recSize) list.push(record(at));
    out.set(name, list);
  }
  return out;
}

/** Parses .BTF.ext; throws `btf.ext: …` on damage. */
export function parseBtfExt(bytes: Uint8Array, names: BtfStringLookup): BtfExt {
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < MIN_HEADER) throw new Error(`header: ${bytes.length} bytes, need ${MIN_HEADER}`);
    const magic = view.getUint16(0, true);
    if (magic !== MAGIC) throw new Error(`header: bad magic 0x${magic.toString(16)}`);
    if (bytes[2] !== 1) throw new Error(`header: unsupported version ${bytes[2]}`);
    const hdrLen = view.getUint32(4, true);
    if (hdrLen < MIN_HEADER || hdrLen > bytes.length) throw new Error(`header: bad hdr_len ${hdrLen}`);
    const area = (offField: number, name: string): [number, number] => {
      const off = view.getUint32(offField, true);
      const len = view.getUint32(offField + 4, true);
      if (off % 4 !== 0) throw new Error(`${name}: offset ${off} not 4-byte aligned`);
      if (hdrLen + off + len > bytes.length) throw new Error(`${name}: bytes ${off}..${off + len} past end (${bytes.length - hdrLen})`);
      return [hdrLen + off, len];
    };
    const [funcStart, funcLen] = area(8, 'func_info');
    const [lineStart, lineLen] = area(16, 'line_info');
    const [coreStart, coreLen] = hdrLen >= CORE_HEADER ? area(24, 'core_relo') : [0, 0];
    return {
      funcInfo: readArea(view, funcStart, funcLen, MIN_FUNC_REC, 'func_info', names, (at) => ({
        insnOff: view.getUint32(at, true),
        typeId: view.getUint32(at + 4, true),
      })),
      lineInfo: readArea(view, lineStart, lineLen, MIN_LINE_REC, 'line_info', names, (at) => {
        const lineCol = view.getUint32(at + 12, true);
        return {
          insnOff: view.getUint32(at, true),
          fileNameOff: view.getUint32(at + 4, true),
          lineOff: view.getUint32(at + 8, true),
          line: lineCol >>> 10,
          col: lineCol & 0x3ff,
        };
      }),
      coreRelos: readArea(view, coreStart, coreLen, MIN_CORE_REC, 'core_relo', names, (at) => ({
        insnOff: view.getUint32(at, true),
        typeId: view.getUint32(at + 4, true),
        accessStrOff: view.getUint32(at + 8, true),
        kind: view.getUint32(at + 12, true),
      })),
    };
  } catch (error) {
    throw new Error(`btf.ext: ${(error as Error).message}`, { cause: error });
  }
}
