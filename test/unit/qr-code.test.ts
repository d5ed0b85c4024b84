// The QR encoder (src/qr/), read back by an independent decoder (jsQR) from the pixels a camera
// would see: every version from 1 to 10, the verification URIs a device shows among them.
import { describe, expect, it } from 'vitest';
import { encodeQr } from '../../src/qr/qr-code.ts';
import { qrSvg, qrText } from '../../src/qr/render.ts';
import { readQrModules, terminalQrModules } from '../support/qr-reader.ts';

// With the quiet zone of four modules that readers need around a code.
const read = (text: string) => readQrModules(encodeQr(text), 4);

describe('QR codes', () => {
  it('encode a device verification URI that a decoder reads back', () => {
    const uri = 'http://localhost:3000/device?user_code=BCDF-GHJK';
    expect(read(uri)).toBe(uri);
    expect(encodeQr(uri)).toHaveLength(33); // version 4
  });

  it('read back at every version from 1 to 10', () => {
    for (const length of [1, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213]) {
      const text = `https://idp.example/${'x'.repeat(Math.max(0, length - 20))}`.slice(0, Math.max(length, 1));
      expect(read(text), `${text.length} bytes`).toBe(text);
    }
  });

  it('refuse a text longer than version 10 holds', () => {
    expect(() => encodeQr('x'.repeat(214))).toThrow(/more than a version 10 QR code holds/);
  });

  it('draw as an SVG with a title, and as terminal text of half blocks', () => {
    const svg = qrSvg('http://localhost:3000/device?user_code=BCDF-GHJK', { title: 'Scan <me>' });
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 41 41"/);
    expect(svg).toContain('<title>Scan &lt;me&gt;</title>');
    const lines = qrText('http://localhost:3000/device?user_code=BCDF-GHJK').split('\n');
    expect(lines).toHaveLength(21);
    expect(lines.every((line) => [...line].length === 41 && /^[ ▀▄█]+$/.test(line))).toBe(true);
    expect(readQrModules(terminalQrModules(lines.join('\n'))!)).toBe('http://localhost:3000/device?user_code=BCDF-GHJK');
  });
});
