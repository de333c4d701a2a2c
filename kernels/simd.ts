// WebAssembly SIMD kernels for the training step, written in AssemblyScript (npm run build:kernels).
//
// They run on tfjs-backend-wasm's own memory (imported, never grown, no data segment, no allocator):
// every argument is a byte offset of a tensor tfjs allocated, so no tensor is copied in or out.
// All tensors are float32, NHWC, stride 1; `c` is the channel count (any value: 4-lane blocks plus
// a scalar tail). The JS side (src/engine/kernels/wasmKernels.ts) registers them as tfjs kernels.

/**
 * y[b,y,x,c] = Σ_{i,j} x[b, y+i·d−pt, x+j·d−pl, c] · w[i,j,c]  (w flipped in both axes if flip ≠ 0).
 * Each output vector is summed in a register over its taps and stored once; where all horizontal taps
 * of four neighbouring pixels lie inside the row, the four share each weight load, and all channel
 * vectors of those pixels are done before moving on (their input stays in cache). The additions run in
 * tap order (i, then j) from +0, skipping taps outside the image, as a tap-by-tap pass over whole rows
 * does: the sums are bitwise the same. Channels past the last multiple of 4 go tap by tap along rows.
 */
export function depthwise(
  x: usize,
  w: usize,
  y: usize,
  n: i32,
  h: i32,
  wd: i32,
  c: i32,
  k: i32,
  d: i32,
  pt: i32,
  pl: i32,
  flip: i32,
): void {
  const c4 = c & ~3;
  const px = (<usize>c) << 2;
  const row = <usize>wd * px;
  const dpx = <usize>d * px;
  // Along a weight row in tap order: forwards, or backwards when flipped.
  const wStep: isize = flip ? -(<isize>px) : <isize>px;
  // Pixels [lo, hi) have every horizontal tap inside the row; they go four at a time up to `blocks`.
  const lo = min(pl, wd);
  const hi = max(lo, min(wd, wd - ((k - 1) * d - pl)));
  const blocks = lo + ((hi - lo) & ~3);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < h; oy++) {
      const outRow = y + <usize>(b * h + oy) * row;
      const i0 = oy >= pt ? 0 : (pt - oy + d - 1) / d;
      const i1 = min(k, (h - 1 - oy + pt) / d + 1);
      const xRow0 = x + <usize>((b * h + oy + i0 * d - pt) * wd) * px;
      const wRow0 = w + <usize>((flip ? k - 1 - i0 : i0) * k + (flip ? k - 1 : 0)) * px;
      const wRowStep: isize = flip ? -(<isize>(<usize>k * px)) : <isize>(<usize>k * px);
      for (let ox = lo; ox < blocks; ox += 4)
        for (let cb = 0; cb < c4; cb += 4) {
          const co = (<usize>cb) << 2;
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          let a2 = f32x4.splat(0);
          let a3 = f32x4.splat(0);
          let xr = xRow0 + <usize>(ox - pl) * px + co;
          let wr = wRow0 + co;
          for (let i = i0; i < i1; i++) {
            let xp = xr;
            let wp = wr;
            for (let j = 0; j < k; j++) {
              const wv = v128.load(wp);
              a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), wv));
              a1 = f32x4.add(a1, f32x4.mul(v128.load(xp + px), wv));
              a2 = f32x4.add(a2, f32x4.mul(v128.load(xp + 2 * px), wv));
              a3 = f32x4.add(a3, f32x4.mul(v128.load(xp + 3 * px), wv));
              xp += dpx;
              wp = <usize>(<isize>wp + wStep);
            }
            xr += <usize>d * row;
            wr = <usize>(<isize>wr + wRowStep);
          }
          const op = outRow + <usize>ox * px + co;
          v128.store(op, a0);
          v128.store(op + px, a1);
          v128.store(op + 2 * px, a2);
          v128.store(op + 3 * px, a3);
        }
      // The other pixels one at a time, two channel vectors at once where there are two (two sums in flight).
      for (let ox = 0; ox < wd; ox++) {
        if (ox === lo) ox = blocks;
        if (ox >= wd) break;
        const j0 = ox >= pl ? 0 : (pl - ox + d - 1) / d;
        const j1 = min(k, (wd - 1 - ox + pl) / d + 1);
        const xs = xRow0 + <usize>(ox + j0 * d - pl) * px;
        const ws = <usize>(<isize>wRow0 + <isize>j0 * wStep);
        for (let cb = 0; cb < c4; cb += 8) {
          const co = (<usize>cb) << 2;
          const pair = cb + 4 < c4;
          let a = f32x4.splat(0);
          let a2 = f32x4.splat(0);
          let xr = xs + co;
          let wr = ws + co;
          for (let i = i0; i < i1; i++) {
            let xp = xr;
            let wp = wr;
            if (pair)
              for (let j = j0; j < j1; j++) {
                a = f32x4.add(a, f32x4.mul(v128.load(xp), v128.load(wp)));
                a2 = f32x4.add(a2, f32x4.mul(v128.load(xp + 16), v128.load(wp + 16)));
                xp += dpx;
                wp = <usize>(<isize>wp + wStep);
              }
            else
              for (let j = j0; j < j1; j++) {
                a = f32x4.add(a, f32x4.mul(v128.load(xp), v128.load(wp)));
                xp += dpx;
                wp = <usize>(<isize>wp + wStep);
              }
            xr += <usize>d * row;
            wr = <usize>(<isize>wr + wRowStep);
          }
          const op = outRow + <usize>ox * px + co;
          v128.store(op, a);
          if (pair) v128.store(op + 16, a2);
        }
      }
      if (c4 === c) continue;
      for (let ox = 0; ox < wd; ox++)
        for (let ch = c4; ch < c; ch++) store<f32>(outRow + <usize>ox * px + ((<usize>ch) << 2), 0);
      for (let i = i0; i < i1; i++) {
        const xRow = x + <usize>(b * h + oy + i * d - pt) * row;
        const wi = flip ? k - 1 - i : i;
        for (let j = 0; j < k; j++) {
          const shift = j * d - pl;
          const ox0 = max(0, -shift);
          const ox1 = min(wd, wd - shift);
          const wTap = w + ((<usize>((wi * k + (flip ? k - 1 - j : j)) * c)) << 2);
          for (let ch = c4; ch < c; ch++) {
            const wv = load<f32>(wTap + ((<usize>ch) << 2));
            let op = outRow + <usize>ox0 * px + ((<usize>ch) << 2);
            let xp = xRow + <usize>(ox0 + shift) * px + ((<usize>ch) << 2);
            for (let ox = ox0; ox < ox1; ox++) {
              store<f32>(op, load<f32>(op) + load<f32>(xp) * wv);
              op += px;
              xp += px;
            }
          }
        }
      }
    }
}

