/** Tile data types stitchgraph reads and writes, and their typed arrays (after zarrita's DataType mapping). */
export type TileDtype = 'uint8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export type TypedArrayFor<D extends TileDtype> = D extends 'uint8'
  ? Uint8Array
  : D extends 'uint16'
    ? Uint16Array
    : D extends 'int16'
      ? Int16Array
      : D extends 'uint32'
        ? Uint32Array
        : D extends 'int32'
          ? Int32Array
          : D extends 'float32'
            ? Float32Array
            : Float64Array;

export type TileTypedArray = Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** The one runtime table behind `TypedArrayFor`. */
export const TYPED_ARRAY_OF = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const satisfies Record<TileDtype, new (n: number) => TileTypedArray>;

export function isTileDtype(d: string): d is TileDtype {
  return Object.hasOwn(TYPED_ARRAY_OF, d);
}

export function allocTyped<D extends TileDtype>(dtype: D, n: number): TypedArrayFor<D> {
  return new TYPED_ARRAY_OF[dtype](n) as TypedArrayFor<D>;
}

/** A typed array of `dtype` over a buffer (its first `length` elements; default: all of it). */
export function allocTypedOn<D extends TileDtype>(dtype: D, buffer: ArrayBuffer, length?: number): TypedArrayFor<D> {
  return new TYPED_ARRAY_OF[dtype](buffer, 0, length ?? buffer.byteLength / TYPED_ARRAY_OF[dtype].BYTES_PER_ELEMENT) as TypedArrayFor<D>;
}
