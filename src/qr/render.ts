// A QR code drawn for a page (SVG, one path, crisp at any size) and for a terminal (two rows of
// modules per line with half blocks, so it stays square), each with the quiet zone of four
// modules that readers need around it (ISO/IEC 18004 §6.3.8).
import { encodeQr, type QrMatrix } from './qr-code.ts';

const QUIET_ZONE = 4;

export function qrSvg(text: string, { title }: { title: string }): string {
  const matrix = encodeQr(text);
  const size = matrix.length + 2 * QUIET_ZONE;
  const path = matrix.flatMap((line, row) => line.map((dark, column) => (dark ? `M${column + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z` : ''))).join('');
  const escaped = title.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges" role="img" class="qr-code"><title>${escaped}</title><rect width="${size}" height="${size}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}

/** For a dark terminal: light modules are the drawn blocks, dark ones the background (a light terminal shows it inverted, which phone cameras read too). */
export function qrText(text: string): string {
  const matrix: QrMatrix = encodeQr(text);
  const size = matrix.length + 2 * QUIET_ZONE;
  const dark = (row: number, column: number) => matrix[row - QUIET_ZONE]?.[column - QUIET_ZONE] ?? false;
  const lines: string[] = [];
  for (let row = 0; row < size; row += 2) {
    let line = '';
    for (let column = 0; column < size; column += 1) {
      const top = dark(row, column);
      const bottom = row + 1 < size && dark(row + 1, column);
      line += top ? (bottom ? ' ' : '▄') : (bottom ? '▀' : '█');
    }
    lines.push(line);
  }
  return lines.join('\n');
}