/** dw[i,j,c] = Σ_{b,y,x} x[b, y+i·d−pt, x+j·d−pl, c] · dy[b,y,x,c]. */
export function depthwiseFilterGrad(
  x: usize,
  dy: usize,
  dw: usize,
  n: i32,
  h: i32,
  wd: i32,
  c: i32,
  k: i32,
  d: i32,
  pt: i32,
  pl: i32,
): void {
  const c4 = c & ~3;
  const px = (<usize>c) << 2;
  for (let i = 0; i < k; i++) {
    const oy0 = max(0, pt - i * d);
    const oy1 = min(h, h + pt - i * d);
    for (let j = 0; j < k; j++) {
      const ox0 = max(0, pl - j * d);
      const ox1 = min(wd, wd + pl - j * d);
      const outp = dw + ((<usize>((i * k + j) * c)) << 2);
      for (let cb = 0; cb < c4; cb += 4) {
        let acc = f32x4.splat(0);
        for (let b = 0; b < n; b++)
          for (let oy = oy0; oy < oy1; oy++) {
            const iy = oy + i * d - pt;
            let xp = x + <usize>((b * h + iy) * wd + ox0 + j * d - pl) * px + ((<usize>cb) << 2);
            let gp = dy + <usize>((b * h + oy) * wd + ox0) * px + ((<usize>cb) << 2);
            for (let ox = ox0; ox < ox1; ox++) {
              acc = f32x4.add(acc, f32x4.mul(v128.load(xp), v128.load(gp)));
              xp += px;
              gp += px;
            }
          }
        v128.store(outp + ((<usize>cb) << 2), acc);
      }
      for (let ch = c4; ch < c; ch++) {
        let s: f32 = 0;
        for (let b = 0; b < n; b++)
          for (let oy = oy0; oy < oy1; oy++)
            for (let ox = ox0; ox < ox1; ox++)
              s +=
                load<f32>(x + ((<usize>(((b * h + oy + i * d - pt) * wd + ox + j * d - pl) * c + ch)) << 2)) *
                load<f32>(dy + ((<usize>(((b * h + oy) * wd + ox) * c + ch)) << 2));
        store<f32>(outp + ((<usize>ch) << 2), s);
      }
    }
  }
}

