// A QR code (ISO/IEC 18004) for one short text, such as a device's verification URI (RFC 8628
// §3.3.1 suggests showing verification_uri_complete as one): byte mode, error correction level M,
// versions 1 to 10 (up to 213 bytes), the mask with the lowest penalty. Small and dependency-free
// on purpose; render.ts draws it as SVG and as terminal text.

/** Modules, row by row: true is dark. Without the quiet zone, which renderers add. */
export type QrMatrix = boolean[][];

// Level M, versions 1–10: error correction codewords per block, and the blocks' data lengths.
const BLOCKS: readonly [ecPerBlock: number, dataLengths: readonly number[]][] = [
  [10, [16]], [16, [28]], [26, [44]], [18, [32, 32]], [24, [43, 43]],
  [16, [27, 27, 27, 27]], [18, [31, 31, 31, 31]], [22, [38, 38, 39, 39]], [22, [36, 36, 36, 37, 37]], [26, [43, 43, 43, 43, 44]],
];
const ALIGNMENT: readonly (readonly number[])[] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];
const LEVEL_M_BITS = 0b00;

// Arithmetic in GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i += 1, x = (x << 1) ^ (x & 0x80 ? 0x11d : 0)) {
  EXP[i] = x;
  LOG[x] = i;
}
for (let i = 255; i < 512; i += 1) EXP[i] = EXP[i - 255]!;
const multiply = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);

/** The Reed–Solomon error correction codewords of `data` (the remainder of data·x^n by the generator). */
function errorCorrection(data: readonly number[], length: number): number[] {
  let generator = [1];
  for (let i = 0; i < length; i += 1) {
    const next = new Array<number>(generator.length + 1).fill(0);
    generator.forEach((coefficient, j) => {
      next[j]! ^= coefficient;
      next[j + 1]! ^= multiply(coefficient, EXP[i]!);
    });
    generator = next;
  }
  const remainder = new Array<number>(length).fill(0);
  for (const byte of data) {
    const factor = byte ^ remainder.shift()!;
    remainder.push(0);
    for (let j = 0; j < length; j += 1) remainder[j]! ^= multiply(generator[j + 1]!, factor);
  }
  return remainder;
}

/** The data codewords: mode, length, the bytes, a terminator and padding (ISO 18004 §7.4). */
function dataCodewords(bytes: Uint8Array, version: number, capacity: number): number[] {
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i -= 1) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  for (const byte of bytes) put(byte, 8);
  put(0, Math.min(4, capacity * 8 - bits.length));
  while (bits.length % 8) bits.push(0);
  const codewords = [];
  for (let i = 0; i < bits.length; i += 8) codewords.push(bits.slice(i, i + 8).reduce((byte, bit) => (byte << 1) | bit, 0));
  for (let pad = 0; codewords.length < capacity; pad += 1) codewords.push(pad % 2 ? 0x11 : 0xec);
  return codewords;
}

/** The codewords in placement order: blocks interleaved, data then error correction (§7.6). */
function interleaved(data: number[], version: number): number[] {
  const [ecLength, lengths] = BLOCKS[version - 1]!;
  let offset = 0;
  const blocks = lengths.map((length) => data.slice(offset, offset += length));
  const corrections = blocks.map((block) => errorCorrection(block, ecLength));
  const out: number[] = [];
  for (let i = 0; i < Math.max(...lengths); i += 1) for (const block of blocks) if (i < block.length) out.push(block[i]!);
  for (let i = 0; i < ecLength; i += 1) for (const correction of corrections) out.push(correction[i]!);
  return out;
}

/** A BCH code: `value` followed by its remainder by `generator` (format and version information). */
function bch(value: number, generator: number, generatorDegree: number): number {
  let remainder = value << generatorDegree;
  for (let bit = 31 - Math.clz32(remainder); bit >= generatorDegree; bit -= 1) {
    if (remainder & (1 << bit)) remainder ^= generator << (bit - generatorDegree);
  }
  return (value << generatorDegree) | remainder;
}

