// AssemblyScript source of the registration's full-resolution kernels (WebAssembly, 128-bit SIMD).
// Compiled by `npm run build:wasm` into src/registration/wasm/registration-kernels.wasm.ts (the
// module, base64), which is committed: nothing is compiled at install time, and a test checks that
// the committed module is this source's build.
//
// Why own kernels: after the FFTs moved to PFFFT, the full-resolution refinement of a pair (NCC of
// candidate shifts, the integer climb, smoothing for the gradient step, the gradient step itself)
// was ~3/4 of a pair's time, at 2–6 ns per voxel and pass in JavaScript (scalar, float32 loads
// converted to double). The same loops on 4 float32 lanes run 4–8× faster.
//
// The module has no memory of its own: it imports PFFFT's (src/registration/wasm/wasm-heap.ts), so
// the FFT buffers and the regions live in one heap and no volume is copied between modules. It has
// no static data either (nothing is written at instantiation). Every pointer is a byte offset into
// that memory, every size an element count. Sums over a row are
// kept in float32 lanes (at most a few thousand values) and added to float64 per row, so long sums
// keep double precision.

@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/**
 * Sums of the dense NCC over a box: n rows (planes nk by step sk, rows nj by step sj) of ni voxels,
 * a's first voxel at element oa0, b's at ob0. Writes Σa, Σb, Σa², Σb², Σab (f64) at `out`.
 */
export function nccSums(pa: usize, pb: usize, planeA: i32, rowA: i32, planeB: i32, rowB: i32, oa0: i32, ob0: i32, nk: i32, nj: i32, ni: i32, sk: i32, sj: i32, out: usize): void {
  let sa: f64 = 0, sb: f64 = 0, saa: f64 = 0, sbb: f64 = 0, sab: f64 = 0;
  const nv = ni & ~3;
  for (let k = 0; k < nk; k += sk) {
    for (let j = 0; j < nj; j += sj) {
      const a = pa + (<usize>(oa0 + k * planeA + j * rowA) << 2);
      const b = pb + (<usize>(ob0 + k * planeB + j * rowB) << 2);
      let va = f32x4.splat(0), vb = f32x4.splat(0), vaa = f32x4.splat(0), vbb = f32x4.splat(0), vab = f32x4.splat(0);
      for (let i = 0; i < nv; i += 4) {
        const x = v128.load(a + (<usize>i << 2));
        const y = v128.load(b + (<usize>i << 2));
        va = f32x4.add(va, x);
        vb = f32x4.add(vb, y);
        vaa = f32x4.add(vaa, f32x4.mul(x, x));
        vbb = f32x4.add(vbb, f32x4.mul(y, y));
        vab = f32x4.add(vab, f32x4.mul(x, y));
      }
      let ta: f64 = hsum(va), tb: f64 = hsum(vb), taa: f64 = hsum(vaa), tbb: f64 = hsum(vbb), tab: f64 = hsum(vab);
      for (let i = nv; i < ni; i++) {
        const x = <f64>load<f32>(a + (<usize>i << 2));
        const y = <f64>load<f32>(b + (<usize>i << 2));
        ta += x;
        tb += y;
        taa += x * x;
        tbb += y * y;
        tab += x * y;
      }
      sa += ta;
      sb += tb;
      saa += taa;
      sbb += tbb;
      sab += tab;
    }
  }
  store<f64>(out, sa);
  store<f64>(out, sb, 8);
  store<f64>(out, saa, 16);
  store<f64>(out, sbb, 24);
  store<f64>(out, sab, 32);
}

/**
 * The symmetric gradient step's normal equations over a box (see gradient-subvoxel.ts): with
 * z-scores (a − ma)·ia and (b − mb)·ib, diff = a − b and g = ¼(∇a·ia + ∇b·ib) from central
 * differences (strides dA*, dB*: 0 on inactive axes). Writes G00 G01 G02 G11 G12 G22 h0 h1 h2.
 */
