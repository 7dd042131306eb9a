/**
 * Indent one JSON text without parsing it, so numbers keep their exact digits (robots write
 * nanosecond clocks past 2^53, which `JSON.parse` + `JSON.stringify` would round). Hand-written
 * because formatters parse first; this only moves whitespace outside strings.
 */
export function prettyJson(text: string, indent = "  "): string {
  let out = "";
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === "\\") {
        out += text[i + 1] ?? "";
        i += 1;
      } else if (ch === '"') {
        inString = false;
      }
      continue;
    }
    switch (ch) {
      case '"':
        inString = true;
        out += ch;
        break;
      case "{":
      case "[": {
        const close = ch === "{" ? "}" : "]";
        let j = i + 1;
        while (j < text.length && /\s/.test(text[j]!)) j++;
        if (text[j] === close) {
          out += ch + close;
          i = j;
        } else if (ch === "[" && scalarArrayEnd(text, i) !== -1) {
          // Arrays of numbers and strings (joint vectors, quaternions) stay on one line.
          const end = scalarArrayEnd(text, i);
          out += text
            .slice(i, end + 1)
            .replace(/\s+/g, "")
            .replace(/,/g, ", ");
          i = end;
        } else {
          depth += 1;
          out += `${ch}\n${indent.repeat(depth)}`;
        }
        break;
      }
      case "}":
      case "]":
        depth = Math.max(0, depth - 1);
        out += `\n${indent.repeat(depth)}${ch}`;
        break;
      case ",":
        out += `,\n${indent.repeat(depth)}`;
        break;
      case ":":
        out += ": ";
        break;
      default:
        if (!/\s/.test(ch)) out += ch;
    }
  }
  return out;
}

/** The index of the `]` closing a flat array of numbers/literals starting at `start`, or -1 (nested, strings, or long). */
function scalarArrayEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length && i - start < 400; i++) {
    const ch = text[i]!;
    if (ch === "]") return i;
    if (ch === "[" || ch === "{" || ch === '"') return -1;
  }
  return -1;
}
