/**
 * The decode pool's worker thread (see decode-pool.ts, which starts it and defines the messages):
 * decodes blosc and zstd chunks, and assembles strips of region reads in the WebAssembly
 * decoder's shared memory. Runs compiled from dist/, or from this source through tsx's loader
 * under vitest and tsx.
 */
import { parentPort } from 'node:worker_threads';
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { loadFastBlosc, wasmTakesBlosc } from './fast-blosc.js';
import { loadFastZstd, stripDecoder } from './fast-zstd.js';
import type { StripPlacement, ZstdWasm } from './zstd-wasm.js';
import type { PoolCodec, StripJob } from './decode-pool.js';
import type { DecodeReply, DecodeRequest } from './_decode-messages.js';

type Vec3 = [number, number, number];
interface NumcodecsCodec {
  decode(bytes: Uint8Array): Promise<Uint8Array>;
}

const port = parentPort;
if (!port) throw new Error('decode-worker.ts runs as a worker thread of the decode pool');

const fastDecoders: Partial<Record<PoolCodec, Promise<(bytes: Uint8Array) => Uint8Array | null>>> = {};
function fastDecoder(name: PoolCodec): Promise<(bytes: Uint8Array) => Uint8Array | null> {
  fastDecoders[name] ??= name === 'blosc' ? loadFastBlosc() : loadFastZstd();
  return fastDecoders[name];
}

const codecs = new Map<string, Promise<NumcodecsCodec>>();
/** numcodecs.js' codec for what the fast decoders do not take (other blosc inner codecs, Blosc2, frames without their size). */
function numcodecs(name: PoolCodec, config: unknown): Promise<NumcodecsCodec> {
  const key = name + JSON.stringify(config);
  let c = codecs.get(key);
  if (!c) {
    c = (name === 'blosc' ? import('numcodecs/blosc') : import('numcodecs/zstd')).then((m) => (m.default as unknown as { fromConfig(c: unknown): NumcodecsCodec }).fromConfig(config));
    codecs.set(key, c);
  }
  return c;
}

/** Chunk k's part of the strip: [lo, hi) per axis in chunk coordinates, or null. */
function overlap(p: StripJob, k: number): { lo: Vec3; hi: Vec3 } | null {
  const o = p.origins[k];
  const lo = [0, 1, 2].map((a) => Math.max(p.start[a], o[a]) - o[a]) as Vec3;
  const hi = [0, 1, 2].map((a) => Math.min(p.start[a] + p.size[a], o[a] + p.chunk[a]) - o[a]) as Vec3;
  return lo.some((v, a) => hi[a] <= v) ? null : { lo, hi };
}

/** Where chunk k's part goes in the strip, or null. */
function placement(p: StripJob, k: number): StripPlacement | null {
  const o = overlap(p, k);
  if (!o) return null;
  const org = p.origins[k];
  return { chunk: p.chunk, bytesPerElement: p.bytesPerElement, lo: o.lo, hi: o.hi, at: [0, 1, 2].map((a) => org[a] + o.lo[a] - p.start[a]) as Vec3, stripRows: p.size[1], stripWidth: p.size[2] };
}

