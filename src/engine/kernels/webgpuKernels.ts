// Our WGSL kernels, registered into tfjs-backend-webgpu's kernel registry under the same names and
// semantics as the wasm SIMD kernels (wasmKernels.ts), so gradients.ts calls one set of kernels on
// both backends. They replace what is slow in stock tfjs-webgpu for our step: the conv, depthwise and
// pointwise filter gradients (a split-K product in registers instead of a conv with a 32×32 kernel or
// a matMul over 65k rows), the max-pool gradient (argmax per window, then a gather; no argMax/ScatterNd),
// batch-norm statistics and its input gradient (a reduction per channel and one elementwise pass
// instead of matMuls with ones and broadcasts), ReLU's gradient and the SGD update (one pass each).
// Nothing is read back to the CPU. Pure tfjs: the backend object is used through runWebGPUProgram
// and disposeData only.
import * as tf from '@tensorflow/tfjs';

type Attrs = Record<string, number>;
type Uniform = { type: 'int32' | 'float32'; data: number[] };

/** The part of tfjs-backend-webgpu's program interface (webgpu_program.ts) our programs fill in. */
interface Program {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms?: string;
  /** 4: the output and every input are read and written as vec4<f32> (sizes divisible by 4). */
  outputComponent?: number;
  variableComponents?: number[];
  getUserCode(): string;
}
interface WebGPUBackend {
  runWebGPUProgram(p: Program, inputs: tf.TensorInfo[], dtype: 'float32', uniforms?: Uniform[]): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

const FLAT_WG = 64;
const REDUCE_WG = 256;
const int = (...data: number[]): Uniform[] => data.map((v) => ({ type: 'int32', data: [v] }));
const sizeOf = (shape: number[]) => shape.reduce((p, q) => p * q, 1);

/**
 * One thread per output element (`vec4`: per 4 consecutive elements, inputs read as vec4 too):
 * `body` sets `value` from `index` and the inputs.
 */
function flat(
  key: string,
  inputs: string[],
  outputShape: number[],
  body: string,
  uniforms = '',
  vec4 = false,
): Program {
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `sp_${key}${vec4 ? '_vec4' : ''}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(sizeOf(outputShape) / (vec4 ? 4 : 1) / FLAT_WG), 1, 1],
    workgroupSize: [FLAT_WG, 1, 1],
    size: true,
    uniforms,
    ...(vec4 ? { outputComponent: 4, variableComponents: inputs.map(() => 4) } : {}),
    getUserCode: () => `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        var value = ${vec4 ? 'vec4<f32>(0.0)' : '0.0'};
        ${body}
        setOutputAtIndex(index, value);
      }`,
  };
}

/**
 * One workgroup per output element: `setup` derives per-output constants from `o`, `term` adds the
 * p-th of `count` terms to `acc`; the workgroup then sums its threads' partial sums in shared memory.
 * (The loop bound is per thread, as in tfjs's own ReduceProgram; the barriers stay in uniform control flow.)
 */
function reduce(
  key: string,
  inputs: string[],
  outputShape: number[],
  count: string,
  setup: string,
  term: string,
  scale: string,
): Program {
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `sp_${key}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [sizeOf(outputShape), 1, 1],
    workgroupSize: [REDUCE_WG, 1, 1],
    size: true,
    getUserCode: () => `
      var<workgroup> partial : array<f32, ${REDUCE_WG}>;
      fn main(index : i32) {
        let o = index / ${REDUCE_WG};
        ${setup}
        let count = ${count};
        var acc = 0.0;
        for (var p = i32(localId.x); p < count && o < uniforms.size; p = p + ${REDUCE_WG}) {
          ${term}
        }
        partial[localId.x] = acc;
        workgroupBarrier();
        for (var s = ${REDUCE_WG / 2}u; s > 0u; s = s >> 1u) {
          if (localId.x < s) { partial[localId.x] = partial[localId.x] + partial[localId.x + s]; }
          workgroupBarrier();
        }
        if (localId.x == 0u && o < uniforms.size) { setOutputAtIndex(o, partial[0] * ${scale}); }
      }`,
  };
}

