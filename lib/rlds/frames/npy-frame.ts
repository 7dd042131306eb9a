import { PNG } from "pngjs";
import { parseNpyHeader } from "@/lib/rlds/unpack/declared-payload";

/** Largest `.npy` frame rendered for replay (a 4K RGB frame is ~25 MiB); larger ones stay raw only. */
export const MAX_RENDERED_NPY_BYTES = 64 * 1024 * 1024;

/** PNG colour types (the PNG specification's numbers, as pngjs takes them). */
const GRAY = 0;
const RGB = 2;
const RGBA = 6;

export type NpyRenderFailure = { ok: false; why: string };
export type NpyRendering = { ok: true; png: Buffer; width: number; height: number; kind: "color" | "gray" };

/**
 * An image of a camera frame saved with `numpy.save`, for the replay: `uint8` H×W×3 (RGB), H×W×4
 * (RGBA) and H×W (grey) become PNG pixels as they are; a single-channel `uint16` or `float32`
 * array (a depth map) becomes 8-bit grey scaled to the frame's largest value, so near is dark and
 * far is light (0, no reading, stays black). The `.npy` itself is kept unchanged next to it.
 */
export async function renderNpyFrame(bytes: Buffer): Promise<NpyRendering | NpyRenderFailure> {
  const header = parseNpyHeader(bytes);
  if (header === null) return { ok: false, why: "it is not a NumPy .npy file with a plain numeric dtype" };
  if (header.fortranOrder) return { ok: false, why: "its data is in Fortran order" };
  const [height, width, channels = 1, ...rest] = header.shape;
  if (height === undefined || width === undefined || rest.length > 0 || height === 0 || width === 0) {
    return { ok: false, why: `its shape (${header.shape.join(", ")}) is not H×W or H×W×C` };
  }
  const pixels = height * width;
  const expected = header.dataOffset + pixels * channels * header.itemSize;
  if (bytes.length !== expected) {
    return { ok: false, why: `it holds ${bytes.length} bytes, its header declares ${expected}` };
  }
  const data = bytes.subarray(header.dataOffset);
  if (header.kind === "u" && header.itemSize === 1 && (channels === 1 || channels === 3 || channels === 4)) {
    const type = channels === 1 ? GRAY : channels === 3 ? RGB : RGBA;
    return {
      ok: true,
      png: await encode(width, height, type, Buffer.from(data)),
      width,
      height,
      kind: channels === 1 ? "gray" : "color",
    };
  }
  if (channels !== 1) return { ok: false, why: `a ${header.descr} array with ${channels} channels is not an image` };
  const read = sampleReader(header.descr, data);
  if (read === null) return { ok: false, why: `dtype ${header.descr} is not an image or depth format` };
  let max = 0;
  for (let i = 0; i < pixels; i++) {
    const value = read(i);
    if (value > max) max = value;
  }
  const gray = Buffer.alloc(pixels);
  if (max > 0) {
    for (let i = 0; i < pixels; i++) {
      const value = read(i);
      gray[i] = value > 0 ? Math.round((value / max) * 255) : 0;
    }
  }
  return { ok: true, png: await encode(width, height, GRAY, gray), width, height, kind: "gray" };
}

function sampleReader(descr: string, data: Buffer): ((i: number) => number) | null {
  switch (descr) {
    case "<u2":
    case "=u2":
      return (i) => data.readUInt16LE(i * 2);
    case ">u2":
      return (i) => data.readUInt16BE(i * 2);
    case "<f4":
    case "=f4":
      return (i) => finite(data.readFloatLE(i * 4));
    case ">f4":
      return (i) => finite(data.readFloatBE(i * 4));
    default:
      return null;
  }
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/** Encode raw pixels of one colour type as PNG; deflate runs on libuv's pool (not the event loop). */
async function encode(width: number, height: number, colorType: number, data: Buffer): Promise<Buffer> {
  const png = new PNG({
    width,
    height,
    colorType: colorType as 0 | 2 | 6,
    inputColorType: colorType as 0 | 2 | 6,
    inputHasAlpha: colorType === RGBA,
    bitDepth: 8,
  });
  png.data = data;
  // pngjs's PNG is a classic (pre-streams2) stream: collect its data events.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    png.on("data", (chunk: Buffer) => chunks.push(chunk));
    png.on("end", () => resolve(Buffer.concat(chunks)));
    png.on("error", reject);
    png.pack();
  });
}