/**
 * Column sums of an [m, c] matrix (and of the product of two, if b ≠ 0): outA[c] = Σ a, outB[c] = Σ a·b. With
 * `mask` (≠ 0), a is first multiplied by step(mask), ReLU's gradient as reluGrad computes it: the sums of a
 * BN's output gradient when a ReLU follows the BN (mask = the ReLU's output).
 */
export function colSums(a: usize, b: usize, m: i32, c: i32, outA: usize, outB: usize, mask: usize): void {
  const c4 = c & ~3;
  memory.fill(outA, 0, (<usize>c) << 2);
  if (b) memory.fill(outB, 0, (<usize>c) << 2);
  const stride = (<usize>c) << 2;
  for (let r = 0; r < m; r++) {
    const ap = a + <usize>r * stride;
    const bp = b + <usize>r * stride;
    const mp = mask + <usize>r * stride;
    for (let cb = 0; cb < c4; cb += 4) {
      const o = (<usize>cb) << 2;
      let va = v128.load(ap + o);
      if (mask) va = f32x4.mul(va, step4(v128.load(mp + o)));
      v128.store(outA + o, f32x4.add(v128.load(outA + o), va));
      if (b) v128.store(outB + o, f32x4.add(v128.load(outB + o), f32x4.mul(va, v128.load(bp + o))));
    }
    for (let ch = c4; ch < c; ch++) {
      const o = (<usize>ch) << 2;
      let va = load<f32>(ap + o);
      if (mask) va *= step1(load<f32>(mp + o));
      store<f32>(outA + o, load<f32>(outA + o) + va);
      if (b) store<f32>(outB + o, load<f32>(outB + o) + va * load<f32>(bp + o));
    }
  }
}

/** ReLU's derivative as tfjs computes it: 1 (x > 0), 0 (x ≤ 0), NaN (x NaN: a diverging run stays so). */
function step4(x: v128): v128 {
  const one = v128.bitselect(f32x4.splat(1), f32x4.splat(0), f32x4.gt(x, f32x4.splat(0)));
  return v128.or(one, v128.and(x, f32x4.ne(x, x)));
}

function step1(x: f32): f32 {
  return x > 0 ? 1 : x != x ? x : 0;
}

/** Batch mean and biased variance per channel of an [m, c] matrix (two passes). */
export function moments(x: usize, m: i32, c: i32, mean: usize, variance: usize): void {
  colSums(x, 0, m, c, mean, 0, 0);
  const inv: f32 = 1 / <f32>m;
  for (let ch = 0; ch < c; ch++) store<f32>(mean + ((<usize>ch) << 2), load<f32>(mean + ((<usize>ch) << 2)) * inv);
  const c4 = c & ~3;
  memory.fill(variance, 0, (<usize>c) << 2);
  const stride = (<usize>c) << 2;
  for (let r = 0; r < m; r++) {
    const xp = x + <usize>r * stride;
    for (let cb = 0; cb < c4; cb += 4) {
      const o = (<usize>cb) << 2;
      const dv = f32x4.sub(v128.load(xp + o), v128.load(mean + o));
      v128.store(variance + o, f32x4.add(v128.load(variance + o), f32x4.mul(dv, dv)));
    }
    for (let ch = c4; ch < c; ch++) {
      const o = (<usize>ch) << 2;
      const dv = load<f32>(xp + o) - load<f32>(mean + o);
      store<f32>(variance + o, load<f32>(variance + o) + dv * dv);
    }
  }
  for (let ch = 0; ch < c; ch++)
    store<f32>(variance + ((<usize>ch) << 2), load<f32>(variance + ((<usize>ch) << 2)) * inv);
}

