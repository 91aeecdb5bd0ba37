/** Hyper-parameters of `Adam`. */
export interface AdamOptions {
  /** Step size (> 0). */
  lr: number;
  /** Decay of the first-moment estimate, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay of the second-moment estimate, in [0, 1); default 0.999. */
  beta2?: number;
  /** Added to the root of the second moment (> 0); default 1e-8. */
  epsilon?: number;
  /** When set (> 0), the gradient is rescaled so that its global L2 norm is at most this value. */
  maxGradNorm?: number;
}

/**
 * Adam (Kingma & Ba) with bias correction, as PyTorch computes it:
 * `m <- b1 m + (1 - b1) g`, `v <- b2 v + (1 - b2) g^2`,
 * `p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon)`.
 * Moments are kept in float64; parameters are updated in place.
 */
export class Adam {
  /** Step size; may be changed between steps (e.g. a learning-rate schedule). */
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly maxGradNorm: number | undefined;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  /** @param size number of parameters this optimizer updates. */
  constructor(readonly size: number, options: AdamOptions) {
    const { lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, maxGradNorm } = options;
    if (!(lr > 0)) throw new RangeError(`Adam: lr must be > 0, got ${lr}`);
    if (!(beta1 >= 0 && beta1 < 1)) throw new RangeError(`Adam: beta1 must be in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) throw new RangeError(`Adam: beta2 must be in [0, 1), got ${beta2}`);
    if (!(epsilon > 0)) throw new RangeError(`Adam: epsilon must be > 0, got ${epsilon}`);
    if (maxGradNorm !== undefined && !(maxGradNorm > 0)) throw new RangeError(`Adam: maxGradNorm must be > 0, got ${maxGradNorm}`);
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.maxGradNorm = maxGradNorm;
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** Number of steps taken. */
  get steps(): number {
    return this.t;
  }

  /**
   * One update of `params` in place from `grad` (both `size` long). When `maxGradNorm` is set and
   * exceeded, `grad` is first scaled in place to that norm. Returns the gradient's L2 norm before
   * clipping.
   */
  step(params: Float32Array, grad: Float32Array): number {
    const n = this.size;
    if (params.length !== n || grad.length !== n) {
      throw new RangeError(`Adam.step: expected ${n} params and grads, got ${params.length} and ${grad.length}`);
    }
    let sq = 0;
    for (let k = 0; k < n; k++) {
      const g = grad[k] as number;
      sq += g * g;
    }
    const norm = Math.sqrt(sq);
    if (this.maxGradNorm !== undefined && norm > this.maxGradNorm) {
      const scale = this.maxGradNorm / norm;
      for (let k = 0; k < n; k++) grad[k] = (grad[k] as number) * scale;
    }
    this.t++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const c1 = 1 / (1 - Math.pow(b1, this.t));
    const c2 = 1 / (1 - Math.pow(b2, this.t));
    const lr = this.lr;
    const eps = this.epsilon;
    const m = this.m;
    const v = this.v;
    for (let k = 0; k < n; k++) {
      const g = grad[k] as number;
      const mk = b1 * (m[k] as number) + (1 - b1) * g;
      const vk = b2 * (v[k] as number) + (1 - b2) * g * g;
      m[k] = mk;
      v[k] = vk;
      params[k] = (params[k] as number) - (lr * (mk * c1)) / (Math.sqrt(vk * c2) + eps);
    }
    return norm;
  }

  /** Forgets the moments and the step count. */
  reset(): void {
    this.m.fill(0);
    this.v.fill(0);
    this.t = 0;
  }
}
