/**
 * Whether a JSON text nests objects and arrays deeper than `maxDepth` levels (the outermost
 * container is level 1). A single pass over the bytes with a counter, so any depth is checked in
 * constant stack: run it before a parser that recurses per level (`parseLossless`), which would
 * otherwise overflow the call stack on a document nested 100 000 levels deep. Brackets inside
 * strings do not count; UTF-8 continuation bytes never equal a bracket, quote or backslash.
 */
export function jsonNestsDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
