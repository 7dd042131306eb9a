import { GcsError } from "./gcs-error";

export interface MultipartPart {
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Split a `multipart/related` body (RFC 2387, as the JSON API's multipart upload sends it: JSON
 * metadata, then the media). Small on purpose: the test server holds bodies in memory anyway.
 */
export function parseMultipartRelated(body: Buffer, contentType: string): MultipartPart[] {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = boundaryMatch?.[1] ?? boundaryMatch?.[2];
  if (!/^multipart\/related/i.test(contentType) || !boundary) {
    throw new GcsError(
      400,
      "InvalidArgument",
      "A multipart upload needs Content-Type multipart/related with a boundary.",
    );
  }
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw new GcsError(400, "InvalidArgument", "The multipart body has no boundary.");
  for (;;) {
    let start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    if (body.subarray(start, start + 2).toString() === "\r\n") start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw new GcsError(400, "InvalidArgument", "The multipart body is not closed.");
    let end = next;
    if (body.subarray(end - 2, end).toString() === "\r\n") end -= 2;
    const part = body.subarray(start, end);
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) throw new GcsError(400, "InvalidArgument", "A multipart part has no header block.");
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, split).toString("utf8").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, body: part.subarray(split + 4) });
    position = next;
  }
  return parts;
}