export function gradientSums(pa: usize, pb: usize, planeA: i32, rowA: i32, planeB: i32, rowB: i32, oa0: i32, ob0: i32, nk: i32, nj: i32, ni: i32, sk: i32, sj: i32, dA0: i32, dA1: i32, dA2: i32, dB0: i32, dB1: i32, dB2: i32, ma: f32, mb: f32, ia: f32, ib: f32, out: usize): void {
  let g00: f64 = 0, g01: f64 = 0, g02: f64 = 0, g11: f64 = 0, g12: f64 = 0, g22: f64 = 0, h0: f64 = 0, h1: f64 = 0, h2: f64 = 0;
  const nv = ni & ~3;
  const vma = f32x4.splat(ma), vmb = f32x4.splat(mb), via = f32x4.splat(ia), vib = f32x4.splat(ib);
  const qa = f32x4.splat(0.25 * ia), qb = f32x4.splat(0.25 * ib);
  const za0 = <usize>dA0 << 2, za1 = <usize>dA1 << 2, za2 = <usize>dA2 << 2;
  const zb0 = <usize>dB0 << 2, zb1 = <usize>dB1 << 2, zb2 = <usize>dB2 << 2;
  for (let k = 0; k < nk; k += sk) {
    for (let j = 0; j < nj; j += sj) {
      const a = pa + (<usize>(oa0 + k * planeA + j * rowA) << 2);
      const b = pb + (<usize>(ob0 + k * planeB + j * rowB) << 2);
      let v00 = f32x4.splat(0), v01 = f32x4.splat(0), v02 = f32x4.splat(0), v11 = f32x4.splat(0), v12 = f32x4.splat(0), v22 = f32x4.splat(0);
      let w0 = f32x4.splat(0), w1 = f32x4.splat(0), w2 = f32x4.splat(0);
      for (let i = 0; i < nv; i += 4) {
        const pA = a + (<usize>i << 2), pB = b + (<usize>i << 2);
        const diff = f32x4.sub(f32x4.mul(f32x4.sub(v128.load(pA), vma), via), f32x4.mul(f32x4.sub(v128.load(pB), vmb), vib));
        const gz = f32x4.add(f32x4.mul(f32x4.sub(v128.load(pA + za0), v128.load(pA - za0)), qa), f32x4.mul(f32x4.sub(v128.load(pB + zb0), v128.load(pB - zb0)), qb));
        const gy = f32x4.add(f32x4.mul(f32x4.sub(v128.load(pA + za1), v128.load(pA - za1)), qa), f32x4.mul(f32x4.sub(v128.load(pB + zb1), v128.load(pB - zb1)), qb));
        const gx = f32x4.add(f32x4.mul(f32x4.sub(v128.load(pA + za2), v128.load(pA - za2)), qa), f32x4.mul(f32x4.sub(v128.load(pB + zb2), v128.load(pB - zb2)), qb));
        v00 = f32x4.add(v00, f32x4.mul(gz, gz));
        v01 = f32x4.add(v01, f32x4.mul(gz, gy));
        v02 = f32x4.add(v02, f32x4.mul(gz, gx));
        v11 = f32x4.add(v11, f32x4.mul(gy, gy));
        v12 = f32x4.add(v12, f32x4.mul(gy, gx));
        v22 = f32x4.add(v22, f32x4.mul(gx, gx));
        w0 = f32x4.add(w0, f32x4.mul(gz, diff));
        w1 = f32x4.add(w1, f32x4.mul(gy, diff));
        w2 = f32x4.add(w2, f32x4.mul(gx, diff));
      }
      let t00 = hsum(v00), t01 = hsum(v01), t02 = hsum(v02), t11 = hsum(v11), t12 = hsum(v12), t22 = hsum(v22), u0 = hsum(w0), u1 = hsum(w1), u2 = hsum(w2);
      for (let i = nv; i < ni; i++) {
        const pA = a + (<usize>i << 2), pB = b + (<usize>i << 2);
        const diff = <f64>((load<f32>(pA) - ma) * ia - (load<f32>(pB) - mb) * ib);
        const gz = <f64>(0.25 * ((load<f32>(pA + za0) - load<f32>(pA - za0)) * ia + (load<f32>(pB + zb0) - load<f32>(pB - zb0)) * ib));
        const gy = <f64>(0.25 * ((load<f32>(pA + za1) - load<f32>(pA - za1)) * ia + (load<f32>(pB + zb1) - load<f32>(pB - zb1)) * ib));
        const gx = <f64>(0.25 * ((load<f32>(pA + za2) - load<f32>(pA - za2)) * ia + (load<f32>(pB + zb2) - load<f32>(pB - zb2)) * ib));
        t00 += gz * gz;
        t01 += gz * gy;
        t02 += gz * gx;
        t11 += gy * gy;
        t12 += gy * gx;
        t22 += gx * gx;
        u0 += gz * diff;
        u1 += gy * diff;
        u2 += gx * diff;
      }
      g00 += t00;
      g01 += t01;
      g02 += t02;
      g11 += t11;
      g12 += t12;
      g22 += t22;
      h0 += u0;
      h1 += u1;
      h2 += u2;
    }
  }
  store<f64>(out, g00);
  store<f64>(out, g01, 8);
  store<f64>(out, g02, 16);
  store<f64>(out, g11, 24);
  store<f64>(out, g12, 32);
  store<f64>(out, g22, 40);
  store<f64>(out, h0, 48);
  store<f64>(out, h1, 56);
  store<f64>(out, h2, 64);
}

