// Public BTF API: parse, look up, format values (UI tree and bpftool JSON), print C and raw.

export { Btf, parseBtf } from './btf.js';
export type * from './types.js';
export { formatRaw, formatRawChunks } from './raw.js';
export { formatC, formatCChunks, declarationC, typeViewC, type FormatCOptions, type TypeViewC } from './c.js';
export { ValueFormatter, formatValue, type ValueNode, type Repr, type FormatOptions } from './value.js';
export {
  BpftoolMapDumper, bpftoolMapEntry, bpftoolMapDump, bpftoolHexArray, bpftoolEntryAsJson, type MapShape, type MapEntryPage, type PageLayout,
} from './bpftool-map-json.js';
export { BpftoolTextDumper, bpftoolLookupMissText, type BpftoolTextForm, type TextMapShape } from './bpftool-map-text.js';
export { ValueWriters, type ValueWriter, type WriterStyle } from './value-writer.js';
export { ValuePlanner, PlanError, type PlanNode, type ValuePlan, type Leaf } from './value-plan.js';
export { TypeNamer } from './type-name.js';
export { bpftoolFuncSignature } from './func-signature.js';
export { ByteSink } from './byte-sink.js';
