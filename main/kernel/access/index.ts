// Map access from the bytecode: which maps a program reads, writes, emits to and jumps
// through, from an abstract interpretation of its instructions.
export { analyzeMapAccess, type AccessEnvironment, type AccessInput } from './interpret.js';
export { ACCESS_KINDS, type AccessKind, type MapAccess, type MapAccessReport, type UntrackedFlow } from './model.js';
export { helperForSymbol, resolveHelper } from './helper-effects.js';
export { kfuncParams, type KfuncParam } from './kfunc-params.js';