// ---- Separable binomial smoothing [1 4 6 4 1]/16, all voxels valid (binomial-smooth.ts) ----

/** One row of w ≥ 8 samples along x, ends clipped and renormalised. */
@inline function smoothRowX(src: usize, dst: usize, w: i32): void {
  const a0 = load<f32>(src), a1 = load<f32>(src, 4), a2 = load<f32>(src, 8), a3 = load<f32>(src, 12);
  store<f32>(dst, (6 * a0 + 4 * a1 + a2) / 11);
  store<f32>(dst, (4 * a0 + 6 * a1 + 4 * a2 + a3) / 15, 4);
  const c16 = f32x4.splat(0.0625), c4 = f32x4.splat(4), c6 = f32x4.splat(6);
  // Interior outputs 2 .. w − 3, four at a time (unaligned loads at −2 .. +2).
  let i = 2;
  for (; i + 4 <= w - 2; i += 4) {
    const p = src + (<usize>i << 2);
    const s = f32x4.add(f32x4.add(v128.load(p - 8), v128.load(p + 8)), f32x4.add(f32x4.mul(c4, f32x4.add(v128.load(p - 4), v128.load(p + 4))), f32x4.mul(c6, v128.load(p))));
    v128.store(dst + (<usize>i << 2), f32x4.mul(s, c16));
  }
  for (; i < w - 2; i++) {
    const p = src + (<usize>i << 2);
    store<f32>(dst + (<usize>i << 2), (load<f32>(p - 8) + load<f32>(p + 8) + 4 * (load<f32>(p - 4) + load<f32>(p + 4)) + 6 * load<f32>(p)) * 0.0625);
  }
  const e = src + (<usize>(w - 1) << 2);
  const b0 = load<f32>(e), b1 = load<f32>(e - 4), b2 = load<f32>(e - 8), b3 = load<f32>(e - 12);
  store<f32>(dst + (<usize>(w - 1) << 2), (6 * b0 + 4 * b1 + b2) / 11);
  store<f32>(dst + (<usize>(w - 2) << 2), (4 * b0 + 6 * b1 + 4 * b2 + b3) / 15);
}

