// AssemblyScript source of the pixel classifier's feature kernels (WebAssembly, 128-bit SIMD).
// Compiled by `npm run build:wasm` into src/segmentation/wasm/segmentation-kernels.wasm.ts (the
// module, base64), which is committed; a test checks that it is this source's build.
//
// Why own kernels: in JavaScript the multiscale features (separable Gaussians, derivatives,
// Hessian and structure-tensor eigenvalues) took 1.5 s of the 1.9 s that train + predict cost on
// the 96³ bench volume (bench/segmentation), most of it in the Gaussian passes (float32 loads
// converted to double, one lane) and in acos/cos per eigenvalue solve. The same loops on 4 float32
// lanes, with planar arrays and a polynomial cosine, run 3-5× faster.
//
// Every pointer is a byte offset into the imported memory (src/segmentation/_feature-heap.ts owns
// it), every size an element count; no static data. Arrays are float32, C order (z, y, x). A
// voxel's result does not depend on its SIMD lane (the scalar tails repeat the lanes' operations in
// the same order), so a block's features equal the whole volume's.

@inline function f32at(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

@inline function put(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

/** Gaussian along x, in place: `rows` rows of `w` values; `k` the 2r+1 taps; `line` w + 2r scratch values (edges clamped). */
export function gaussX(p: usize, rows: i32, w: i32, k: usize, r: i32, line: usize): void {
  const nv = w & ~3;
  const kc = f32at(k, r);
  const vkc = f32x4.splat(kc);
  for (let row = 0; row < rows; row++) {
    const base = p + ((<usize>row * <usize>w) << 2);
    memory.copy(line + (<usize>r << 2), base, <usize>w << 2);
    const first = f32at(base, 0), last = f32at(base, w - 1);
    for (let q = 0; q < r; q++) {
      put(line, q, first);
      put(line, w + r + q, last);
    }
    let i = 0;
    for (; i < nv; i += 4) {
      const li = line + (<usize>i << 2);
      let acc = f32x4.mul(vkc, v128.load(li + (<usize>r << 2)));
      for (let t = 0; t < r; t++) {
        const kt = f32x4.splat(f32at(k, t));
        acc = f32x4.add(acc, f32x4.mul(kt, f32x4.add(v128.load(li + (<usize>t << 2)), v128.load(li + (<usize>(2 * r - t) << 2)))));
      }
      v128.store(base + (<usize>i << 2), acc);
    }
    for (; i < w; i++) {
      let acc: f32 = kc * f32at(line, i + r);
      for (let t = 0; t < r; t++) acc = acc + f32at(k, t) * (f32at(line, i + t) + f32at(line, i + 2 * r - t));
      put(base, i, acc);
    }
  }
}

/**
 * Gaussian along an outer axis, `src` to `dst`: `outer` slabs of `len` rows of `run` values (y in
 * each z-slab: run = w; z: outer 1, run = h·w). Whole rows are weighted and summed, so the lanes run
 * over contiguous memory. `rows` is room for 2r+1 row addresses.
 */
export function gaussOuter(src: usize, dst: usize, outer: i32, len: i32, run: i32, k: usize, r: i32, rows: usize): void {
  const nv = run & ~3;
  const kc = f32at(k, r);
  const vkc = f32x4.splat(kc);
  const rowBytes = <usize>run << 2;
  for (let o = 0; o < outer; o++) {
    const s0 = src + <usize>o * <usize>len * rowBytes, d0 = dst + <usize>o * <usize>len * rowBytes;
    for (let i = 0; i < len; i++) {
      for (let t = 0; t <= 2 * r; t++) {
        const j = min(len - 1, max(0, i + t - r));
        store<usize>(rows + (<usize>t << 2), s0 + <usize>j * rowBytes);
      }
      const d = d0 + <usize>i * rowBytes;
      const mid = load<usize>(rows + (<usize>r << 2));
      let x = 0;
      for (; x < nv; x += 4) {
        const xo = <usize>x << 2;
        let acc = f32x4.mul(vkc, v128.load(mid + xo));
        for (let t = 0; t < r; t++) {
          const a = load<usize>(rows + (<usize>t << 2)), b = load<usize>(rows + (<usize>(2 * r - t) << 2));
          acc = f32x4.add(acc, f32x4.mul(f32x4.splat(f32at(k, t)), f32x4.add(v128.load(a + xo), v128.load(b + xo))));
        }
        v128.store(d + xo, acc);
      }
      for (; x < run; x++) {
        let acc: f32 = kc * f32at(mid, x);
        for (let t = 0; t < r; t++) {
          const a = load<usize>(rows + (<usize>t << 2)), b = load<usize>(rows + (<usize>(2 * r - t) << 2));
          acc = acc + f32at(k, t) * (f32at(a, x) + f32at(b, x));
        }
        put(d, x, acc);
      }
    }
  }
}

/** Steps of the central difference at index i of n (clamped edges): 2 inside, 1 at a face, 0 when n is 1. */
@inline function steps(i: i32, n: i32): i32 {
  return <i32>(i > 0) + <i32>(i < n - 1);
}

/** 1 / (steps · voxel size), 0 for no step. */
@inline function diffScale(s: i32, v: f32): f32 {
  return s > 0 ? <f32>1 / (<f32>s * v) : <f32>0;
}

/**
 * ∂/∂z, ∂/∂y, ∂/∂x of `g` over the whole box (central differences, one-sided at the faces), in
 * value per µm from the voxel size (vz, vy, vx).
 */
export function gradient3(g: usize, gz: usize, gy: usize, gx: usize, d: i32, h: i32, w: i32, vz: f32, vy: f32, vx: f32): void {
  const sz = h * w;
  const nv = w & ~3;
  const fx = diffScale(steps(1, w), vx);
  const vfx = f32x4.splat(fx);
  for (let z = 0; z < d; z++) {
    const zm = z > 0 ? -sz : 0, zp = z < d - 1 ? sz : 0;
    const vfz = f32x4.splat(diffScale(steps(z, d), vz));
    for (let y = 0; y < h; y++) {
      const ym = y > 0 ? -w : 0, yp = y < h - 1 ? w : 0;
      const vfy = f32x4.splat(diffScale(steps(y, h), vy));
      const o = (z * h + y) * w;
      const gp = g + (<usize>o << 2);
      let x = 0;
      for (; x < nv; x += 4) {
        const xo = <usize>x << 2;
        const at = gp + xo;
        v128.store(gz + (<usize>o << 2) + xo, f32x4.mul(f32x4.sub(v128.load(at + (<usize>zp << 2)), v128.load(at + (<usize>zm << 2))), vfz));
        v128.store(gy + (<usize>o << 2) + xo, f32x4.mul(f32x4.sub(v128.load(at + (<usize>yp << 2)), v128.load(at + (<usize>ym << 2))), vfy));
      }
      for (; x < w; x++) {
        put(gz, o + x, (f32at(gp, x + zp) - f32at(gp, x + zm)) * f32x4.extract_lane(vfz, 0));
        put(gy, o + x, (f32at(gp, x + yp) - f32at(gp, x + ym)) * f32x4.extract_lane(vfy, 0));
      }
      // x: one-sided at both ends, central (4 lanes) between.
      if (w === 1) {
        put(gx, o, 0);
        continue;
      }
      put(gx, o, (f32at(gp, 1) - f32at(gp, 0)) / vx);
      put(gx, o + w - 1, (f32at(gp, w - 1) - f32at(gp, w - 2)) / vx);
      x = 1;
      for (; x + 4 <= w - 1; x += 4) {
        const at = gp + (<usize>x << 2);
        v128.store(gx + (<usize>(o + x) << 2), f32x4.mul(f32x4.sub(v128.load(at + 4), v128.load(at - 4)), vfx));
      }
      for (; x < w - 1; x++) put(gx, o + x, (f32at(gp, x + 1) - f32at(gp, x - 1)) * fx);
    }
  }
}

/**
 * cos(acos(r) / 3) for r in [-1, 1] from t = sqrt((1 + r) / 2): the largest root of the Chebyshev
 * cubic 4c³ - 3c = r is analytic in t on [0, 1] (at r = -1 it is a double root, a square-root
 * branch in r, smooth in t), so a degree-14 polynomial (Chebyshev fit, error 5e-13) replaces acos
 * and cos: no trigonometric call, no table, and it runs on 2 float64 lanes.
 */
@inline function cosThirdAcos(t: v128): v128 {
  let c = f64x2.splat(-2.909245138444146e-05);
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(0.00024962066354186554));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(-0.0010106334093239093));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(0.0026081962907972263));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(-0.0049379739534753065));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(0.007574739583176934));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(-0.010257093567855206));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(0.013196680952215406));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(-0.017033494926356176));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(0.022862860808380677));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(-0.03292129961180231));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(0.053458330908996904));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(-0.11111111047617761));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(0.5773502691893206));
  c = f64x2.add(f64x2.mul(c, t), f64x2.splat(0.49999999999991457));
  return c;
}

