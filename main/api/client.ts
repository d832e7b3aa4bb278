// Turns any transport into the typed BpfscopeApi the renderer holds, checking
// parameters before they leave and results when they arrive.
import { events, methods, METHOD_NAMES, type BpfscopeApi, type EventName, type MethodName, type Unsubscribe } from './contract.js';
import { ApiError, type ApiErrorData } from './errors.js';
import type { Envelope } from './protocol.js';

/** The minimum a transport offers: calls answered with envelopes, and event streams. */
export interface ApiTransport {
  request(method: MethodName, params: unknown, signal?: AbortSignal): Promise<Envelope>;
  subscribe(event: EventName, params: unknown, onData: (data: unknown) => void, onEnd: (error?: ApiErrorData) => void): Unsubscribe;
}

function invalid(what: string, issues: { message: string; path: PropertyKey[] }[]): ApiError {
  const detail = issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
  return new ApiError({ code: 'EINVAL', message: `invalid ${what}: ${detail}` });
}

async function call(transport: ApiTransport, method: MethodName, params: unknown, signal?: AbortSignal): Promise<unknown> {
  const spec = methods[method];
  const checkedParams = spec.params.safeParse(params ?? {});
  if (!checkedParams.success) throw invalid(`parameters for ${method}`, checkedParams.error.issues);
  const envelope = await transport.request(method, checkedParams.data, signal);
  if (!envelope.ok) throw new ApiError(envelope.error);
  const checked = spec.result.safeParse(envelope.result);
  if (!checked.success) throw invalid(`result from ${method}`, checked.error.issues);
  return checked.data;
}

export function createApiClient(transport: ApiTransport): BpfscopeApi {
  const api: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) api[method] = (params: unknown, signal?: AbortSignal) => call(transport, method, params, signal);
  api.subscribe = (event: EventName, params: unknown, listener: (data: unknown) => void, onError?: (error: Error) => void): Unsubscribe => {
    const spec = events[event];
    const checkedParams = spec.params.safeParse(params ?? {});
    if (!checkedParams.success) throw invalid(`parameters for ${event}`, checkedParams.error.issues);
    let unsubscribe: Unsubscribe = () => {};
    let active = true;
    const fail = (error: Error): void => {
      if (!active) return;
      active = false;
      unsubscribe();
      onError?.(error);
    };
    unsubscribe = transport.subscribe(
      event,
      checkedParams.data,
      (data) => {
        if (!active) return;
        const checked = spec.data.safeParse(data);
        if (checked.success) listener(checked.data);
        else fail(invalid(`${event} event`, checked.error.issues));
      },
      (error) => fail(new ApiError(error ?? { code: 'EEND', message: `the ${event} stream ended` })),
    );
    return () => {
      active = false;
      unsubscribe();
    };
  };
  return api as BpfscopeApi;
}