/** out[i] = (c0·q0 + c1·q1 + c2·q2 + c3·q3 + c4·q4)[i] · norm over n floats (n·4 bytes). */
@inline function combine5(q0: usize, q1: usize, q2: usize, q3: usize, q4: usize, out: usize, n: i32, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, norm: f32): void {
  const v0 = f32x4.splat(c0 * norm), v1 = f32x4.splat(c1 * norm), v2 = f32x4.splat(c2 * norm), v3 = f32x4.splat(c3 * norm), v4 = f32x4.splat(c4 * norm);
  const nv = n & ~3;
  let i = 0;
  for (; i < nv; i += 4) {
    const o = <usize>i << 2;
    const s = f32x4.add(f32x4.add(f32x4.mul(v0, v128.load(q0 + o)), f32x4.mul(v1, v128.load(q1 + o))), f32x4.add(f32x4.add(f32x4.mul(v2, v128.load(q2 + o)), f32x4.mul(v3, v128.load(q3 + o))), f32x4.mul(v4, v128.load(q4 + o))));
    v128.store(out + o, s);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, (c0 * load<f32>(q0 + o) + c1 * load<f32>(q1 + o) + c2 * load<f32>(q2 + o) + c3 * load<f32>(q3 + o) + c4 * load<f32>(q4 + o)) * norm);
  }
}

/** Plane k of src smoothed along x then y into dst (h ≥ 5 rows of w ≥ 8), via tmp (one plane). */
function smoothPlaneXY(src: usize, dst: usize, tmp: usize, h: i32, w: i32): void {
  const rowBytes = <usize>w << 2;
  for (let j = 0; j < h; j++) smoothRowX(src + <usize>j * rowBytes, tmp + <usize>j * rowBytes, w);
  for (let j = 0; j < h; j++) {
    const c0: f32 = j >= 2 ? 1 : 0, c1: f32 = j >= 1 ? 4 : 0, c3: f32 = j + 1 < h ? 4 : 0, c4: f32 = j + 2 < h ? 1 : 0;
    const norm: f32 = 1 / (c0 + c1 + 6 + c3 + c4);
    const r = tmp + <usize>j * rowBytes;
    combine5(c0 != 0 ? r - 2 * rowBytes : r, c1 != 0 ? r - rowBytes : r, r, c3 != 0 ? r + rowBytes : r, c4 != 0 ? r + 2 * rowBytes : r, dst + <usize>j * rowBytes, w, c0, c1, 6, c3, c4, norm);
  }
}

/**
 * The whole volume (d ≥ 5, h ≥ 5, w ≥ 8) smoothed from src into dst, streaming: each plane is
 * smoothed along x and y into a ring of 5 planes (ring: 5 planes, tmp: 1 plane), and each output
 * plane combines 5 of them along z.
 */
export function smoothDense(src: usize, dst: usize, ring: usize, tmp: usize, d: i32, h: i32, w: i32): void {
  const plane = h * w;
  const pb = <usize>plane << 2;
  for (let k = 0; k < 2 && k < d; k++) smoothPlaneXY(src + <usize>k * pb, ring + <usize>(k % 5) * pb, tmp, h, w);
  for (let k = 0; k < d; k++) {
    if (k + 2 < d) smoothPlaneXY(src + <usize>(k + 2) * pb, ring + <usize>((k + 2) % 5) * pb, tmp, h, w);
    const c0: f32 = k >= 2 ? 1 : 0, c1: f32 = k >= 1 ? 4 : 0, c3: f32 = k + 1 < d ? 4 : 0, c4: f32 = k + 2 < d ? 1 : 0;
    const norm: f32 = 1 / (c0 + c1 + 6 + c3 + c4);
    const q2 = ring + <usize>(k % 5) * pb;
    const q0 = c0 != 0 ? ring + <usize>((k - 2) % 5) * pb : q2, q1 = c1 != 0 ? ring + <usize>((k - 1) % 5) * pb : q2;
    const q3 = c3 != 0 ? ring + <usize>((k + 1) % 5) * pb : q2, q4 = c4 != 0 ? ring + <usize>((k + 2) % 5) * pb : q2;
    combine5(q0, q1, q2, q3, q4, dst + <usize>k * pb, plane, c0, c1, 6, c3, c4, norm);
  }
}