// NHWC index arithmetic shared by the image kernels (shape from the uniform of input `x`).
const NHWC = `
  let C = uniforms.xShape.w; let W = uniforms.xShape.z; let H = uniforms.xShape.y;`;
const PIXEL = `
  let ch = index % C; let pix = index / C; let ox = pix % W; let oy = (pix / W) % H; let b = pix / (W * H);`;

/** Σ over the rows of a [m, c] matrix of f(a, …), one workgroup per column, times `scale`. */
function columnReduce(key: string, inputs: string[], c: number, term: string, scale: string): Program {
  return reduce(
    key,
    inputs,
    [c],
    'uniforms.aShape.x',
    `let C = uniforms.aShape.y;`,
    `let r = p * C + o; ${term}`,
    scale,
  );
}

/**
 * Filter gradients of our convs (full, depthwise, pointwise as a 1×1 full conv) as a split-K product:
 * dW[i, j, ci, co] = Σ_p x[p shifted by tap (i, j), ci] · dy[p, co] over the n·h·w pixels p. Pass 1: each
 * thread owns a 4×4 block of (ci, co) (depthwise: 4 channels) for one tap and one chunk of pixels,
 * accumulating in registers (8 loads per 16 products, where one workgroup per weight read 2 per 1);
 * pass 2 sums the chunks. Shapes are uniforms, so a 2-D pointwise input needs no reshape.
 */