const MASKS: readonly ((row: number, column: number) => boolean)[] = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (_r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

class QrSymbol {
  readonly version: number;
  readonly size: number;
  readonly dark: boolean[][];
  readonly reserved: boolean[][];

  constructor(version: number) {
    this.version = version;
    this.size = 17 + 4 * version;
    this.dark = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
    this.reserved = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
    this.#functionPatterns();
  }

  set(row: number, column: number, dark: boolean): void {
    this.dark[row]![column] = dark;
    this.reserved[row]![column] = true;
  }

  #functionPatterns(): void {
    const { size, version } = this;
    for (const [row, column] of [[0, 0], [0, size - 7], [size - 7, 0]] as const) {
      for (let r = -1; r <= 7; r += 1) {
        for (let c = -1; c <= 7; c += 1) {
          const y = row + r;
          const x = column + c;
          if (y < 0 || y >= size || x < 0 || x >= size) continue;
          const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
          this.set(y, x, ring !== 2 && ring !== 4);
        }
      }
    }
    for (let i = 8; i < size - 8; i += 1) {
      this.set(6, i, i % 2 === 0);
      this.set(i, 6, i % 2 === 0);
    }
    const centres = ALIGNMENT[version - 1]!;
    const last = centres.length - 1;
    centres.forEach((row, i) => {
      centres.forEach((column, j) => {
        // The three corners the finder patterns hold.
        if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
        for (let r = -2; r <= 2; r += 1) for (let c = -2; c <= 2; c += 1) this.set(row + r, column + c, Math.max(Math.abs(r), Math.abs(c)) !== 1);
      });
    });
    this.formatInformation(0);
    if (version >= 7) {
      const bits = bch(version, 0x1f25, 12);
      for (let i = 0; i < 18; i += 1) {
        const dark = ((bits >>> i) & 1) === 1;
        const a = Math.floor(i / 3);
        const b = size - 11 + (i % 3);
        this.set(a, b, dark);
        this.set(b, a, dark);
      }
    }
  }

  /** Level M and the mask, twice: around the top-left finder, and split between the other two. */
  formatInformation(mask: number): void {
    const { size } = this;
    const bits = bch((LEVEL_M_BITS << 3) | mask, 0x537, 10) ^ 0x5412;
    const bit = (i: number) => ((bits >>> i) & 1) === 1;
    for (let i = 0; i < 6; i += 1) this.set(i, 8, bit(i));
    this.set(7, 8, bit(6));
    this.set(8, 8, bit(7));
    this.set(8, 7, bit(8));
    for (let i = 9; i < 15; i += 1) this.set(8, 14 - i, bit(i));
    for (let i = 0; i < 8; i += 1) this.set(8, size - 1 - i, bit(i));
    for (let i = 8; i < 15; i += 1) this.set(size - 15 + i, 8, bit(i));
    this.set(size - 8, 8, true);
  }

  /** The codewords' bits in the two-column zigzag, upwards and downwards in turn (§7.7.3). */
  placeData(codewords: readonly number[]): void {
    const bits = codewords.flatMap((byte) => Array.from({ length: 8 }, (_, i) => ((byte >>> (7 - i)) & 1) === 1));
    // Modules past the last codeword (the remainder bits) stay light.
    let next = 0;
    for (let right = this.size - 1, upwards = true; right > 0; right -= 2, upwards = !upwards) {
      if (right === 6) right = 5;
      for (let step = 0; step < this.size; step += 1) {
        const row = upwards ? this.size - 1 - step : step;
        for (const column of [right, right - 1]) {
          if (this.reserved[row]![column]) continue;
          this.dark[row]![column] = bits[next++] ?? false;
        }
      }
    }
  }

  masked(mask: number): boolean[][] {
    const test = MASKS[mask]!;
    return this.dark.map((line, row) => line.map((dark, column) => (this.reserved[row]![column] ? dark : dark !== test(row, column))));
  }
}

/** ISO 18004 §7.8.3: the four penalty rules a mask is chosen by. */
function penalty(matrix: boolean[][]): number {
  const size = matrix.length;
  let score = 0;
  const lines = [...matrix, ...matrix.map((_, column) => matrix.map((line) => line[column]!))];
  for (const line of lines) {
    for (let start = 0; start < size;) {
      let end = start;
      while (end < size && line[end] === line[start]) end += 1;
      if (end - start >= 5) score += end - start - 2;
      start = end;
    }
    const text = line.map((dark) => (dark ? '1' : '0')).join('');
    score += 40 * (text.match(/(?=(10111010000|00001011101))/g)?.length ?? 0);
  }
  for (let row = 0; row < size - 1; row += 1) {
    for (let column = 0; column < size - 1; column += 1) {
      const dark = matrix[row]![column];
      if (matrix[row]![column + 1] === dark && matrix[row + 1]![column] === dark && matrix[row + 1]![column + 1] === dark) score += 3;
    }
  }
  const darkShare = matrix.flat().filter(Boolean).length / (size * size);
  return score + 10 * Math.floor(Math.abs(darkShare * 100 - 50) / 5);
}

export function encodeQr(text: string): QrMatrix {
  const bytes = new TextEncoder().encode(text);
  const version = BLOCKS.findIndex(([, lengths], index) => {
    const capacity = lengths.reduce((sum, length) => sum + length, 0);
    return 4 + (index < 9 ? 8 : 16) + bytes.length * 8 <= capacity * 8;
  }) + 1;
  if (version === 0) throw new RangeError(`${bytes.length} bytes is more than a version 10 QR code holds (213)`);
  const capacity = BLOCKS[version - 1]![1].reduce((sum, length) => sum + length, 0);
  const symbol = new QrSymbol(version);
  symbol.placeData(interleaved(dataCodewords(bytes, version, capacity), version));
  let best: { matrix: boolean[][]; score: number } | undefined;
  for (let mask = 0; mask < MASKS.length; mask += 1) {
    symbol.formatInformation(mask);
    const matrix = symbol.masked(mask);
    const score = penalty(matrix);
    if (!best || score < best.score) best = { matrix, score };
  }
  return best!.matrix;
}