/**
 * Eigenvalues of 2 symmetric matrices [[a, b, c], [b, d, e], [c, e, f]] in closed form (Smith 1961,
 * doi:10.1145/355578.366316), ascending, stored as float32 (k lanes, 1 or 2) at o, o + plane,
 * o + 2·plane. Float64 lanes: the structure tensor is nearly singular where one gradient direction
 * dominates, and its smallest eigenvalue is a difference of large terms (float32 lanes lost 1e-3 of
 * that feature's range).
 */
function eigen2(a: v128, b: v128, c: v128, d: v128, e: v128, f: v128, o: usize, plane: usize, k: i32): void {
  const p1 = f64x2.add(f64x2.add(f64x2.mul(b, b), f64x2.mul(c, c)), f64x2.mul(e, e));
  const q = f64x2.div(f64x2.add(f64x2.add(a, d), f), f64x2.splat(3));
  const a0 = f64x2.sub(a, q), d0 = f64x2.sub(d, q), f0 = f64x2.sub(f, q);
  const p2 = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(a0, a0), f64x2.mul(d0, d0)), f64x2.mul(f0, f0)), f64x2.add(p1, p1));
  const p = f64x2.sqrt(f64x2.div(p2, f64x2.splat(6)));
  const ip = f64x2.div(f64x2.splat(1), p);
  const B00 = f64x2.mul(a0, ip), B11 = f64x2.mul(d0, ip), B22 = f64x2.mul(f0, ip);
  const B01 = f64x2.mul(b, ip), B02 = f64x2.mul(c, ip), B12 = f64x2.mul(e, ip);
  const m0 = f64x2.mul(B00, f64x2.sub(f64x2.mul(B11, B22), f64x2.mul(B12, B12)));
  const m1 = f64x2.mul(B01, f64x2.sub(f64x2.mul(B01, B22), f64x2.mul(B12, B02)));
  const m2 = f64x2.mul(B02, f64x2.sub(f64x2.mul(B01, B12), f64x2.mul(B11, B02)));
  const half = f64x2.splat(0.5), one = f64x2.splat(1), zero = f64x2.splat(0);
  const r = f64x2.min(one, f64x2.max(f64x2.neg(one), f64x2.mul(f64x2.add(f64x2.sub(m0, m1), m2), half)));
  const cp = cosThirdAcos(f64x2.sqrt(f64x2.max(zero, f64x2.mul(f64x2.add(r, one), half))));
  const sp = f64x2.sqrt(f64x2.max(zero, f64x2.sub(one, f64x2.mul(cp, cp))));
  const hi = f64x2.add(q, f64x2.mul(f64x2.add(p, p), cp));
  const lo = f64x2.sub(q, f64x2.mul(p, f64x2.add(cp, f64x2.mul(f64x2.splat(1.7320508075688772), sp))));
  const mid = f64x2.sub(f64x2.sub(f64x2.mul(f64x2.splat(3), q), hi), lo);
  // A multiple of the identity (p = 0): all three equal q.
  const flat = f64x2.le(p2, f64x2.splat(1e-30));
  storeLanes(o, v128.bitselect(q, lo, flat), k);
  storeLanes(o + plane, v128.bitselect(q, mid, flat), k);
  storeLanes(o + 2 * plane, v128.bitselect(q, hi, flat), k);
}