function filterGrad(
  b: WebGPUBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  dims: { n: number; h: number; w: number; c: number; co: number },
  a: { k: number; d: number; pt: number; pl: number },
  depthwise: boolean,
  outShape: number[],
): tf.TensorInfo {
  const { n, h, w, c, co } = dims;
  const taps = a.k * a.k;
  const pixels = n * h * w;
  const blocks = taps * Math.ceil(c / 4) * (depthwise ? 1 : Math.ceil(co / 4));
  // About 64k threads in pass 1 (enough to fill a large GPU), chunks of at least 64 pixels.
  const chunks = Math.max(1, Math.min(Math.ceil(65536 / blocks), Math.floor(pixels / 64)));
  const rows = Math.ceil(pixels / chunks);
  const q = taps * c * (depthwise ? 1 : co);
  const threads = chunks * blocks;
  const body = depthwise
    ? `var acc = vec4<f32>(0.0);
        for (var p = p0; p < p1; p = p + 1) {
          let ox = p % W; let oy = (p / W) % H; let bb = p / (W * H);
          let iy = oy + i * uniforms.d - uniforms.pt; let ix = ox + j * uniforms.d - uniforms.pl;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) { continue; }
          let xb = ((bb * H + iy) * W + ix) * C + c0; let yb = p * C + c0;
          acc = acc + vec4<f32>(ldx(xb, c0, C), ldx(xb + 1, c0 + 1, C), ldx(xb + 2, c0 + 2, C), ldx(xb + 3, c0 + 3, C))
            * vec4<f32>(ldy(yb, c0, C), ldy(yb + 1, c0 + 1, C), ldy(yb + 2, c0 + 2, C), ldy(yb + 3, c0 + 3, C));
        }
        for (var u = 0; u < 4; u = u + 1) {
          if (c0 + u < C) { result[chunk * uniforms.q + tap * C + c0 + u] = acc[u]; }
        }`
    : `var acc0 = vec4<f32>(0.0); var acc1 = vec4<f32>(0.0); var acc2 = vec4<f32>(0.0); var acc3 = vec4<f32>(0.0);
        for (var p = p0; p < p1; p = p + 1) {
          let ox = p % W; let oy = (p / W) % H; let bb = p / (W * H);
          let iy = oy + i * uniforms.d - uniforms.pt; let ix = ox + j * uniforms.d - uniforms.pl;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) { continue; }
          let xb = ((bb * H + iy) * W + ix) * C + c0; let yb = p * CO + o0;
          let g = vec4<f32>(ldy(yb, o0, CO), ldy(yb + 1, o0 + 1, CO), ldy(yb + 2, o0 + 2, CO), ldy(yb + 3, o0 + 3, CO));
          acc0 = acc0 + ldx(xb, c0, C) * g;
          acc1 = acc1 + ldx(xb + 1, c0 + 1, C) * g;
          acc2 = acc2 + ldx(xb + 2, c0 + 2, C) * g;
          acc3 = acc3 + ldx(xb + 3, c0 + 3, C) * g;
        }
        var accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
        for (var u = 0; u < 4; u = u + 1) {
          for (var v = 0; v < 4; v = v + 1) {
            if (c0 + u < C && o0 + v < CO) {
              result[chunk * uniforms.q + (tap * C + c0 + u) * CO + o0 + v] = accs[u][v];
            }
          }
        }`;
  const partial = b.runWebGPUProgram(
    {
      variableNames: ['x', 'dy'],
      outputShape: [chunks, q],
      shaderKey: `sp_filter_grad_partial_${depthwise ? 'dw' : 'full'}`,
      dispatchLayout: { x: [0, 1] },
      dispatch: [Math.ceil(threads / FLAT_WG), 1, 1],
      workgroupSize: [FLAT_WG, 1, 1],
      size: false,
      uniforms:
        'n : i32, h : i32, w : i32, c : i32, co : i32, k : i32, d : i32, pt : i32, pl : i32, ' +
        'rows : i32, q : i32, threads : i32,',
      getUserCode: () => `
      fn ldx(i : i32, ch : i32, lim : i32) -> f32 { if (ch < lim) { return x[i]; } return 0.0; }
      fn ldy(i : i32, ch : i32, lim : i32) -> f32 { if (ch < lim) { return dy[i]; } return 0.0; }
      fn main(index : i32) {
        if (index >= uniforms.threads) { return; }
        let H = uniforms.h; let W = uniforms.w; let C = uniforms.c; let CO = uniforms.co;
        let cb = (C + 3) / 4; let ob = ${depthwise ? '1' : '(CO + 3) / 4'};
        let o0 = (index % ob) * 4; let c0 = ((index / ob) % cb) * 4;
        let kk = uniforms.k * uniforms.k;
        let tap = (index / (ob * cb)) % kk; let chunk = index / (ob * cb * kk);
        let i = tap / uniforms.k; let j = tap % uniforms.k;
        let p0 = chunk * uniforms.rows; let p1 = min(uniforms.n * H * W, p0 + uniforms.rows);
        ${body}
      }`,
    },
    [x, dy],
    'float32',
    int(n, h, w, c, co, a.k, a.d, a.pt, a.pl, rows, q, threads),
  );
  const out = b.runWebGPUProgram(
    flat(
      'sum_chunks',
      ['partial'],
      outShape,
      `for (var r = 0; r < uniforms.partialShape.x; r = r + 1) {
          value = value + partial[r * uniforms.partialShape.y + index];
        }`,
    ),
    [partial],
    'float32',
  );
  b.disposeData(partial.dataId);
  return out;
}

type Kernel = (b: WebGPUBackend, i: Record<string, tf.TensorInfo>, a: Attrs) => tf.TensorInfo | tf.TensorInfo[];

/** ReLU's derivative as tfjs computes it, of a scalar or vec4 expression: 1 (> 0), 0 (≤ 0), NaN (NaN). */
const step = (x: string, vec4 = false) =>
  vec4
    ? `select(select(vec4<f32>(0.0), vec4<f32>(1.0), ${x} > vec4<f32>(0.0)), ${x}, isnanVec4(${x}))`
    : `select(select(0.0, 1.0, ${x} > 0.0), ${x}, isnan(${x}))`;

