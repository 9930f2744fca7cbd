/**
 * Tagged errors (after zarrita.js `errors.ts`): callers branch on `_tag`, never on message text.
 * Messages read "Cannot <action>: <reason>", naming the file, key, tile or pair and the fix.
 */
export type ErrorTag =
  | 'ConfigError'
  | 'TileNotFound'
  | 'ArrayShapeError'
  | 'UnsupportedDtype'
  | 'UnsupportedCodec'
  | 'ChunkDecodeError'
  | 'InputError'
  | 'JobFailed'
  | 'ExecutorError'
  | 'NotImplemented'
  | 'StageError'
  /** A bad command-line flag or value: the CLI exits 2. */
  | 'UsageError'
  /** The workdir is held by another process (`src/files/workdir-lock.ts`). */
  | 'WorkdirLocked';

export interface StitchgraphErrorOptions {
  cause?: unknown;
  /** Structured context (file, key path, tile id, pair) for logs and callers. */
  details?: Record<string, unknown>;
}

export class StitchgraphError<Tag extends ErrorTag = ErrorTag> extends Error {
  readonly _tag: Tag;
  readonly details: Record<string, unknown>;

  constructor(tag: Tag, message: string, options: StitchgraphErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this._tag = tag;
    this.name = tag;
    this.details = options.details ?? {};
  }
}

/** Narrow an unknown error to a StitchgraphError, optionally of one tag. */
export function isStitchgraphError<Tag extends ErrorTag>(
  err: unknown,
  tag?: Tag,
): err is StitchgraphError<Tag> {
  return err instanceof StitchgraphError && (tag === undefined || err._tag === tag);
}
