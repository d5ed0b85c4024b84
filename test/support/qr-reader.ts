// Reads a QR code back as a camera would, with an independent decoder (jsQR), from the pixels of
// its modules: a matrix from the encoder, or the half-block text src/qr/render.ts draws for a
// terminal, as a program printed it.
import jsQRModule from 'jsqr';

// jsqr is CommonJS: its default export is the decoder function, which its types do not say.
const jsQR = jsQRModule as unknown as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

/** Decodes modules (row by row, true for dark), drawn `scale` pixels each inside `margin` light modules. */
export function readQrModules(dark: readonly (readonly boolean[])[], margin = 0, scale = 4): string | undefined {
  const width = ((dark[0]?.length ?? 0) + 2 * margin) * scale;
  const height = (dark.length + 2 * margin) * scale;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  dark.forEach((line, row) => line.forEach((isDark, column) => {
    if (!isDark) return;
    for (let y = 0; y < scale; y += 1) {
      const offset = (((row + margin) * scale + y) * width + (column + margin) * scale) * 4;
      for (let x = 0; x < scale; x += 1) data.fill(0, offset + x * 4, offset + x * 4 + 3);
    }
  }));
  return jsQR(data, width, height)?.data;
}

const BLOCK_LINE = /^[ ▀▄█]{21,}$/;

/**
 * The modules of the first QR code in `output` drawn by qrText: consecutive lines of half blocks,
 * each two rows of modules, the drawn half light (a block is light above and below, a space dark).
 */
export function terminalQrModules(output: string): boolean[][] | undefined {
  const lines = output.split('\n').map((line) => line.replace(/\r$/, ''));
  const start = lines.findIndex((line) => BLOCK_LINE.test(line) && line.trim() !== '');
  if (start < 0) return undefined;
  const rows: boolean[][] = [];
  for (let index = start; index < lines.length && BLOCK_LINE.test(lines[index]!); index += 1) {
    const characters = [...lines[index]!];
    rows.push(characters.map((character) => character === ' ' || character === '▄'));
    rows.push(characters.map((character) => character === ' ' || character === '▀'));
  }
  return rows;
}
