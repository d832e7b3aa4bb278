// The name of the preload bridge on `window`, alone in its module: the page's first script
// checks for it before the app loads, and importing bridge.ts there would pull in the contract.
export const BRIDGE_GLOBAL = 'bpfscope';
