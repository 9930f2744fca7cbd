import type { SharedWasmMemory } from './zstd-wasm.js';
import type { PoolCodec, StripJob } from './decode-pool.js';

/** A job for a decode worker: one chunk (`bytes`), or a strip of chunks (`parts`, or `files` it reads itself). */
export interface DecodeRequest {
  id: number;
  name: PoolCodec;
  config: unknown;
  bytes: Uint8Array;
  strip?: StripJob;
  parts?: (Uint8Array | null)[];
  files?: string[];
}

/** A worker's reply: a decoded chunk (`out`), a strip (`out`, or `at`/`length` in its shared memory and the `slot` to hand back), or an error. */
export interface DecodeReply {
  id: number;
  out?: Uint8Array;
  at?: number;
  length?: number;
  slot?: number;
  flags?: number;
  memory?: SharedWasmMemory;
  error?: string;
  fast?: boolean;
  chunks?: number;
  missing?: number[];
}