/** Column sums of a (mode 'dot': of a·b; 'sqdev': of (a − b[c])², over m); with `mask`, a·step(mask). */
function sums(
  b: WebGPUBackend,
  a: tf.TensorInfo,
  other?: tf.TensorInfo,
  mode: 'sum' | 'dot' | 'sqdev' = 'sum',
  mask?: tf.TensorInfo,
) {
  const c = a.shape[1];
  const av = mask ? `(a[r] * ${step('mask[r]')})` : 'a[r]';
  const terms = {
    sum: `acc = acc + ${av};`,
    dot: `acc = acc + ${av} * b[r];`,
    sqdev: 'let t = a[r] - b[o]; acc = acc + t * t;',
  };
  const inputs = [...(mode === 'sum' ? ['a'] : ['a', 'b']), ...(mask ? ['mask'] : [])];
  const scale = mode === 'sqdev' ? `(1.0 / f32(uniforms.aShape.x))` : '1.0';
  return b.runWebGPUProgram(
    columnReduce(`colsum_${mode}${mask ? '_masked' : ''}`, inputs, c, terms[mode], scale),
    [a, ...(other && mode !== 'sum' ? [other] : []), ...(mask ? [mask] : [])],
    'float32',
  );
}

const KERNELS: Record<string, Kernel> = {
  // With channels a multiple of 4 each thread computes 4 channels of a pixel from vec4 loads.
  SPDepthwise: (b, { x, w }, a) => {
    const v = x.shape[3] % 4 === 0;
    const C = v ? 'uniforms.xShape.w / 4' : 'uniforms.xShape.w';
    return b.runWebGPUProgram(
      flat(
        'depthwise',
        ['x', 'w'],
        x.shape,
        `let C = ${C}; let W = uniforms.xShape.z; let H = uniforms.xShape.y;${PIXEL}
        let k = uniforms.k; let d = uniforms.d;
        for (var i = 0; i < k; i = i + 1) {
          let iy = oy + i * d - uniforms.pt;
          if (iy < 0 || iy >= H) { continue; }
          let wi = select(i, k - 1 - i, uniforms.flip == 1);
          for (var j = 0; j < k; j = j + 1) {
            let ix = ox + j * d - uniforms.pl;
            if (ix < 0 || ix >= W) { continue; }
            let wj = select(j, k - 1 - j, uniforms.flip == 1);
            value = value + x[((b * H + iy) * W + ix) * C + ch] * w[(wi * k + wj) * C + ch];
          }
        }`,
        'k : i32, d : i32, pt : i32, pl : i32, flip : i32,',
        v,
      ),
      [x, w],
      'float32',
      int(a.k, a.d, a.pt, a.pl, a.flip),
    );
  },
  // dW[i, j, c] = Σ_{b, y, x} x[b, y + i·d − pt, x + j·d − pl, c] · dy[b, y, x, c]
  SPDepthwiseFilterGrad: (b, { x, dy }, a) => {
    const [n, h, w, c] = x.shape;
    return filterGrad(b, x, dy, { n, h, w, c, co: c }, { k: a.k, d: a.d, pt: a.pt, pl: a.pl }, true, [a.k, a.k, c, 1]);
  },
  // A full conv's filter gradient: dW[i, j, ci, co] = Σ_{b,y,x} x[b, y + i − pt, x + j − pl, ci] · dy[b, y, x, co]
  SPConv2dFilterGrad: (b, { x, dy }, a) => {
    const [n, h, w, c] = x.shape;
    const co = dy.shape[3];
    return filterGrad(b, x, dy, { n, h, w, c, co }, { k: a.k, d: 1, pt: a.pt, pl: a.pl }, false, [a.k, a.k, c, co]);
  },
  // dW[ci, co] = Σ_r x[r, ci] · dy[r, co] (a pointwise conv's weight gradient over all pixels)
  SPPointwiseFilterGrad: (b, { x, dy }) => {
    const [m, c] = x.shape;
    const co = dy.shape[1];
    return filterGrad(b, x, dy, { n: 1, h: 1, w: m, c, co }, { k: 1, d: 1, pt: 0, pl: 0 }, false, [c, co]);
  },
  // 3×3 stride-1 'same' max-pool gradient in two passes: each window's first maximum in row-major order
  // among its in-image taps (a tap number 0–8), then a gather: each input pixel collects dy from the (up
  // to 9) windows whose maximum it is. 9 + 18 reads per pixel instead of 81.
  SPMaxPoolGrad: (b, { x, dy }) => {
    const taps = b.runWebGPUProgram(
      flat(
        'maxpool_argmax',
        ['x'],
        x.shape,
        `${NHWC}${PIXEL}
        var best = 0.0; var bt = -1;
        for (var t = 0; t < 9; t = t + 1) {
          let ty = oy + t / 3 - 1; let tx = ox + t % 3 - 1;
          if (ty < 0 || ty >= H || tx < 0 || tx >= W) { continue; }
          let v = x[((b * H + ty) * W + tx) * C + ch];
          if (bt < 0 || v > best) { best = v; bt = t; }
        }
        value = f32(bt);`,
      ),
      [x],
      'float32',
    );
    const dx = b.runWebGPUProgram(
      flat(
        'maxpool_grad',
        ['taps', 'dy'],
        x.shape,
        `let C = uniforms.dyShape.w; let W = uniforms.dyShape.z; let H = uniforms.dyShape.y;${PIXEL}
        for (var t = 0; t < 9; t = t + 1) {
          // The window centred at (cy, cx) holds this pixel as its tap t.
          let cy = oy - (t / 3 - 1); let cx = ox - (t % 3 - 1);
          if (cy < 0 || cy >= H || cx < 0 || cx >= W) { continue; }
          let q = ((b * H + cy) * W + cx) * C + ch;
          if (i32(taps[q]) == t) { value = value + dy[q]; }
        }`,
      ),
      [taps, dy],
      'float32',
    );
    b.disposeData(taps.dataId);
    return dx;
  },
  SPMoments: (b, { x }) => {
    const mean = b.runWebGPUProgram(
      columnReduce('mean', ['a'], x.shape[1], 'acc = acc + a[r];', '(1.0 / f32(uniforms.aShape.x))'),
      [x],
      'float32',
    );
    return [mean, sums(b, x, mean, 'sqdev')];
  },
  SPColSums: (b, { a, b: bb, mask }) =>
    bb ? [sums(b, a, undefined, 'sum', mask), sums(b, a, bb, 'dot', mask)] : [sums(b, a, undefined, 'sum', mask)],
  // Elementwise kernels over [rows, c] read 4 channels at a time when c is a multiple of 4.
  // With attr relu, then tf.relu's select(v, 0, v < 0) (NaN stays NaN): the ReLU that follows a BN.
  SPAffine: (b, { x, a, b: bb }, at) => {
    const v = a.shape[0] % 4 === 0;
    const zero = v ? 'vec4<f32>(0.0)' : '0.0';
    return b.runWebGPUProgram(
      flat(
        `affine${at.relu ? '_relu' : ''}`,
        ['x', 'a', 'b'],
        x.shape,
        `let c = index % (uniforms.aShape${v ? ' / 4' : ''}); value = x[index] * a[c] + b[c];
        ${at.relu ? `value = select(value, ${zero}, value < ${zero});` : ''}`,
        '',
        v,
      ),
      [x, a, bb],
      'float32',
    );
  },
  // dx = k·(g − Σg/m − x̂·Σ(g·x̂)/m), per channel, g = dy (with mask: dy·step(mask), through the ReLU after the BN)
  SPBnInputGrad: (b, { dy, xhat, k, sdy, sdx, mask }) => {
    const v = k.shape[0] % 4 === 0;
    const g = mask ? `dy[index] * ${step('mask[index]', v)}` : 'dy[index]';
    return b.runWebGPUProgram(
      flat(
        `bn_input_grad${mask ? '_masked' : ''}`,
        ['dy', 'xhat', 'k', 'sdy', 'sdx', ...(mask ? ['mask'] : [])],
        dy.shape,
        `let c = index % (uniforms.kShape${v ? ' / 4' : ''}); let inv = 1.0 / f32(uniforms.dyShape.x);
        let g = ${g};
        value = k[c] * (g - sdy[c] * inv - xhat[index] * sdx[c] * inv);`,
        '',
        v,
      ),
      [dy, xhat, k, sdy, sdx, ...(mask ? [mask] : [])],
      'float32',
    );
  },
  // SGD with momentum and weight decay, as the wasm kernel: m' = m·μ + g + λ·w, w' = w − lr·m'.
  // With `ok` (one element, queued steps: trainer.queueStep), the new values are taken only where ok ≠ 0.
  SPSgd: (b, { w, g, m, ok }, a) => {
    const f32 = (...data: number[]): Uniform[] => data.map((v) => ({ type: 'float32', data: [v] }));
    // f32(): tfjs-webgpu may keep a bool tensor cast to float32 in its i32 buffer.
    const keep = (next: string, old: string) => (ok ? `select(${old}, ${next}, f32(ok[0]) != 0.0)` : next);
    const mNames = [...(m ? ['w', 'g', 'm'] : ['w', 'g']), ...(ok ? ['ok'] : [])];
    const mNew = b.runWebGPUProgram(
      flat(
        `sgd_momentum${m ? '' : '_first'}${ok ? '_guarded' : ''}`,
        mNames,
        w.shape,
        `value = ${keep(
          `${m ? 'm[index] * uniforms.mom + ' : ''}(g[index] + uniforms.wd * w[index])`,
          m ? 'm[index]' : '0.0',
        )};`,
        'mom : f32, wd : f32,',
      ),
      [w, g, ...(m ? [m] : []), ...(ok ? [ok] : [])],
      'float32',
      f32(a.momentum, a.weightDecay),
    );
    const wNew = b.runWebGPUProgram(
      flat(
        `sgd_apply${ok ? '_guarded' : ''}`,
        ok ? ['w', 'm', 'ok'] : ['w', 'm'],
        w.shape,
        `value = ${keep('w[index] - uniforms.lr * m[index]', 'w[index]')};`,
        'lr : f32,',
      ),
      ok ? [w, mNew, ok] : [w, mNew],
      'float32',
      f32(a.lr),
    );
    return [wNew, mNew];
  },
  // ReLU gradient exactly as tfjs: dy·step(x), step = 1 (x > 0), 0 (x ≤ 0), NaN (x NaN: a diverging run stays so).
  SPReluGrad: (b, { x, dy }) => {
    const v = sizeOf(x.shape) % 4 === 0;
    return b.runWebGPUProgram(
      flat('relu_grad', ['x', 'dy'], x.shape, `value = dy[index] * ${step('x[index]', v)};`, '', v),
      [x, dy],
      'float32',
    );
  },
  SPSpatialMean: (b, { x }) =>
    b.runWebGPUProgram(
      flat(
        'spatial_mean',
        ['x'],
        [x.shape[0], x.shape[3]],
        `let C = uniforms.xShape.w; let hw = uniforms.xShape.y * uniforms.xShape.z;
        let ch = index % C; let bb = index / C;
        for (var p = 0; p < hw; p = p + 1) { value = value + x[(bb * hw + p) * C + ch]; }
        value = value / f32(hw);`,
      ),
      [x],
      'float32',
    ),
};

/** The kernels registered here (the pointwise product stays a tfjs matMul on WebGPU). */
export const WEBGPU_KERNEL_NAMES = Object.keys(KERNELS);

let registered = false;
let enabled = true;

/** Registers the kernels for the webgpu backend (once). Safe before the backend exists. */
export function installWebgpuKernels(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, f] of Object.entries(KERNELS))
    tf.registerKernel({
      kernelName,
      backendName: 'webgpu',
      kernelFunc: ({
        inputs,
        backend,
        attrs,
      }: {
        inputs: Record<string, tf.TensorInfo>;
        backend: unknown;
        attrs: Attrs;
      }) => {
        for (const v of Object.values(inputs))
          if (v && v.dtype !== 'float32') throw new Error(`${kernelName}: float32 only`);
        return f(backend as WebGPUBackend, inputs, attrs);
      },
    } as unknown as tf.KernelConfig);
}

/** Benchmarks and tests turn our WGSL kernels off to compare against the tfjs-op path. */
export function useWebgpuKernels(on: boolean): void {
  enabled = on;
}

/** True when the current backend is webgpu and our WGSL kernels are registered for it. */
export const webgpuKernels = (): boolean => enabled && registered && tf.getBackend() === 'webgpu';
