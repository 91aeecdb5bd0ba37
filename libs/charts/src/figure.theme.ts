import type { Config } from 'vega-lite';

/** Font stack of every figure: a sans-serif every browser and the SVG renderer's width estimate know. */
export const FIGURE_FONT = 'Helvetica, Arial, sans-serif';

/** Plot area of a figure rendered in Node, px (the dashboard overrides the width with its container's). */
export const FIGURE_SIZE = { width: 560, height: 300 } as const;

/**
 * The house style of every figure (a Vega-Lite `config`): light grid, no frame, axis titles at
 * 12 px and tick labels at 11 px, the legend right of the plot without a title. Figures carry it in
 * their spec, so a figure looks the same rendered to SVG in Node and embedded in the dashboard.
 * Labels are never truncated (`labelLimit: 0`): without a canvas, Vega in Node estimates text
 * widths generously and would cut labels that fit.
 */
export const FIGURE_CONFIG: Config = {
  font: FIGURE_FONT,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6', domainColor: '#444', tickColor: '#444', labelColor: '#222', titleColor: '#222' },
  // About one tick per 90 px across and 45 px up, whatever the width the figure is drawn at.
  axisX: { tickCount: { expr: 'ceil(width / 90)' } },
  axisY: { tickCount: { expr: 'ceil(height / 45)' } },
  legend: { labelFontSize: 11, titleFontSize: 11, symbolStrokeWidth: 2, orient: 'right', labelLimit: 0 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  line: { strokeWidth: 2 },
};

/** What every figure's spec starts with: the Vega-Lite schema, its title (and subtitle lines), and the house style. */
export function figureFrame(title: string, subtitle?: string | readonly string[]): { $schema: string; title: string | { text: string; subtitle: string | string[] }; config: Config } {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: subtitle ? { text: title, subtitle: typeof subtitle === 'string' ? subtitle : [...subtitle] } : title,
    config: FIGURE_CONFIG,
  };
}
