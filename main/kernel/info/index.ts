// Decoders of the kernel's BPF object info (bpf_*_info, fdinfo, aux arrays) and their
// bpftool-compatible renderings. Pure: bytes and text in, values out.

export { decodeFuncInfo, decodeJitedLineInfo, decodeLineInfo, decodeProgTags, u32Array, u64Array } from './aux.js';
export type { FuncInfo, LineInfo } from './aux.js';
export { formatLocalTime, loadedAtSeconds } from './boot-time.js';
export { decodeBtfInfo } from './btf-info.js';
export type { BtfInfo } from './btf-info.js';
export { renderMapJson, renderProgJson } from './bpftool-json.js';
export { renderLinkJson } from './bpftool-json-link.js';
export { renderLinkText, renderMapText, renderProgText } from './bpftool-text.js';
export { parseFdinfo } from './fdinfo.js';
export type { Fdinfo } from './fdinfo.js';
export { stringifyJson } from './json-value.js';
export type { JsonObject, JsonValue } from './json-value.js';
export {
  BTF_INFO,
  LINK_BUFFER_FIELDS,
  LINK_INFO,
  LINK_TYPE,
  MAP_INFO,
  PERF_EVENT_TYPE,
  PROG_BUFFER_FIELDS,
  PROG_INFO,
} from './layout.js';
export { decodeLinkInfo } from './link-info.js';
export type { LinkBuffers, LinkDetails, LinkInfo, PerfEventDetails } from './link-info.js';
export { decodeMapInfo } from './map-info.js';
export { decodeProgMetadata } from './metadata.js';
export { isMetadataMap, METADATA_PREFIX, metadataVars, type MetadataVar } from './metadata-map.js';
export type { MetadataEntry } from './metadata.js';
export type { MapInfo } from './map-info.js';
export { decodeProgInfo, progFullName } from './prog-info.js';
export type { ProgInfo } from './prog-info.js';
export type { KernelSymbol, LinkShow, MapShow, Owner, ProgShow, ShowOptions } from './show-input.js';
