// The API handle, shared with components through Svelte context.
import { getContext, setContext } from 'svelte';
import type { BpfscopeApi } from '../../../../main/api/contract.js';

const KEY = Symbol('bpfscope-api');

export function setApi(api: BpfscopeApi): void {
  setContext(KEY, api);
}

export function getApi(): BpfscopeApi {
  const api = getContext<BpfscopeApi | undefined>(KEY);
  if (!api) throw new Error('bpfscope: no API in context (setApi in App)');
  return api;
}
