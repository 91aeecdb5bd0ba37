import { escapeMarkup as esc } from '@aset/charts';
import type { RunComparison } from '../reporting/run-comparison.query.js';
import { COMPARISON_CSS, SECTION_TITLES, renderComparison } from './run-comparison.view.js';

/**
 * The HTML report of a comparison: one self-contained document (inline CSS and SVG; no scripts,
 * no external resources), so it opens from a file and can be mailed or archived as is.
 */
export async function reportHtml(c: RunComparison): Promise<string> {
  const sections = await renderComparison(c);
  const ids = c.runs.map((r) => r.runId).join(', ');
  const body = SECTION_TITLES.map(([key, title]) => `<section id="${key}">\n<h2>${esc(title)}</h2>\n${sections[key]}\n</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ASET report: ${esc(ids)}</title>
<style>${COMPARISON_CSS}</style>
</head>
<body>
<h1>ASET report: ${esc(ids)}</h1>
<p class="note">From the metrics store: measured (non-warm-up) queries, the same SQL as its reports API; time buckets of ${c.bucketMs / 1000} s from each run's start.</p>
${body}
</body>
</html>
`;
}
