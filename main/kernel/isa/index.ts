// Public API of the eBPF bytecode decoder: decode → listing → text / JSON / CFG / DOT.

export { decodeInstructions, type DecodeOptions } from './decode.js';
export type * from './instruction.js';
export { isBranch } from './instruction.js';
export { formatInstruction, type DisasmCallbacks } from './format.js';
export { helperName, MAX_HELPER_ID } from './helpers.js';
export {
  buildListing, Listing, type FuncInfoRecord, type LineInfoRecord, type ListingEntry, type ListingInput, type ListingRows,
  type MapReference, type SourceLine,
} from './listing.js';
export type { CallTarget, CodeOrigin, ListingResolvers, MapKey, MapSummary } from './resolve.js';
export { kernelAddressesOf } from './resolve.js';
export {
  hexBytes, listingJsonText, listingToBpftoolJson, listingToJson, renderListingText, type BpftoolListingJson, type BpftoolOpcodesJson,
  type JsonListingEntry, type TextOptions,
} from './render.js';
export { type InsnClassName } from './opcode.js';
export { buildCfg, type BasicBlock, type CfgEdge, type CfgFunction, type ControlFlowGraph, type EdgeKind } from './cfg.js';
export { renderCfgDot } from './dot.js';