/** Lanes 0..k-1 (k 1 or 2) of float32 values at p as float64 lanes. */
@inline function loadLanes(p: usize, k: i32): v128 {
  return f64x2.promote_low_f32x4(k === 2 ? v128.load64_zero(p) : v128.load32_zero(p));
}

/** Float64 lanes 0..k-1 (k 1 or 2) stored as float32 at p. */
@inline function storeLanes(p: usize, v: v128, k: i32): void {
  const f = f32x4.demote_f64x2_zero(v);
  if (k === 2) v128.store64_lane(p, f, 0);
  else v128.store32_lane(p, f, 0);
}

/**
 * Eigenvalues of six planes of matrix entries (zz, zy, zx, yy, yx, xx; `plane` values apart) over a
 * box (·, th, tw) from `src`, at the voxels of the sub-box at (oz, oy, ox) of cd·ch·cw, into three
 * planes of `n` values from `out` (that sub-box's voxels in C order).
 */
export function eigenRows(src: usize, plane: i32, th: i32, tw: i32, oz: i32, oy: i32, ox: i32, cd: i32, ch: i32, cw: i32, out: usize, n: i32): void {
  const sp = <usize>plane << 2;
  const op = <usize>n << 2;
  let v = 0;
  for (let z = 0; z < cd; z++)
    for (let y = 0; y < ch; y++) {
      const row = src + (<usize>(((z + oz) * th + y + oy) * tw + ox) << 2);
      for (let x = 0; x < cw; x += 2) {
        const k = min(2, cw - x);
        const p = row + (<usize>x << 2);
        eigen2(loadLanes(p, k), loadLanes(p + sp, k), loadLanes(p + 2 * sp, k), loadLanes(p + 3 * sp, k), loadLanes(p + 4 * sp, k), loadLanes(p + 5 * sp, k), out + (<usize>v << 2), op, k);
        v += k;
      }
    }
}

