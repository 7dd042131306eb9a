import { DomainError } from "@/lib/errors";

const bufferedBodies = new WeakMap<Request, Buffer>();

/**
 * A request whose body the caller has already read into memory (the custom server's direct
 * routes): handing the bytes over beside the request skips a web stream round trip per request.
 */
export function requestWithBufferedBody(
  url: URL,
  init: { method: string; headers: Headers | Record<string, string> },
  body: Buffer,
): Request {
  const request = new Request(url, init);
  bufferedBodies.set(request, body);
  return request;
}

/** The body given to {@link requestWithBufferedBody}, if any. */
export function bufferedBodyOf(request: Request): Buffer | undefined {
  return bufferedBodies.get(request);
}

/** The error for a body over an endpoint's cap. */
export function bodyTooLarge(maxBytes: number): DomainError {
  return new DomainError("too_large", `The body is larger than the ${maxBytes} bytes this endpoint takes.`, {
    reason: "body_too_large",
  });
}

/**
 * Read a request body up to `maxBytes`, counting as it streams (a client may lie in
 * Content-Length or send none), and fail with `too_large` as soon as the cap is passed.
 */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new DomainError(
      "too_large",
      `The body (${declared} bytes) is larger than the ${maxBytes} bytes this endpoint takes.`,
      {
        reason: "body_too_large",
      },
    );
  }
  const buffered = bufferedBodies.get(request);
  if (buffered) {
    if (buffered.length > maxBytes) throw bodyTooLarge(maxBytes);
    return buffered;
  }
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw bodyTooLarge(maxBytes);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** Parse a JSON body; an empty body is `undefined` (the schema decides whether that is fine). */
export function parseJsonBody(bytes: Buffer, contentType: string | null): unknown {
  if (bytes.length === 0) return undefined;
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type && type !== "application/json" && !type.endsWith("+json") && type !== "text/plain") {
    throw new DomainError("unsupported_media_type", `Send JSON (Content-Type: application/json), not ${type}.`, {
      reason: "json_required",
    });
  }
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new DomainError("invalid", `The body is not valid JSON: ${(error as Error).message}`, {
      reason: "invalid_json",
    });
  }
}
