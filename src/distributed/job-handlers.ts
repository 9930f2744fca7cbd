/**
 * The job registry: kind → handler. Every executor (inline, worker threads, NATS workers) runs
 * jobs by looking up their kind here, so a kind behaves the same wherever it runs. Handlers are
 * loaded lazily so a worker only pays for the kinds it runs.
 *
 * The stage that owns a kind registers it, in its own `*-job-kind.ts` (one line:
 * `registerJobKind('fuse-block', load, import.meta.url)`); `src/job-kinds.ts` lists every stage's
 * for entry points (CLI, `stitchgraph worker`). This module knows no stage: worker threads learn
 * the kinds by importing the modules that registered them here (`jobKindModules()`).
 */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<unknown>;

export interface JobContext {
  signal?: AbortSignal;
  /** Tell the dispatcher a long job is alive (NATS: `working()`). */
  heartbeat(): void;
}

type HandlerLoader = () => Promise<JobHandler>;

const registry = new Map<string, HandlerLoader>();
const kindModules = new Set<string>();

/**
 * Register a job kind. `moduleUrl` (the registering module's `import.meta.url`) lets every worker
 * thread started later import that module and so know the kind too.
 */
export function registerJobKind(kind: string, load: HandlerLoader, moduleUrl?: string): void {
  registry.set(kind, load);
  if (moduleUrl) kindModules.add(moduleUrl);
}

/** Modules that registered kinds in this process: what a new worker thread imports first. */
export function jobKindModules(): string[] {
  return [...kindModules];
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
