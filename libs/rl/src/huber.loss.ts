/**
 * Huber loss of an error `e = prediction - target`: `e^2 / 2` for `|e| <= delta`, otherwise
 * `delta * (|e| - delta / 2)`. Quadratic near 0, linear beyond `delta` (> 0, default 1), so a large
 * TD error does not produce a large gradient.
 */
export function huberLoss(error: number, delta = 1): number {
  const a = Math.abs(error);
  return a <= delta ? 0.5 * error * error : delta * (a - 0.5 * delta);
}

/** Derivative of `huberLoss` with respect to the error: the error clipped to `[-delta, delta]`. */
export function huberGradient(error: number, delta = 1): number {
  return error > delta ? delta : error < -delta ? -delta : error;
}