/** y[r,c] = x[r,c]·a[c] + b[c]  (b may be 0 for none); with `relu`, max(y, 0) as tf.relu (NaN stays NaN). */
export function affine(x: usize, a: usize, b: usize, y: usize, m: i32, c: i32, relu: i32): void {
  const c4 = c & ~3;
  const stride = (<usize>c) << 2;
  const zero = f32x4.splat(0);
  for (let r = 0; r < m; r++) {
    const xp = x + <usize>r * stride;
    const yp = y + <usize>r * stride;
    for (let cb = 0; cb < c4; cb += 4) {
      const o = (<usize>cb) << 2;
      let v = f32x4.mul(v128.load(xp + o), v128.load(a + o));
      if (b) v = f32x4.add(v, v128.load(b + o));
      if (relu) v = f32x4.max(v, zero);
      v128.store(yp + o, v);
    }
    for (let ch = c4; ch < c; ch++) {
      const o = (<usize>ch) << 2;
      const v = load<f32>(xp + o) * load<f32>(a + o) + (b ? load<f32>(b + o) : 0);
      store<f32>(yp + o, relu ? max<f32>(v, 0) : v);
    }
  }
}

/**
 * BN input gradient: dx = k[c]·(g − sdy[c]/m − xhat·sdx[c]/m) with g = dy, or with `mask` (≠ 0) g = dy·step(mask):
 * through the ReLU that follows the BN (colSums with the same mask gives sdy and sdx).
 */
export function bnInputGrad(
  dy: usize,
  xhat: usize,
  k: usize,
  sdy: usize,
  sdx: usize,
  dx: usize,
  m: i32,
  c: i32,
  mask: usize,
): void {
  const c4 = c & ~3;
  const inv: f32 = 1 / <f32>m;
  const vinv = f32x4.splat(inv);
  const stride = (<usize>c) << 2;
  for (let r = 0; r < m; r++) {
    const g = dy + <usize>r * stride;
    const mp = mask + <usize>r * stride;
    const xh = xhat + <usize>r * stride;
    const o = dx + <usize>r * stride;
    for (let cb = 0; cb < c4; cb += 4) {
      const q = (<usize>cb) << 2;
      let gv = v128.load(g + q);
      if (mask) gv = f32x4.mul(gv, step4(v128.load(mp + q)));
      const t = f32x4.sub(
        f32x4.sub(gv, f32x4.mul(v128.load(sdy + q), vinv)),
        f32x4.mul(v128.load(xh + q), f32x4.mul(v128.load(sdx + q), vinv)),
      );
      v128.store(o + q, f32x4.mul(v128.load(k + q), t));
    }
    for (let ch = c4; ch < c; ch++) {
      const q = (<usize>ch) << 2;
      let gs = load<f32>(g + q);
      if (mask) gs *= step1(load<f32>(mp + q));
      const t = gs - load<f32>(sdy + q) * inv - load<f32>(xh + q) * load<f32>(sdx + q) * inv;
      store<f32>(o + q, load<f32>(k + q) * t);
    }
  }
}

/**
 * 3×3 max-pool gradient, stride 1, 'same', padding never wins: dy goes to the first maximum of each window (row-
 * major).
 */
export function maxPoolGrad(x: usize, dy: usize, dx: usize, n: i32, h: i32, wd: i32, c: i32): void {
  memory.fill(dx, 0, (<usize>(n * h * wd * c)) << 2);
  const c4 = c & ~3;
  const px = (<usize>c) << 2;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < h; oy++)
      for (let ox = 0; ox < wd; ox++) {
        const center = <usize>((b * h + oy) * wd + ox) * px;
        for (let cb = 0; cb < c4; cb += 4) {
          const q = (<usize>cb) << 2;
          let best = f32x4.splat(-Infinity);
          let arg = i32x4.splat(-1);
          for (let t = 0; t < 9; t++) {
            const iy = oy + t / 3 - 1;
            const ix = ox + (t % 3) - 1;
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
            const v = v128.load(x + <usize>((b * h + iy) * wd + ix) * px + q);
            // Strictly greater (or the first valid tap): the first maximum wins, NaN never does.
            const take = v128.or(f32x4.gt(v, best), i32x4.eq(arg, i32x4.splat(-1)));
            best = v128.bitselect(v, best, take);
            arg = v128.bitselect(i32x4.splat(t), arg, take);
          }
          const g = v128.load(dy + center + q);
          for (let t = 0; t < 9; t++) {
            const iy = oy + t / 3 - 1;
            const ix = ox + (t % 3) - 1;
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
            const p = dx + <usize>((b * h + iy) * wd + ix) * px + q;
            v128.store(p, f32x4.add(v128.load(p), v128.and(g, i32x4.eq(arg, i32x4.splat(t)))));
          }
        }
        for (let ch = c4; ch < c; ch++) {
          const q = (<usize>ch) << 2;
          let best: f32 = -Infinity;
          let arg = -1;
          for (let t = 0; t < 9; t++) {
            const iy = oy + t / 3 - 1;
            const ix = ox + (t % 3) - 1;
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
            const v = load<f32>(x + <usize>((b * h + iy) * wd + ix) * px + q);
            if (arg < 0 || v > best) {
              best = v;
              arg = t;
            }
          }
          const p = dx + <usize>((b * h + oy + arg / 3 - 1) * wd + ox + (arg % 3) - 1) * px + q;
          store<f32>(p, load<f32>(p) + load<f32>(dy + center + q));
        }
      }
}

