// What every part of the demo page shares: element lookup, status lines, and the request/response channel to the
// worker (each request gets an id; progress and log events go to the request's listener, the last event settles it).

import type { WorkerEvent, WorkerRequest } from './protocol.js';

/** A request without its id (the page numbers them); distributes over the union's members. */
export type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;
type Pending = { resolve: (e: WorkerEvent) => void; reject: (err: Error) => void; onEvent?: (e: WorkerEvent) => void };

/** Events that report on a request under way; any other event is its answer. */
const INTERIM: ReadonlySet<WorkerEvent['type']> = new Set([
  'progress',
  'trainStart',
  'trainStep',
  'trainLog',
  'trainEval',
]);

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`demo page: #${id} is missing`);
  return node as T;
};

export function setStatus(id: string, text: string, error = false): void {
  const node = $(id);
  node.textContent = text;
  node.classList.toggle('error', error);
}

export class WorkerClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<WorkerEvent>) => {
      const event = e.data;
      const p = this.pending.get(event.id);
      if (!p) return;
      if (INTERIM.has(event.type)) return p.onEvent?.(event);
      this.pending.delete(event.id);
      if (event.type === 'error') p.reject(new Error(event.message));
      else p.resolve(event);
    };
  }

  /** Sends one request; resolves with its final event (interim events go to onEvent). */
  request<T extends WorkerEvent['type']>(
    req: RequestBody,
    onEvent?: (e: WorkerEvent) => void,
  ): Promise<Extract<WorkerEvent, { type: T }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (e: WorkerEvent) => void, reject, onEvent });
      this.worker.postMessage({ ...req, id });
    });
  }
}