/** Chunk k's part into a strip held in JavaScript (numcodecs.js only: STITCHGRAPH_DECODER=numcodecs). */
function placeJs(out: Uint8Array, p: StripJob, k: number, dst: Uint8Array): void {
  const [, cy, cx] = p.chunk, b = p.bytesPerElement;
  const o = overlap(p, k);
  if (!o) return;
  const org = p.origins[k];
  const row = (o.hi[2] - o.lo[2]) * b;
  for (let z = o.lo[0]; z < o.hi[0]; z++)
    for (let y = o.lo[1]; y < o.hi[1]; y++) {
      const s = ((z * cy + y) * cx + o.lo[2]) * b;
      const d = (((org[0] + z - p.start[0]) * p.size[1] + (org[1] + y - p.start[1])) * p.size[2] + (org[2] + o.lo[2] - p.start[2])) * b;
      dst.set(out.subarray(s, s + row), d);
    }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * A chunk file read here (no copy across threads, no round trip through the main thread's event
 * loop): into `into(size)` (the decoder's input area) when given, else a fresh buffer. A file that
 * does not exist is a chunk never written (null).
 */
function readChunkFile(path: string, into?: (size: number) => Uint8Array, range?: [number, number] | null): Uint8Array | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read chunk file ${path}: ${errorText(e)}`);
  }
  try {
    const size = fstatSync(fd).size;
    const view = into ? into(size) : new Uint8Array(size);
    const fill = (from: number, to: number): void => {
      for (let got = from; got < to; ) {
        const n = readSync(fd, view, got, to - got, got);
        if (n === 0) throw new Error(`the file ended at byte ${got} of ${size}`);
        got += n;
      }
    };
    if (!(range && bloscPart(view, size, range, fill))) fill(0, size);
    return view;
  } catch (e) {
    throw new Error(`cannot read chunk file ${path}: ${errorText(e)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * A strip that needs only bytes [from, to) of a chunk stored as a Blosc-1 frame needs only the
 * frame's header, its block offsets and the streams of the blocks holding those bytes: read just
 * those (blosc_place decodes only those blocks). True when done; false when the file is to be read
 * whole instead (not a Blosc-1 frame of zstd streams, memcpyed, or blocks not stored in order, as
 * c-blosc always stores them).
 */
function bloscPart(view: Uint8Array, size: number, range: [number, number], fill: (from: number, to: number) => void): boolean {
  if (size < 16) return false;
  fill(0, 16);
  const dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
  const flags = view[2], nbytes = dv.getInt32(4, true), blocksize = dv.getInt32(8, true), cbytes = dv.getInt32(12, true);
  if (view[0] > 2 || flags & 0x0a || flags >> 5 !== 4 || blocksize <= 0 || nbytes <= 0 || cbytes > size || range[0] >= range[1] || range[1] > nbytes) return false;
  const nblocks = Math.ceil(nbytes / blocksize);
  const offsetsEnd = 16 + 4 * nblocks;
  if (offsetsEnd > cbytes) return false;
  fill(16, offsetsEnd);
  const j0 = Math.floor(range[0] / blocksize), j1 = Math.floor((range[1] - 1) / blocksize);
  const start = (j: number): number => (j < nblocks ? dv.getInt32(16 + 4 * j, true) : cbytes);
  for (let j = j0; j <= j1; j++) if (!(start(j) >= offsetsEnd && start(j) < start(j + 1))) return false;
  if (start(j1 + 1) > cbytes) return false;
  fill(start(j0), start(j1 + 1));
  return true;
}

/** Bytes [from, to) of chunk k that hold its part of the strip (C order): the blosc blocks needed. */
function neededRange(p: StripJob, k: number): [number, number] {
  const o = overlap(p, k);
  if (!o) return [0, 0];
  const at = (z: number, y: number, x: number): number => ((z * p.chunk[1] + y) * p.chunk[2] + x) * p.bytesPerElement;
  return [at(o.lo[0], o.lo[1], o.lo[2]), at(o.hi[0] - 1, o.hi[1] - 1, o.hi[2] - 1) + p.bytesPerElement];
}

/** The strip slot the next strip goes to: the main thread copies one out while this worker fills the other. */
let nextSlot = 0;
/** Wait until the main thread has copied slot k out (its flag back to 0); the timeout only makes the wait re-check. */
function waitForSlot(flags: Int32Array, k: number): void {
  while (Atomics.load(flags, k) !== 0) Atomics.wait(flags, k, 1, 100);
}

interface StripResult {
  view: Uint8Array;
  quick: boolean;
  missing: number[];
  shared?: { decoder: ZstdWasm; held: Int32Array; slot: number };
}

/** A strip without the WebAssembly decoder (STITCHGRAPH_DECODER=numcodecs): a fresh buffer, transferred. */
async function decodeStripJs(name: PoolCodec, config: unknown, strip: StripJob, parts: (Uint8Array | null)[] | undefined, files: string[] | undefined, decodeSlow: (b: Uint8Array) => Promise<Uint8Array>): Promise<StripResult> {
  const total = strip.size[0] * strip.size[1] * strip.size[2] * strip.bytesPerElement;
  const dst = new Uint8Array(total);
  const missing: number[] = [];
  const n = files ? files.length : (parts ?? []).length;
  for (let k = 0; k < n; k++) {
    const bytes = files ? readChunkFile(files[k]) : (parts ?? [])[k];
    if (!bytes) missing.push(k);
    else if (placement(strip, k)) placeJs(await decodeSlow(bytes), strip, k, dst);
  }
  return { view: dst, quick: false, missing };
}

/**
 * Assemble a strip inside the WebAssembly decoder's shared memory (numcodecs.js decodes the chunks
 * it does not take), in one of its slots, which stays the main thread's until it releases it.
 */
async function decodeStrip(name: PoolCodec, config: unknown, strip: StripJob, parts: (Uint8Array | null)[] | undefined, files: string[] | undefined): Promise<StripResult> {
  const total = strip.size[0] * strip.size[1] * strip.size[2] * strip.bytesPerElement;
  const size = strip.chunk[0] * strip.chunk[1] * strip.chunk[2] * strip.bytesPerElement;
  const decodeSlow = async (bytes: Uint8Array): Promise<Uint8Array> => {
    const out = await (await numcodecs(name, config)).decode(bytes);
    if (out.byteLength !== size) throw new Error(`decoded chunk has ${out.byteLength} bytes, expected ${size}`);
    return out;
  };
  if (process.env.STITCHGRAPH_DECODER === 'numcodecs') return decodeStripJs(name, config, strip, parts, files, decodeSlow);
  const n = files ? files.length : (parts ?? []).length;
  const missing: number[] = [];
  const d = stripDecoder();
  const flags = d.slotFlags();
  const slot = nextSlot;
  nextSlot = (nextSlot + 1) % flags.length;
  // A larger strip than the slots hold moves both: neither may be in use then.
  if (!d.stripFits(total)) for (let k = 0; k < flags.length; k++) waitForSlot(flags, k);
  else waitForSlot(flags, slot);
  d.beginStrip(total, slot);
  let quick = true;
  for (let k = 0; k < n; k++) {
    const pl = placement(strip, k);
    // A blosc chunk the strip needs only part of (a strip cut along z) is read in part.
    const range = name === 'blosc' && pl && (pl.lo[0] > 0 || pl.hi[0] < strip.chunk[0]) ? neededRange(strip, k) : null;
    const bytes = files ? (pl ? readChunkFile(files[k], (len) => d.input(len), range) : existsSync(files[k]) ? new Uint8Array(0) : null) : (parts ?? [])[k];
    if (!bytes) missing.push(k);
    if (!bytes || !pl) continue;
    if (name === 'blosc' && wasmTakesBlosc(bytes)) d.placeBlosc(bytes, pl);
    else if (!(name === 'zstd' && d.placeZstd(bytes, size, pl))) {
      quick = false;
      d.placeDecoded(await decodeSlow(bytes), pl);
    }
  }
  const view = d.strip(total);
  const held = d.slotFlags();
  Atomics.store(held, slot, 1);
  return { view, quick, missing, shared: { decoder: d, held, slot } };
}

/**
 * The main thread keeps the decoder's memory for the worker's life; it is sent again after it
 * grew, so that the main thread's view of it covers the new strips (another thread's Memory object
 * learns of a grow only at its next interrupt check).
 */
let sentLength = 0;

async function handleStrip(msg: DecodeRequest & { strip: StripJob }): Promise<void> {
  const { view, quick, missing, shared } = await decodeStrip(msg.name, msg.config, msg.strip, msg.parts, msg.files);
  const chunks = (msg.files ?? msg.parts ?? []).length - missing.length;
  if (!shared) {
    post({ id: msg.id, out: view, fast: quick, chunks, missing }, [view.buffer as ArrayBuffer]);
    return;
  }
  const memory = shared.decoder.memory;
  const grown = memory.buffer.byteLength !== sentLength;
  try {
    post({ id: msg.id, at: view.byteOffset, length: view.length, slot: shared.slot, flags: shared.held.byteOffset, memory: grown ? memory : undefined, fast: quick, chunks, missing });
  } catch (e) {
    // Nobody will hand the slot back: free it here.
    Atomics.store(shared.held, shared.slot, 0);
    throw e;
  }
  sentLength = memory.buffer.byteLength;
}

async function handle(msg: DecodeRequest): Promise<void> {
  try {
    if (msg.strip) {
      await handleStrip(msg as DecodeRequest & { strip: StripJob });
      return;
    }
    let out = process.env.STITCHGRAPH_DECODER !== 'numcodecs' ? (await fastDecoder(msg.name))(msg.bytes) : null;
    const quick = out !== null;
    out ??= await (await numcodecs(msg.name, msg.config)).decode(msg.bytes);
    if (out.byteOffset !== 0 || out.byteLength !== out.buffer.byteLength || !(out.buffer instanceof ArrayBuffer)) out = out.slice();
    post({ id: msg.id, out, fast: quick }, [out.buffer as ArrayBuffer]);
  } catch (e) {
    post({ id: msg.id, error: errorText(e) });
  }
}

function post(reply: DecodeReply, transfer: ArrayBuffer[] = []): void {
  (port as NonNullable<typeof port>).postMessage(reply, transfer);
}

/**
 * One message at a time: decoders return views of their WebAssembly memory and strips are
 * assembled there, so a second job started at an await would grow or overwrite that memory under
 * the first. (The decoding itself is synchronous; nothing is lost by the order.)
 */
let chain = Promise.resolve();
port.on('message', (msg: DecodeRequest) => {
  // A job that fails outside its own error handling must not stop the ones queued behind it.
  chain = chain.then(() => handle(msg)).catch((e: unknown) => post({ id: msg.id, error: errorText(e) }));
});