/** out[b,c] = mean over the h·w pixels of x[b,·,·,c]. */
export function spatialMean(x: usize, out: usize, n: i32, hw: i32, c: i32): void {
  const c4 = c & ~3;
  const px = (<usize>c) << 2;
  const inv = f32x4.splat(1 / <f32>hw);
  for (let b = 0; b < n; b++) {
    const o = out + ((<usize>(b * c)) << 2);
    const xb = x + <usize>(b * hw) * px;
    for (let cb = 0; cb < c4; cb += 4) {
      const q = (<usize>cb) << 2;
      let acc = f32x4.splat(0);
      for (let p = 0; p < hw; p++) acc = f32x4.add(acc, v128.load(xb + <usize>p * px + q));
      v128.store(o + q, f32x4.mul(acc, inv));
    }
    for (let ch = c4; ch < c; ch++) {
      let s: f32 = 0;
      for (let p = 0; p < hw; p++) s += load<f32>(xb + <usize>p * px + ((<usize>ch) << 2));
      store<f32>(o + ((<usize>ch) << 2), s / <f32>hw);
    }
  }
}

/** The 8 → 8 case (the classroom width), with all 16 weight vectors held in registers. */
function pointwise8(x: usize, w: usize, y: usize, m: i32, sa: usize, sb: usize, relu: i32): void {
  const w00 = v128.load(w),
    w01 = v128.load(w + 16),
    w10 = v128.load(w + 32),
    w11 = v128.load(w + 48);
  const w20 = v128.load(w + 64),
    w21 = v128.load(w + 80),
    w30 = v128.load(w + 96),
    w31 = v128.load(w + 112);
  const w40 = v128.load(w + 128),
    w41 = v128.load(w + 144),
    w50 = v128.load(w + 160),
    w51 = v128.load(w + 176);
  const w60 = v128.load(w + 192),
    w61 = v128.load(w + 208),
    w70 = v128.load(w + 224),
    w71 = v128.load(w + 240);
  for (let r = 0; r < m; r++) {
    const xp = x + ((<usize>r) << 5);
    const a = v128.load(xp);
    const b = v128.load(xp + 16);
    let s0 = f32x4.mul(v128.swizzle(a, i8x16(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3)), w00);
    let s1 = f32x4.mul(v128.swizzle(a, i8x16(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3)), w01);
    let v = v128.swizzle(a, i8x16(4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7));
    s0 = f32x4.add(s0, f32x4.mul(v, w10));
    s1 = f32x4.add(s1, f32x4.mul(v, w11));
    v = v128.swizzle(a, i8x16(8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11));
    s0 = f32x4.add(s0, f32x4.mul(v, w20));
    s1 = f32x4.add(s1, f32x4.mul(v, w21));
    v = v128.swizzle(a, i8x16(12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15));
    s0 = f32x4.add(s0, f32x4.mul(v, w30));
    s1 = f32x4.add(s1, f32x4.mul(v, w31));
    v = v128.swizzle(b, i8x16(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3));
    s0 = f32x4.add(s0, f32x4.mul(v, w40));
    s1 = f32x4.add(s1, f32x4.mul(v, w41));
    v = v128.swizzle(b, i8x16(4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7));
    s0 = f32x4.add(s0, f32x4.mul(v, w50));
    s1 = f32x4.add(s1, f32x4.mul(v, w51));
    v = v128.swizzle(b, i8x16(8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11));
    s0 = f32x4.add(s0, f32x4.mul(v, w60));
    s1 = f32x4.add(s1, f32x4.mul(v, w61));
    v = v128.swizzle(b, i8x16(12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15));
    s0 = f32x4.add(s0, f32x4.mul(v, w70));
    s1 = f32x4.add(s1, f32x4.mul(v, w71));
    if (sa) {
      s0 = f32x4.mul(s0, v128.load(sa));
      s1 = f32x4.mul(s1, v128.load(sa + 16));
      if (sb) {
        s0 = f32x4.add(s0, v128.load(sb));
        s1 = f32x4.add(s1, v128.load(sb + 16));
      }
    }
    if (relu) {
      s0 = f32x4.max(s0, f32x4.splat(0));
      s1 = f32x4.max(s1, f32x4.splat(0));
    }
    const yp = y + ((<usize>r) << 5);
    v128.store(yp, s0);
    v128.store(yp + 16, s1);
  }
}