/**
 * The per-scale features that need only g and its gradient, at the core voxels: smoothed value,
 * gradient magnitude and Laplacian into 3 planes of `n` values from `out`, and the Hessian's six
 * entries (zz, zy, zx, yy, yx, xx: central differences of the gradient, clamped at the box's faces)
 * into 6 planes of `n` from `hess`, for `eigenRows`. The box is d·h·w; the core starts at
 * (oz, oy, ox) in it and is cd·ch·cw.
 */
export function hessianFeatures(
  g: usize, gz: usize, gy: usize, gx: usize, d: i32, h: i32, w: i32, oz: i32, oy: i32, ox: i32, cd: i32, ch: i32, cw: i32,
  vz: f32, vy: f32, vx: f32, out: usize, hess: usize, n: i32,
): void {
  const sz = h * w;
  const plane = <usize>n << 2;
  let v = 0;
  for (let z = oz; z < oz + cd; z++) {
    const zm = z > 0 ? -sz : 0, zp = z < d - 1 ? sz : 0;
    const fz = diffScale(steps(z, d), vz);
    for (let y = oy; y < oy + ch; y++) {
      const ym = y > 0 ? -w : 0, yp = y < h - 1 ? w : 0;
      const fy = diffScale(steps(y, h), vy);
      for (let x = ox; x < ox + cw; x++, v++) {
        const xm = x > 0 ? -1 : 0, xp = x < w - 1 ? 1 : 0;
        const fx = diffScale(steps(x, w), vx);
        const r = (z * h + y) * w + x;
        const dz = f32at(gz, r), dy = f32at(gy, r), dx = f32at(gx, r);
        const hzz = (f32at(gz, r + zp) - f32at(gz, r + zm)) * fz;
        const hyy = (f32at(gy, r + yp) - f32at(gy, r + ym)) * fy;
        const hxx = (f32at(gx, r + xp) - f32at(gx, r + xm)) * fx;
        put(out, v, f32at(g, r));
        put(out + plane, v, Mathf.sqrt(dz * dz + dy * dy + dx * dx));
        put(out + 2 * plane, v, hzz + hyy + hxx);
        put(hess, v, hzz);
        put(hess + plane, v, (f32at(gz, r + yp) - f32at(gz, r + ym)) * fy);
        put(hess + 2 * plane, v, (f32at(gz, r + xp) - f32at(gz, r + xm)) * fx);
        put(hess + 3 * plane, v, hyy);
        put(hess + 4 * plane, v, (f32at(gy, r + xp) - f32at(gy, r + xm)) * fx);
        put(hess + 5 * plane, v, hxx);
      }
    }
  }
}

/**
 * The structure tensor's six products (zz, zy, zx, yy, yx, xx) over the box td·th·tw that starts at
 * (sz0, sy0, sx0) inside the gradient's box d·h·w, into six planes of td·th·tw values from `t`.
 */
