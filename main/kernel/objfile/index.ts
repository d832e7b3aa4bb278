// Public API of the BPF object file model (pure: bytes in, values out).

export { findProgram, parseBpfObject, programListing } from './object.js';
export type { BpfObject, ObjectListing, ObjectListingEntry, ObjectProgram, ObjectSection, SectionRole } from './object.js';
export type { GlobalDataSection, GlobalVariable, ObjectMap } from './maps.js';
export type { CodeReference } from './references.js';
export { sectionDef, type SectionDef } from './section-def.js';
export { internalMapName, libbpfObjectName, loadedForm, OBJECT_BTF_ID, tagInput, type StructOpsValueLookup } from './loaded.js';
export type { LoadedBtf, LoadedMap, LoadedObject, LoadedProgram, ProgramTagger } from './loaded.js';
export { linkProgram, type LinkedProgram, type MapIdLookup } from './link.js';
export { isElf } from './magic.js';
