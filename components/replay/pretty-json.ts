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
