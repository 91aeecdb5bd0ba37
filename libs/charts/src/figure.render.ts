import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A figure: a Vega-Lite spec with its data inline, ready to render in Node or to embed in a page. */
export type FigureSpec = TopLevelSpec;

/** Compiling a figure warned: a spec builder made a spec Vega-Lite had to correct (a bug to fix, never to ignore). */
export class FigureSpecError extends Error {}

/** Throws on errors, and on warnings when `strict` (compiling: a warning means the spec was corrected); otherwise ignores warnings (rendering: e.g. an empty subset of one layer in one panel). */
function logger(strict: boolean): vega.LoggerInterface {
  let level = 2;
  const self: vega.LoggerInterface = {
    level(l?: number) {
      if (l === undefined) return level as never;
      level = l;
      return self;
    },
    error(...args: readonly unknown[]) {
      throw new FigureSpecError(`figure spec: ${args.map(String).join(' ')}`);
    },
    warn(...args: readonly unknown[]) {
      if (strict) throw new FigureSpecError(`figure spec: ${args.map(String).join(' ')}`);
      return self;
    },
    info: () => self,
    debug: () => self,
  };
  return self;
}

/**
 * Renders a figure to a self-contained SVG document (no scripts, no external resources) with
 * Vega's headless SVG renderer. Text widths are estimated (no canvas), which only moves labels by a
 * pixel or two. Throws {@link FigureSpecError} when Vega-Lite warns about the spec, or Vega fails to render it.
 */
export async function figureSvg(spec: FigureSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec, { logger: logger(true) }).spec), { renderer: 'none', logger: logger(false) });
  try {
    const svg = await view.toSVG();
    return `${svg}\n`;
  } finally {
    view.finalize();
  }
}
