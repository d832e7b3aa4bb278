// The Node side of every transport: checks a call against the contract, runs it,
// checks what it returns, and turns any failure into error data.
import { events, isEventName, isMethodName, methods, type BpfscopeService, type EventName, type MethodName, type Unsubscribe } from './contract.js';
import { toErrorData, type ApiErrorData } from './errors.js';
import type { Envelope } from './protocol.js';

type AnyMethod = (params: unknown, signal: AbortSignal) => Promise<unknown>;
type AnyWatch = (params: unknown, emit: (data: unknown) => void) => Unsubscribe;

function invalid(what: string, issues: { message: string; path: PropertyKey[] }[]): ApiErrorData {
  const detail = issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
  return { code: 'EINVAL', message: `invalid ${what}: ${detail}` };
}

export async function dispatchCall(service: BpfscopeService, method: unknown, params: unknown, signal: AbortSignal): Promise<Envelope> {
  if (!isMethodName(method)) return { ok: false, error: { code: 'ENOMETHOD', message: `unknown method ${JSON.stringify(String(method).slice(0, 64))}` } };
  const spec = methods[method as MethodName];
  const parsed = spec.params.safeParse(params ?? {});
  if (!parsed.success) return { ok: false, error: invalid(`parameters for ${method}`, parsed.error.issues) };
  let result: unknown;
  try {
    result = await (service[method] as AnyMethod)(parsed.data, signal);
  } catch (error) {
    return { ok: false, error: toErrorData(error) };
  }
  if (signal.aborted) return { ok: false, error: { code: 'ECANCELED', message: `${method} was cancelled` } };
  let checked: ReturnType<typeof spec.result.safeParse>;
  try {
    checked = spec.result.safeParse(result);
  } catch (error) {
    return { ok: false, error: { code: 'EBADRESULT', message: `result from ${method} could not be checked: ${(error as Error).message}` } };
  }
  // A result that breaks the contract is our bug; say so rather than send it on.
  if (!checked.success) return { ok: false, error: { ...invalid(`result from ${method}`, checked.error.issues), code: 'EBADRESULT' } };
  return { ok: true, result: checked.data };
}

export type SubscribeOutcome = { ok: true; unsubscribe: Unsubscribe } | { ok: false; error: ApiErrorData };

/** Starts an event stream; `end` is called at most once if the stream fails. */
export function dispatchSubscribe(
  service: BpfscopeService,
  event: unknown,
  params: unknown,
  emit: (data: unknown) => void,
  end: (error: ApiErrorData) => void,
): SubscribeOutcome {
  if (!isEventName(event)) return { ok: false, error: { code: 'ENOEVENT', message: `unknown event ${JSON.stringify(String(event).slice(0, 64))}` } };
  const spec = events[event as EventName];
  const parsed = spec.params.safeParse(params ?? {});
  if (!parsed.success) return { ok: false, error: invalid(`parameters for ${event}`, parsed.error.issues) };
  const watch = service[`watch${event.charAt(0).toUpperCase()}${event.slice(1)}` as keyof BpfscopeService] as unknown as AnyWatch;
  let ended = false;
  let unsubscribe: Unsubscribe = () => {};
  const stop = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe();
  };
  try {
    unsubscribe = watch.call(service, parsed.data, (data) => {
      if (ended) return;
      let failure: ApiErrorData;
      try {
        const checked = spec.data.safeParse(data);
        if (checked.success) return emit(checked.data);
        failure = { ...invalid(`${event} event`, checked.error.issues), code: 'EBADRESULT' };
      } catch (error) {
        failure = { code: 'EBADRESULT', message: `${event} event could not be checked: ${(error as Error).message}` };
      }
      stop();
      end(failure);
    });
  } catch (error) {
    return { ok: false, error: toErrorData(error) };
  }
  if (ended) unsubscribe();
  return { ok: true, unsubscribe: stop };
}
