/**
 * What kind of file this is, from its first bytes: to read PNG/JPEG tiles as well as TIFF, and to
 * name the format (and what to do) when a file is something stitchgraph does not read, instead of
 * a parser's complaint or a screenful of binary.
 */
export interface SniffedFormat {
  /** Short name, e.g. "TIFF", "PNG", "Zeiss CZI". */
  name: string;
  /** Whether `import` reads it as tiles. */
  importable: boolean;
}

const SIGNATURES: { name: string; importable: boolean; test: (b: Uint8Array) => boolean }[] = [
  { name: 'TIFF', importable: true, test: (b) => (b[0] === 0x49 && b[1] === 0x49 && (b[2] === 42 || b[2] === 43)) || (b[0] === 0x4d && b[1] === 0x4d && (b[3] === 42 || b[3] === 43)) },
  { name: 'PNG', importable: true, test: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  { name: 'JPEG', importable: true, test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { name: 'JPEG 2000', importable: false, test: (b) => b[4] === 0x6a && b[5] === 0x50 && b[6] === 0x20 && b[7] === 0x20 },
  { name: 'GIF', importable: false, test: (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 },
  { name: 'BMP', importable: false, test: (b) => b[0] === 0x42 && b[1] === 0x4d },
  { name: 'WebP', importable: false, test: (b) => b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 },
  { name: 'Zeiss CZI', importable: false, test: (b) => String.fromCharCode(...b.subarray(0, 10)) === 'ZISRAWFILE' },
  { name: 'HDF5 (e.g. Imaris .ims, BigDataViewer .h5)', importable: false, test: (b) => b[0] === 0x89 && b[1] === 0x48 && b[2] === 0x44 && b[3] === 0x46 },
  { name: 'NumPy .npy', importable: false, test: (b) => b[0] === 0x93 && String.fromCharCode(...b.subarray(1, 6)) === 'NUMPY' },
  { name: 'ZIP archive', importable: false, test: (b) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04 },
  { name: 'gzip', importable: false, test: (b) => b[0] === 0x1f && b[1] === 0x8b },
];

/** The format of a file from its first 16 bytes, or undefined when unknown (text, or a format not listed). */
export function sniffFormat(head: Uint8Array): SniffedFormat | undefined {
  const s = SIGNATURES.find((f) => head.length >= 4 && f.test(head));
  return s ? { name: s.name, importable: s.importable } : undefined;
}

/** Whether bytes look like binary data rather than text (a NUL or many control characters). */
export function looksBinary(head: Uint8Array): boolean {
  let control = 0;
  for (const c of head) {
    if (c === 0) return true;
    if (c < 9 || (c > 13 && c < 32)) control++;
  }
  return control > head.length / 10;
}

/** What to do with a file `import` does not read. */
export const CONVERT_ADVICE = 'convert it to TIFF, PNG or JPEG first (e.g. Fiji: File › Save As › Tiff…, or bfconvert from Bio-Formats)';