/** w [o, i] → its transpose [i, o], into `out` (8×8 only: 64 floats). */
function transpose8(w: usize, out: usize): void {
  for (let i = 0; i < 8; i++)
    for (let o = 0; o < 8; o++)
      store<f32>(out + ((<usize>(i * 8 + o)) << 2), load<f32>(w + ((<usize>(o * 8 + i)) << 2)));
}

/** v·a[o..o+3] + b[o..o+3] (each if given), then max(·, 0) with `relu`: evaluation-mode BN as affine() computes it. */
function scaleShift(v: v128, sa: usize, sb: usize, o: i32, relu: i32): v128 {
  let r = v;
  if (sa) {
    r = f32x4.mul(r, v128.load(sa + ((<usize>o) << 2)));
    if (sb) r = f32x4.add(r, v128.load(sb + ((<usize>o) << 2)));
  }
  return relu ? f32x4.max(r, f32x4.splat(0)) : r;
}

/**
 * y[r, o] = Σ_i x[r, i] · w[i, o]  (with transposeW: w is [o, i] and used as its transpose; `scratch`: ci·co
 * floats for it), then ·a[o] + b[o] where given (sa, sb ≠ 0): evaluation-mode BN in the same pass, and with
 * `relu` the ReLU that follows it.
 */
export function pointwise(
  x: usize,
  w: usize,
  y: usize,
  m: i32,
  ci: i32,
  co: i32,
  transposeW: i32,
  scratch: usize,
  sa: usize,
  sb: usize,
  relu: i32,
): void {
  if (ci == 8 && co == 8) {
    if (transposeW) {
      transpose8(w, scratch);
      pointwise8(x, scratch, y, m, sa, sb, relu);
    } else pointwise8(x, w, y, m, sa, sb, relu);
    return;
  }
  // A transposed weight ([co, ci]) is first copied into [ci, co] order, so every case reads rows of w.
  if (transposeW) {
    for (let o = 0; o < co; o++)
      for (let i = 0; i < ci; i++)
        store<f32>(scratch + ((<usize>(i * co + o)) << 2), load<f32>(w + ((<usize>(o * ci + i)) << 2)));
    w = scratch;
  }
  const co4 = co & ~3;
  const co16 = co & ~15;
  const xs = (<usize>ci) << 2;
  const ys = (<usize>co) << 2;
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * xs;
    const yr = y + <usize>r * ys;
    // 16 outputs at a time: one splat of x[r, i] feeds four accumulators (the sums keep their order over i).
    for (let ob = 0; ob < co16; ob += 16) {
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      for (let i = 0; i < ci; i++) {
        const xv = f32x4.splat(load<f32>(xr + ((<usize>i) << 2)));
        const wp = w + ((<usize>(i * co + ob)) << 2);
        a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(wp)));
        a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(wp + 16)));
        a2 = f32x4.add(a2, f32x4.mul(xv, v128.load(wp + 32)));
        a3 = f32x4.add(a3, f32x4.mul(xv, v128.load(wp + 48)));
      }
      const yp = yr + ((<usize>ob) << 2);
      v128.store(yp, scaleShift(a0, sa, sb, ob, relu));
      v128.store(yp + 16, scaleShift(a1, sa, sb, ob + 4, relu));
      v128.store(yp + 32, scaleShift(a2, sa, sb, ob + 8, relu));
      v128.store(yp + 48, scaleShift(a3, sa, sb, ob + 12, relu));
    }
    for (let ob = co16; ob < co4; ob += 4) {
      let acc = f32x4.splat(0);
      for (let i = 0; i < ci; i++) {
        const xv = f32x4.splat(load<f32>(xr + ((<usize>i) << 2)));
        acc = f32x4.add(acc, f32x4.mul(xv, v128.load(w + ((<usize>(i * co + ob)) << 2))));
      }
      v128.store(yr + ((<usize>ob) << 2), scaleShift(acc, sa, sb, ob, relu));
    }
    for (let o = co4; o < co; o++) {
      let s: f32 = 0;
      for (let i = 0; i < ci; i++) s += load<f32>(xr + ((<usize>i) << 2)) * load<f32>(w + ((<usize>(i * co + o)) << 2));
      if (sa) {
        s *= load<f32>(sa + ((<usize>o) << 2));
        if (sb) s += load<f32>(sb + ((<usize>o) << 2));
      }
      store<f32>(yr + ((<usize>o) << 2), relu ? max<f32>(s, 0) : s);
    }
  }
}