// ---- Preparation: a tile region converted to float32 and centred on its mean ----

/** Σ of n uint16 values at src. */
export function sumU16(src: usize, n: i32): f64 {
  let s: f64 = 0;
  const nv = n & ~7;
  let i = 0;
  // 8 values per step into i32 lanes; a row of 4096 steps cannot overflow 2^31 (65535 · 4096 · 2).
  while (i < nv) {
    const end = min(nv, i + 32768);
    let acc = i32x4.splat(0);
    for (; i < end; i += 8) {
      const v = v128.load(src + (<usize>i << 1));
      acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(v));
    }
    s += <f64>(<u32>i32x4.extract_lane(acc, 0)) + <f64>(<u32>i32x4.extract_lane(acc, 1)) + <f64>(<u32>i32x4.extract_lane(acc, 2)) + <f64>(<u32>i32x4.extract_lane(acc, 3));
  }
  for (; i < n; i++) s += <f64>load<u16>(src + (<usize>i << 1));
  return s;
}

/** dst[i] = src[i] − mean (uint16 → float32); returns Σ(dst²). */
export function centreU16(src: usize, dst: usize, n: i32, mean: f32): f64 {
  const vm = f32x4.splat(mean);
  let ss: f64 = 0;
  const nv = n & ~3;
  let i = 0;
  while (i < nv) {
    const end = min(nv, i + 4096);
    let acc = f32x4.splat(0);
    for (; i < end; i += 4) {
      const v = f32x4.sub(f32x4.convert_i32x4_u(v128.load16x4_u(src + (<usize>i << 1))), vm);
      v128.store(dst + (<usize>i << 2), v);
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    ss += hsum(acc);
  }
  for (; i < n; i++) {
    const v = <f32>load<u16>(src + (<usize>i << 1)) - mean;
    store<f32>(dst + (<usize>i << 2), v);
    ss += <f64>v * <f64>v;
  }
  return ss;
}

/**
 * Block average by (fz, fy, 2) of a dense float32 volume (d, h, w) into dst (d/fz, h/fy, w/2):
 * pairs along x are added with a lane shuffle, then rows and planes of the block.
 */
export function blockAverageX2(src: usize, dst: usize, d: i32, h: i32, w: i32, fz: i32, fy: i32, row: usize): void {
  const od = d / fz, oh = h / fy, ow = w >> 1;
  const inv = f32x4.splat(<f32>(1.0 / <f64>(fz * fy * 2)));
  const nv = ow & ~3;
  for (let ok = 0; ok < od; ok++)
    for (let oj = 0; oj < oh; oj++) {
      memory.fill(row, 0, <usize>ow << 2);
      for (let k = ok * fz; k < (ok + 1) * fz; k++)
        for (let j = oj * fy; j < (oj + 1) * fy; j++) {
          const s = src + (<usize>((k * h + j) * w) << 2);
          let i = 0;
          for (; i < nv; i += 4) {
            const p = s + (<usize>i << 3);
            const lo = v128.load(p), hi = v128.load(p, 16);
            const pairs = f32x4.add(v128.shuffle<f32>(lo, hi, 0, 2, 4, 6), v128.shuffle<f32>(lo, hi, 1, 3, 5, 7));
            const r = row + (<usize>i << 2);
            v128.store(r, f32x4.add(v128.load(r), pairs));
          }
          for (; i < ow; i++) {
            const p = s + (<usize>i << 3);
            const r = row + (<usize>i << 2);
            store<f32>(r, load<f32>(r) + load<f32>(p) + load<f32>(p, 4));
          }
        }
      const o = dst + (<usize>((ok * oh + oj) * ow) << 2);
      let i = 0;
      for (; i < nv; i += 4) v128.store(o + (<usize>i << 2), f32x4.mul(v128.load(row + (<usize>i << 2)), inv));
      for (; i < ow; i++) store<f32>(o + (<usize>i << 2), load<f32>(row + (<usize>i << 2)) * f32x4.extract_lane(inv, 0));
    }
}


// ---- Phase correlation around PFFFT (wasm-fft3d.ts) ----

/**
 * Complex (8-byte) matrix transpose rows × cols → cols × rows, in 32 × 32 blocks of 2 × 2 tiles:
 * two rows' pairs are loaded as two vectors and swapped into two columns' pairs by lane shuffles.
 */
export function transposeComplex(src: usize, dst: usize, rows: i32, cols: i32): void {
  if (rows == 1 || cols == 1) {
    memory.copy(dst, src, <usize>(rows * cols) << 3);
    return;
  }
  if ((rows & 1) != 0 || (cols & 1) != 0) {
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) store<i64>(dst + (<usize>(c * rows + r) << 3), load<i64>(src + (<usize>(r * cols + c) << 3)));
    return;
  }
  const rowBytes = <usize>cols << 3, colBytes = <usize>rows << 3;
  for (let r0 = 0; r0 < rows; r0 += 32) {
    const r1 = min(rows, r0 + 32);
    for (let c0 = 0; c0 < cols; c0 += 32) {
      const c1 = min(cols, c0 + 32);
      for (let r = r0; r < r1; r += 2) {
        const s = src + <usize>r * rowBytes;
        for (let c = c0; c < c1; c += 2) {
          const a = v128.load(s + (<usize>c << 3));
          const b = v128.load(s + rowBytes + (<usize>c << 3));
          const d = dst + <usize>c * colBytes + (<usize>r << 3);
          v128.store(d, v128.shuffle<i64>(a, b, 0, 2));
          v128.store(d + colBytes, v128.shuffle<i64>(a, b, 1, 3));
        }
      }
    }
  }
}

