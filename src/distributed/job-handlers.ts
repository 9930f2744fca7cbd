/**
 * The job registry: kind → handler. Every executor (inline, worker threads, NATS workers) runs
 * jobs by looking up their kind here, so a kind behaves the same wherever it runs. Handlers are
 * loaded lazily so a worker only pays for the kinds it runs.
 */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<unknown>;

export interface JobContext {
  signal?: AbortSignal;
  /** Tell the dispatcher a long job is alive (NATS: `working()`). */
  heartbeat(): void;
}

type HandlerLoader = () => Promise<JobHandler>;

const registry = new Map<string, HandlerLoader>();

export function registerJobKind(kind: string, load: HandlerLoader): void {
  registry.set(kind, load);
}

export async function getJobHandler(kind: string): Promise<JobHandler> {
  await import('./builtin-kinds.js');
  const load = registry.get(kind);
  if (!load) throw new Error(`Cannot run job of kind "${kind}": no handler registered (known: ${[...registry.keys()].join(', ') || 'none'})`);
  return load();
}

export function knownJobKinds(): string[] {
  return [...registry.keys()];
}
