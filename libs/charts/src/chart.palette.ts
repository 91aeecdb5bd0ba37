/** Ten distinguishable colours for categorical series (policies, runs), in order of use. */
export const CATEGORY_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] as const;

/** The colour of the `index`-th series; wraps around after ten. */
export function categoryColor(index: number): string {
  return CATEGORY_COLORS[((index % CATEGORY_COLORS.length) + CATEGORY_COLORS.length) % CATEGORY_COLORS.length] as string;
}

/** Legend width (px) that fits the longest label at the charts' 12 px sans-serif, never below `min`. */
export function legendWidthFor(labels: readonly string[], min = 200): number {
  const longest = Math.max(0, ...labels.map((l) => l.length));
  return Math.max(min, Math.ceil(50 + longest * 7));
}
