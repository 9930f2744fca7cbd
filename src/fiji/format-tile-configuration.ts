import type { FijiTileConfiguration } from './parse-tile-configuration.js';

const num = (v: number) => String(Math.round(v * 1e6) / 1e6 + 0);

/**
 * The text of a Fiji `TileConfiguration.registered.txt`, as the Grid/Collection stitching plugin
 * writes and reads it: comments, `dim = 2|3`, then `file; ; (x, y[, z])` per tile in pixels, x
 * first. A 2-D configuration drops z. Positions are given (z, y, x) as everywhere in stitchgraph.
 */
export function formatTileConfiguration(config: FijiTileConfiguration): string {
  const lines = ['# Define the number of dimensions we are working on', `dim = ${config.dim}`, ...(config.multiSeries ? ['multiseries = true'] : []), '', '# Define the image coordinates'];
  for (const e of config.entries) {
    const [z, y, x] = e.position;
    const coords = config.dim === 3 ? `${num(x)}, ${num(y)}, ${num(z)}` : `${num(x)}, ${num(y)}`;
    lines.push(`${e.file}; ${e.series ?? ''}; (${coords})`);
  }
  return lines.join('\n') + '\n';
}
