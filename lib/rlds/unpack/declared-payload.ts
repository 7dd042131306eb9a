/**
 * Raw frame files say in their header what they hold: a NumPy `.npy` its dtype and shape, a BMP
 * or binary PGM/PPM its width, height and depth. For such a file the size it inflates to is
 * known before its data is read, so a camera that records all-zero frames (a mock camera, a lens
 * cap) is not a decompression bomb: its frames compress hundreds to one, but each one is exactly
 * as large as its header says. The unpack budget leaves these bytes out of the ratio check
 * (`UnpackBudget`); everything else in the archive is judged by the ratio as before.
 */

/** Bytes needed to read any header we judge (an `.npy` header is at most 64 KiB in format 1.0). */
export const DECLARED_HEAD_BYTES = 65_536 + 12;

/** Largest side of a frame we vouch for, and the largest channel count. */
const MAX_SIDE = 16_384;
const MAX_CHANNELS = 4;

/** A decoded `.npy` header. */
export interface NpyHeader {
  /** Bytes before the array data (magic, version, header length, header). */
  dataOffset: number;
  /** `|u1`, `<u2`, `<f4`, … */
  descr: string;
  itemSize: number;
  kind: "u" | "i" | "f" | "b";
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
}

const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/**
 * Parse the header of a NumPy `.npy` file (format 1.0–3.0): `\x93NUMPY`, major, minor, a header
 * length (u16 in 1.0, u32 after), then a Python dict literal `{'descr': '<u2', 'fortran_order':
 * False, 'shape': (480, 640), }`. Returns null when `head` is not an `.npy` header we read
 * (another dtype, structured arrays, a truncated header).
 */
export function parseNpyHeader(head: Uint8Array): NpyHeader | null {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(NPY_MAGIC)) return null;
  const major = bytes[6]!;
  let headerLength: number;
  let start: number;
  if (major === 1) {
    headerLength = bytes.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) return null;
    headerLength = bytes.readUInt32LE(8);
    start = 12;
  } else {
    return null;
  }
  if (bytes.length < start + headerLength) return null;
  const text = bytes.toString("latin1", start, start + headerLength);
  const descr = /'descr'\s*:\s*'([<>|=])([uifb])(\d+)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (descr === null || fortran === null || shape === null) return null;
  const dims = shape[1]!
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (!dims.every((dim) => /^\d{1,9}$/.test(dim))) return null;
  const itemSize = Number(descr[3]);
  if (![1, 2, 4, 8].includes(itemSize)) return null;
  return {
    dataOffset: start + headerLength,
    descr: `${descr[1]}${descr[2]}${descr[3]}`,
    itemSize,
    kind: descr[2] as NpyHeader["kind"],
    littleEndian: descr[1] !== ">",
    fortranOrder: fortran[1] === "True",
    shape: dims.map(Number),
  };
}

/** Whether a shape is a frame: H×W or H×W×C, sides up to 16 384, at most 4 channels. */
function isFrameShape(height: number, width: number, channels: number): boolean {
  return (
    height > 0 && width > 0 && height <= MAX_SIDE && width <= MAX_SIDE && channels >= 1 && channels <= MAX_CHANNELS
  );
}

function npySize(head: Buffer): number | null {
  const header = parseNpyHeader(head);
  if (header === null) return null;
  const [height, width, channels = 1, ...rest] = header.shape;
  if (height === undefined || width === undefined || rest.length > 0 || !isFrameShape(height, width, channels)) {
    return null;
  }
  return header.dataOffset + height * width * channels * header.itemSize;
}

/** BMP (`BM`, uncompressed BI_RGB / BI_BITFIELDS): data offset + rows padded to 4 bytes. */
function bmpSize(head: Buffer): number | null {
  if (head.length < 34 || head[0] !== 0x42 || head[1] !== 0x4d) return null;
  const dataOffset = head.readUInt32LE(10);
  const width = head.readInt32LE(18);
  const height = Math.abs(head.readInt32LE(22));
  const bitsPerPixel = head.readUInt16LE(28);
  const compression = head.readUInt32LE(30);
  if (compression !== 0 && compression !== 3) return null;
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel) || !isFrameShape(height, width, 1)) return null;
  const rowBytes = Math.ceil((bitsPerPixel * width) / 32) * 4;
  return dataOffset + rowBytes * height;
}

/** Binary PGM/PPM (`P5`/`P6`): the header text, then width × height × channels samples of 1 or 2 bytes. */
function pnmSize(head: Buffer): number | null {
  const match = /^P([56])\s+(?:#[^\n]*\n\s*)*(\d+)\s+(?:#[^\n]*\n\s*)*(\d+)\s+(?:#[^\n]*\n\s*)*(\d+)\s/.exec(
    head.toString("latin1", 0, Math.min(head.length, 512)),
  );
  if (match === null) return null;
  const channels = match[1] === "6" ? 3 : 1;
  const width = Number(match[2]);
  const height = Number(match[3]);
  const maxValue = Number(match[4]);
  if (maxValue < 1 || maxValue > 65_535 || !isFrameShape(height, width, channels)) return null;
  return match[0].length + width * height * channels * (maxValue > 255 ? 2 : 1);
}

/**
 * The exact size a raw frame file declares for itself (`.npy`, `.bmp`, `.pgm`, `.ppm`), from its
 * first bytes, or null when the file is none of those or its header is not a frame's. The caller
 * compares it with the archive's size for the entry: only a file whose header and archive entry
 * agree is judged by its declared size.
 */
export function declaredPayloadSize(path: string, head: Uint8Array): number | null {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  switch (extension) {
    case "npy":
      return npySize(bytes);
    case "bmp":
      return bmpSize(bytes);
    case "pgm":
    case "ppm":
    case "pnm":
      return pnmSize(bytes);
    default:
      return null;
  }
}

/** Whether an entry may be a raw frame, judged by name (before its bytes are read). */
export function mayDeclarePayload(path: string): boolean {
  return /\.(npy|bmp|pgm|ppm|pnm)$/i.test(path);
}

/**
 * How many first bytes of `path` are needed to judge it, given the `head` read so far: an `.npy`
 * header says its own length in its first 12 bytes; the image headers fit in 512.
 */
export function headBytesNeeded(path: string, head: Uint8Array): number {
  if (!/\.npy$/i.test(path)) return 512;
  if (head.length < 12) return 12;
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (!bytes.subarray(0, 6).equals(NPY_MAGIC)) return 0;
  const length = bytes[6] === 1 ? 10 + bytes.readUInt16LE(8) : 12 + bytes.readUInt32LE(8);
  return Math.min(length, DECLARED_HEAD_BYTES);
}
