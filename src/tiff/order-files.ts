import { StitchgraphError } from '../errors.js';

/** How `import --grid` orders its files before laying them out (x fastest, then y, then z). */
export const FILE_ORDERS = ['natural', 'given', 'lexical'] as const;
export type FileOrder = (typeof FILE_ORDERS)[number];

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * `natural`: numbers in names compare as numbers (tile2 before tile10), the order a person means
 * and not the one a shell's `*.tif` gives (tile1, tile10, tile2, …), which lays a row out wrongly.
 * `lexical`: plain character order (the shell's). `given`: as listed.
 */
export function orderFiles(files: readonly string[], order: string): string[] {
  if (!(FILE_ORDERS as readonly string[]).includes(order)) throw new StitchgraphError('InputError', `Cannot import: --order must be one of ${FILE_ORDERS.join(', ')}, not "${order}"`);
  if (order === 'given') return [...files];
  if (order === 'lexical') return [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...files].sort(natural.compare);
}