/** The same transpose on `planes` consecutive rows × cols matrices. */
export function transposePlanes(src: usize, dst: usize, planes: i32, rows: i32, cols: i32): void {
  const bytes = <usize>(rows * cols) << 3;
  for (let k = 0; k < planes; k++) transposeComplex(src + <usize>k * bytes, dst + <usize>k * bytes, rows, cols);
}

/**
 * A ← W·A·conj(B)/(|A|·|B|) over the complex lines of slots 1 .. hx − 1 of spectra laid out
 * (slot, ky, kz), kz fastest; wzz holds each z weight twice (re, im), wy and wx one per index.
 * |A|·|B| is formed as a product of two roots: the square of |A·conj B| overflows float32.
 */
export function crossPowerSlots(a: usize, b: usize, nz: i32, ny: i32, hx: i32, wzz: usize, wy: usize, wx: usize): void {
  const eps = f32x4.splat(1e-30);
  const zero = f32x4.splat(0);
  for (let s = 1; s < hx; s++) {
    const ws = load<f32>(wx + (<usize>s << 2));
    for (let ky = 0; ky < ny; ky++) {
      const wsy = ws * load<f32>(wy + (<usize>ky << 2));
      const vw = f32x4.splat(wsy);
      const line = <usize>((s * ny + ky) * nz) << 3;
      const pa = a + line, pb = b + line;
      let kz = 0;
      for (; kz + 2 <= nz; kz += 2) {
        const o = <usize>kz << 3;
        const x = v128.load(pa + o), y = v128.load(pb + o);
        const xr = v128.shuffle<f32>(x, x, 0, 0, 2, 2), xi = v128.shuffle<f32>(x, x, 1, 1, 3, 3);
        const ys = v128.shuffle<f32>(y, y, 1, 0, 3, 2);
        const t1 = f32x4.mul(xr, y), t2 = f32x4.mul(xi, ys);
        // (re, im) of a·conj(b): re = ar·br + ai·bi, im = ai·br − ar·bi.
        const r = v128.shuffle<f32>(f32x4.add(t1, t2), f32x4.sub(t2, t1), 0, 5, 2, 7);
        const xx = f32x4.mul(x, x), yy = f32x4.mul(y, y);
        const ma = f32x4.sqrt(f32x4.add(xx, v128.shuffle<f32>(xx, xx, 1, 0, 3, 2)));
        const mb = f32x4.sqrt(f32x4.add(yy, v128.shuffle<f32>(yy, yy, 1, 0, 3, 2)));
        const mag = f32x4.mul(ma, mb);
        const w = f32x4.mul(vw, v128.load(wzz + (<usize>kz << 3)));
        const out = f32x4.mul(r, f32x4.div(w, mag));
        v128.store(pa + o, v128.bitselect(out, zero, f32x4.gt(mag, eps)));
      }
      for (; kz < nz; kz++) {
        const o = <usize>kz << 3;
        const ar = load<f32>(pa + o), ai = load<f32>(pa + o, 4), br = load<f32>(pb + o), bi = load<f32>(pb + o, 4);
        const re = ar * br + ai * bi, im = ai * br - ar * bi;
        const mag = Mathf.sqrt(ar * ar + ai * ai) * Mathf.sqrt(br * br + bi * bi);
        const w: f32 = mag > 1e-30 ? (wsy * load<f32>(wzz + (<usize>kz << 3))) / mag : 0;
        store<f32>(pa + o, re * w);
        store<f32>(pa + o, im * w, 4);
      }
    }
  }
}