/** dw[i, o] = Σ_r x[r, i] · dy[r, o]. */
export function pointwiseFilterGrad(x: usize, dy: usize, dw: usize, m: i32, ci: i32, co: i32): void {
  const co4 = co & ~3;
  memory.fill(dw, 0, (<usize>(ci * co)) << 2);
  const xs = (<usize>ci) << 2;
  const ys = (<usize>co) << 2;
  for (let r = 0; r < m; r++) {
    const xr = x + <usize>r * xs;
    const gr = dy + <usize>r * ys;
    for (let i = 0; i < ci; i++) {
      const xi = load<f32>(xr + ((<usize>i) << 2));
      const xv = f32x4.splat(xi);
      const dwr = dw + ((<usize>(i * co)) << 2);
      for (let ob = 0; ob < co4; ob += 4) {
        const q = (<usize>ob) << 2;
        v128.store(dwr + q, f32x4.add(v128.load(dwr + q), f32x4.mul(xv, v128.load(gr + q))));
      }
      for (let o = co4; o < co; o++)
        store<f32>(
          dwr + ((<usize>o) << 2),
          load<f32>(dwr + ((<usize>o) << 2)) + xi * load<f32>(gr + ((<usize>o) << 2)),
        );
    }
  }
}

/** One SGD-with-momentum step of a weight: g' = g + wd·w; m' = mom·m + g' (m = 0 if absent); w' = w − lr·m'. */
export function sgd(
  w: usize,
  g: usize,
  m: usize,
  wOut: usize,
  mOut: usize,
  size: i32,
  lr: f32,
  mom: f32,
  wd: f32,
): void {
  for (let i = 0; i < size; i++) {
    const q = (<usize>i) << 2;
    const wi = load<f32>(w + q);
    const gi = load<f32>(g + q) + wd * wi;
    const mi = (m ? load<f32>(m + q) * mom : 0) + gi;
    store<f32>(mOut + q, mi);
    store<f32>(wOut + q, wi - lr * mi);
  }
}

/**
 * ReLU gradient exactly as tfjs computes it, dy·step(x) with step = 1 (x > 0), 0 (x ≤ 0), NaN (x NaN), in one
 * pass instead of Step, Cast and Multiply. The NaN keeps a diverging run diverging (its loss becomes NaN).
 */
export function reluGrad(x: usize, dy: usize, dx: usize, size: i32): void {
  const n4 = size & ~3;
  for (let i = 0; i < n4; i += 4) {
    const q = (<usize>i) << 2;
    v128.store(dx + q, f32x4.mul(v128.load(dy + q), step4(v128.load(x + q))));
  }
  for (let i = n4; i < size; i++) {
    const q = (<usize>i) << 2;
    store<f32>(dx + q, load<f32>(dy + q) * step1(load<f32>(x + q)));
  }
}
