/** A ratio in [0, 1] as a percentage for tables and messages, e.g. 0.9375 -> "93.8%". */
export function formatPercent(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)}%`;
}
