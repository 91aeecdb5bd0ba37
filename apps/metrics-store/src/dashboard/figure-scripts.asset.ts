import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The browser builds the dashboard embeds its figures with, served from the installed packages
 * (never a CDN: the page works on a closed network): Vega, Vega-Lite, then vega-embed, which needs
 * the other two as globals. The same versions render the report's SVG in Node, so the page and the
 * report draw the same specs alike.
 */
export const FIGURE_SCRIPTS = [
  { name: 'vega.min.js', pkg: 'vega' },
  { name: 'vega-lite.min.js', pkg: 'vega-lite' },
  { name: 'vega-embed.min.js', pkg: 'vega-embed' },
] as const;

export type FigureScriptName = (typeof FIGURE_SCRIPTS)[number]['name'];

const require = createRequire(import.meta.url);
const cache = new Map<string, Buffer>();

/** The script's bytes (read once), or undefined for a name that is not one of {@link FIGURE_SCRIPTS}. Throws, naming the file, when the package is not installed. */
export function figureScript(name: string): Buffer | undefined {
  const entry = FIGURE_SCRIPTS.find((s) => s.name === name);
  if (!entry) return undefined;
  let bytes = cache.get(name);
  if (!bytes) {
    // Each package's entry point sits in its build/ folder, beside its browser bundle.
    const file = join(dirname(require.resolve(entry.pkg)), entry.name);
    bytes = readFileSync(file);
    cache.set(name, bytes);
  }
  return bytes;
}
