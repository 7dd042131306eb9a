import { PNG } from "pngjs";

/**
 * Test camera frames that say which frame they are, to a person and to a test: the frame number
 * in large digits, and in the top rows as a barcode of {@link FRAME_CODE_BITS} cells (cell k is
 * white when bit k is set), which `decodeFrameCode` reads back from the pixels. A bar moves with
 * the first joint, so playback visibly moves.
 */
export const FRAME_CODE_BITS = 20;
export const FRAME_CODE_ROWS = 8;

// 3×5 digit glyphs, one string per row.
const DIGITS: Record<string, string[]> = {
  "0": ["111", "101", "101", "101", "111"],
  "1": ["010", "110", "010", "010", "111"],
  "2": ["111", "001", "111", "100", "111"],
  "3": ["111", "001", "111", "001", "111"],
  "4": ["101", "101", "111", "001", "001"],
  "5": ["111", "100", "111", "001", "111"],
  "6": ["111", "100", "111", "101", "111"],
  "7": ["111", "001", "010", "010", "010"],
  "8": ["111", "101", "111", "101", "111"],
  "9": ["111", "101", "111", "001", "111"],
};

export interface CodedFrameInput {
  code: number;
  width?: number;
  height?: number;
  /** Joint positions (radians) of the step; the first moves the bar. */
  jointPositions?: readonly number[];
}

/** A PNG (RGB) showing `code`. */
export function renderCodedFrame(input: CodedFrameInput): Buffer {
  const width = input.width ?? 160;
  const height = input.height ?? 120;
  const png = new PNG({ width, height, colorType: 2, inputHasAlpha: true });
  const data = png.data;
  const hue = (input.code * 47) % 360;
  const [br, bg, bb] = hsl(hue, 0.35, 0.32);
  const set = (x: number, y: number, r: number, g: number, b: number) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 4;
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
    data[i + 3] = 255;
  };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) set(x, y, br, bg, bb);
  const cell = Math.floor(width / FRAME_CODE_BITS);
  for (let k = 0; k < FRAME_CODE_BITS; k++) {
    const on = (input.code >>> k) & 1 ? 255 : 0;
    for (let y = 0; y < FRAME_CODE_ROWS; y++) for (let x = k * cell; x < (k + 1) * cell; x++) set(x, y, on, on, on);
  }
  const text = String(input.code);
  const scale = Math.max(2, Math.floor(Math.min(width / (text.length * 4 + 1), (height - 20) / 7)));
  const left = Math.floor((width - (text.length * 4 - 1) * scale) / 2);
  const top = Math.floor((height - 5 * scale) / 2) + 4;
  for (let c = 0; c < text.length; c++) {
    const glyph = DIGITS[text[c]!]!;
    for (let gy = 0; gy < 5; gy++) {
      for (let gx = 0; gx < 3; gx++) {
        if (glyph[gy]![gx] !== "1") continue;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++)
            set(left + (c * 4 + gx) * scale + dx, top + gy * scale + dy, 250, 250, 245);
      }
    }
  }
  const joint = input.jointPositions?.[0] ?? 0;
  const barX = Math.round(((Math.max(-1.5, Math.min(1.5, joint)) + 1.5) / 3) * (width - 12));
  for (let y = height - 10; y < height - 2; y++) for (let x = barX; x < barX + 12; x++) set(x, y, 250, 190, 60);
  // Unfiltered rows and fast deflate: these frames are made by the thousand in test runs.
  return PNG.sync.write(png, { colorType: 2, filterType: 0, deflateLevel: 1 });
}

/** Read the code back from RGBA pixels of a frame drawn at its own size (`getImageData`). */
export function decodeFrameCode(rgba: ArrayLike<number>, width: number): number {
  const cell = Math.floor(width / FRAME_CODE_BITS);
  let code = 0;
  for (let k = 0; k < FRAME_CODE_BITS; k++) {
    const i = (Math.floor(FRAME_CODE_ROWS / 2) * width + k * cell + Math.floor(cell / 2)) * 4;
    if ((rgba[i]! + rgba[i + 1]! + rgba[i + 2]!) / 3 > 128) code |= 1 << k;
  }
  return code;
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
