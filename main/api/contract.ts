// The one service contract between the renderer and the Node side. Every
// transport (in-memory, WebSocket, Electron IPC) carries exactly these methods
// and events, and every side validates against these schemas.
import { z } from 'zod';
import {
  HostSummarySchema,
  LinkDetailSchema,
  LinkSummarySchema,
  MapDetailSchema,
  MapSummarySchema,
  ProgramDetailSchema,
  ProgramSummarySchema,
  VersionsSchema,
} from './records.js';

export const HostIdSchema = z.string().min(1).max(256);
const HostParams = z.strictObject({ host: HostIdSchema });
const ObjectParams = z.strictObject({ host: HostIdSchema, id: z.number().int().positive().max(0xffffffff) });
const NoParams = z.strictObject({});

export const methods = {
  versions: { params: NoParams, result: VersionsSchema },
  listHosts: { params: NoParams, result: z.array(HostSummarySchema) },
  listPrograms: { params: HostParams, result: z.array(ProgramSummarySchema) },
  listMaps: { params: HostParams, result: z.array(MapSummarySchema) },
  listLinks: { params: HostParams, result: z.array(LinkSummarySchema) },
  getProgram: { params: ObjectParams, result: ProgramDetailSchema },
  getMap: { params: ObjectParams, result: MapDetailSchema },
  getLink: { params: ObjectParams, result: LinkDetailSchema },
} as const;

export const events = {
  /** The full host list, sent once on subscribe and again whenever a host changes state. */
  hosts: { params: NoParams, data: z.array(HostSummarySchema) },
} as const;

export type MethodName = keyof typeof methods;
export type EventName = keyof typeof events;
export type Params<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
export type Result<M extends MethodName> = z.output<(typeof methods)[M]['result']>;
export type EventParams<E extends EventName> = z.input<(typeof events)[E]['params']>;
export type EventData<E extends EventName> = z.output<(typeof events)[E]['data']>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

export type Unsubscribe = () => void;

/** What the renderer holds: one function per method, and `subscribe` for the event streams. */
export type BpfscopeApi = { [M in MethodName]: (params: Params<M>, signal?: AbortSignal) => Promise<Result<M>> } & {
  subscribe<E extends EventName>(event: E, params: EventParams<E>, listener: (data: EventData<E>) => void, onError?: (error: Error) => void): Unsubscribe;
};

/** What the Node side implements. `signal` aborts when the caller cancels or goes away. */
export type BpfscopeService = { [M in MethodName]: (params: z.output<(typeof methods)[M]['params']>, signal: AbortSignal) => Promise<Result<M>> } & {
  [E in EventName as `watch${Capitalize<E>}`]: (params: z.output<(typeof events)[E]['params']>, emit: (data: EventData<E>) => void) => Unsubscribe;
};
