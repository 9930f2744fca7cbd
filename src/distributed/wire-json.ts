/**
 * The JSON that job payloads and results travel as, between threads and through NATS, so that
 * every executor returns what the inline one does: plain JSON, plus what JSON loses and stages
 * return — non-finite numbers and -0 (`{"$n": "Infinity" | "-Infinity" | "NaN" | "-0"}`) and
 * typed arrays (`{"$ta": "Float32Array", "v": [...]}`). An object whose only keys are `$n`, or
 * `$ta` and `v`, is reserved.
 */
const TYPED = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array'] as const;
type TypedName = (typeof TYPED)[number];

function replacer(this: unknown, _key: string, v: unknown): unknown {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { $n: 'NaN' };
    if (v === Infinity) return { $n: 'Infinity' };
    if (v === -Infinity) return { $n: '-Infinity' };
    if (Object.is(v, -0)) return { $n: '-0' };
    return v;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const name = v.constructor.name as TypedName;
    if (TYPED.includes(name)) return { $ta: name, v: Array.from(v as unknown as ArrayLike<number>) };
  }
  return v;
}

function reviver(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.$n === 'string') {
      if (o.$n === '-0') return -0;
      return Number(o.$n);
    }
    if (keys.length === 2 && typeof o.$ta === 'string' && Array.isArray(o.v) && (TYPED as readonly string[]).includes(o.$ta)) {
      const Ctor = globalThis[o.$ta as TypedName];
      return new Ctor(o.v as number[]);
    }
  }
  return v;
}

/** Encode a payload or result (undefined becomes null, as at the top of a JSON document). */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value ?? null, replacer);
}

export function fromWireJson(text: string): unknown {
  return JSON.parse(text, reviver) as unknown;
}
