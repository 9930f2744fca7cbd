/** What zarrita passes a codec's fromConfig besides its configuration: the chunk it decodes. */
export interface ChunkMeta {
  shape?: readonly number[];
  dataType?: string;
}

/** Node's zlib wants an output chunk of at least 64 bytes; above 256 MiB a hint is not worth trusting. */
const MIN_CHUNK = 64;
const MAX_HINT = 256 * 1024 * 1024;

/**
 * The output chunk size for inflating one chunk: its decoded size (from the chunk shape and data
 * type zarrita gives fromConfig) plus a little, so that the whole chunk inflates into one buffer
 * and zlib finds the stream's end with room to spare. Node's default (16 KiB) inflates a 2 MiB
 * chunk in 128 pieces, each a round trip from the libuv pool to the main thread, and then copies
 * the pieces into one buffer: half of the CPU of a zlib read (bench/RESULTS-zarrio.md). A wrong
 * hint costs only speed (more pieces, or a larger buffer); undefined: Node's default.
 */
export function inflateChunkSize(meta: ChunkMeta | undefined): number | undefined {
  const bits = /(\d+)$/.exec(meta?.dataType ?? '')?.[1];
  const bytesPer = meta?.dataType === 'bool' ? 1 : bits ? Number(bits) / 8 : undefined;
  if (!meta?.shape || !bytesPer || !Number.isInteger(bytesPer)) return undefined;
  const bytes = meta.shape.reduce((a, b) => a * b, bytesPer);
  return Number.isFinite(bytes) && bytes > 0 && bytes <= MAX_HINT ? Math.max(MIN_CHUNK, bytes + MIN_CHUNK) : undefined;
}