/**
 * Rows of a dense region (d, h, w), minus `mean`, times the separable window wz[k]·wy[j]·wx[i],
 * into a zeroed volume of rows nx long and planes ny rows high (zero padding).
 */
export function windowRows(src: usize, dst: usize, d: i32, h: i32, w: i32, ny: i32, nx: i32, wz: usize, wy: usize, wx: usize, mean: f32): void {
  const vm = f32x4.splat(mean);
  const nv = w & ~3;
  for (let k = 0; k < d; k++) {
    const fz = load<f32>(wz + (<usize>k << 2));
    for (let j = 0; j < h; j++) {
      const f = fz * load<f32>(wy + (<usize>j << 2));
      const vf = f32x4.splat(f);
      const s = src + (<usize>((k * h + j) * w) << 2);
      const o = dst + (<usize>((k * ny + j) * nx) << 2);
      let i = 0;
      for (; i < nv; i += 4) {
        const q = <usize>i << 2;
        v128.store(o + q, f32x4.mul(f32x4.mul(f32x4.sub(v128.load(s + q), vm), vf), v128.load(wx + q)));
      }
      for (; i < w; i++) {
        const q = <usize>i << 2;
        store<f32>(o + q, (load<f32>(s + q) - mean) * f * load<f32>(wx + q));
      }
    }
  }
}

/** Σ of n float32 values (float32 lanes per block of 4096, float64 across blocks). */
export function sumF32(src: usize, n: i32): f64 {
  let s: f64 = 0;
  const nv = n & ~3;
  let i = 0;
  while (i < nv) {
    const end = min(nv, i + 4096);
    let acc = f32x4.splat(0);
    for (; i < end; i += 4) acc = f32x4.add(acc, v128.load(src + (<usize>i << 2)));
    s += hsum(acc);
  }
  for (; i < n; i++) s += <f64>load<f32>(src + (<usize>i << 2));
  return s;
}

/** out[r] = the largest of row r (rows of n ≥ 1 floats): lets the peak search skip whole rows. */
export function rowMax(src: usize, rows: i32, n: i32, out: usize): void {
  const nv = n & ~3;
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>(r * n) << 2);
    let m: f32 = load<f32>(s);
    if (nv >= 4) {
      let v = v128.load(s);
      for (let i = 4; i < nv; i += 4) v = f32x4.max(v, v128.load(s + (<usize>i << 2)));
      m = max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
    }
    for (let i = nv; i < n; i++) m = max(m, load<f32>(s + (<usize>i << 2)));
    store<f32>(out + (<usize>r << 2), m);
  }
}