export function tensorProducts(gz: usize, gy: usize, gx: usize, h: i32, w: i32, sz0: i32, sy0: i32, sx0: i32, td: i32, th: i32, tw: i32, t: usize): void {
  const plane = (<usize>td * <usize>th * <usize>tw) << 2;
  const nv = tw & ~3;
  for (let z = 0; z < td; z++)
    for (let y = 0; y < th; y++) {
      const src = <usize>(((z + sz0) * h + y + sy0) * w + sx0) << 2;
      const dst = t + (<usize>((z * th + y) * tw) << 2);
      let x = 0;
      for (; x < nv; x += 4) {
        const xo = <usize>x << 2;
        const a = v128.load(gz + src + xo), b = v128.load(gy + src + xo), c = v128.load(gx + src + xo);
        v128.store(dst + xo, f32x4.mul(a, a));
        v128.store(dst + plane + xo, f32x4.mul(a, b));
        v128.store(dst + 2 * plane + xo, f32x4.mul(a, c));
        v128.store(dst + 3 * plane + xo, f32x4.mul(b, b));
        v128.store(dst + 4 * plane + xo, f32x4.mul(b, c));
        v128.store(dst + 5 * plane + xo, f32x4.mul(c, c));
      }
      for (; x < tw; x++) {
        const xo = <usize>x << 2;
        const a = load<f32>(gz + src + xo), b = load<f32>(gy + src + xo), c = load<f32>(gx + src + xo);
        store<f32>(dst + xo, a * a);
        store<f32>(dst + plane + xo, a * b);
        store<f32>(dst + 2 * plane + xo, a * c);
        store<f32>(dst + 3 * plane + xo, b * b);
        store<f32>(dst + 4 * plane + xo, b * c);
        store<f32>(dst + 5 * plane + xo, c * c);
      }
    }
}

/** One step down a tree for the voxel whose first feature is at `xv`: right when not x ≤ threshold. */
@inline function step(nodes: usize, node: usize, xv: usize): usize {
  return nodes + <usize>load<i32>(node, 8) + (<usize>!(load<f32>(xv + <usize>load<i32>(node)) <= load<f32>(node, 4)) << 4);
}

/**
 * Probability of class 1 for `n` voxels of feature-major features (`x`: plane f at byte f·n·4), by a
 * forest of `count` trees: `trees` holds (root byte offset, depth) per tree, `nodes` 16 bytes per
 * node (feature plane's byte offset i32, threshold f32, left child's byte offset i32, leaf value f32;
 * a leaf's threshold is NaN and its left child itself minus one node, so every step stays on it).
 *
 * Why branch-free and by fixed depth: the trees grown on a few thousand labels are shallow (most
 * voxels leave after 2-3 splits), so the branchy walk spent most of its time in mispredicted exits
 * (≈ 5 ns per node); `depth` unconditional steps of four voxels side by side cost ≈ 3× less.
 */
export function predictForest(x: usize, n: i32, nodes: usize, trees: usize, count: i32, out: usize): void {
  let v = 0;
  for (; v + 4 <= n; v += 4) {
    const xa = x + (<usize>v << 2), xb = xa + 4, xc = xa + 8, xd = xa + 12;
    let sa: f64 = 0, sb: f64 = 0, sc: f64 = 0, sd: f64 = 0;
    for (let t = 0; t < count; t++) {
      const root = nodes + <usize>load<i32>(trees + (<usize>t << 3));
      const depth = load<i32>(trees + (<usize>t << 3), 4);
      let a = root, b = root, c = root, d = root;
      for (let k = 0; k < depth; k++) {
        a = step(nodes, a, xa);
        b = step(nodes, b, xb);
        c = step(nodes, c, xc);
        d = step(nodes, d, xd);
      }
      sa += <f64>load<f32>(a, 12);
      sb += <f64>load<f32>(b, 12);
      sc += <f64>load<f32>(c, 12);
      sd += <f64>load<f32>(d, 12);
    }
    const o = out + (<usize>v << 2);
    store<f32>(o, <f32>(sa / count));
    store<f32>(o, <f32>(sb / count), 4);
    store<f32>(o, <f32>(sc / count), 8);
    store<f32>(o, <f32>(sd / count), 12);
  }
  for (; v < n; v++) {
    const xv = x + (<usize>v << 2);
    let s: f64 = 0;
    for (let t = 0; t < count; t++) {
      let a = nodes + <usize>load<i32>(trees + (<usize>t << 3));
      const depth = load<i32>(trees + (<usize>t << 3), 4);
      for (let k = 0; k < depth; k++) a = step(nodes, a, xv);
      s += <f64>load<f32>(a, 12);
    }
    store<f32>(out + (<usize>v << 2), <f32>(s / count));
  }
}
