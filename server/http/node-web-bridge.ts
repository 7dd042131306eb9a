import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

/**
 * A Node request's headers as a web Request takes them: Node's own record when every value is a
 * single string (the Request copies it once), else a Headers with each repeated field appended.
 */
export function webRequestHeaders(nodeHeaders: IncomingHttpHeaders): Headers | Record<string, string> {
  const values = Object.values(nodeHeaders);
  if (values.every((value) => typeof value === "string")) return nodeHeaders as Record<string, string>;
  const headers = new Headers();
  for (const [name, value] of Object.entries(nodeHeaders)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) value.forEach((item) => headers.append(name, item));
    else headers.set(name, value);
  }
  return headers;
}

/** Turn a Node request into a web `Request` without buffering the body. */
export function toWebRequest(req: IncomingMessage, origin: string): Request {
  const headers = webRequestHeaders(req.headers);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    // Required by Node's fetch for streamed request bodies.
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}

/** Write a web `Response` to a Node response, streaming the body. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  if (!response.body) {
    res.end();
    return;
  }
  const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream);
  await new Promise<void>((resolve, reject) => {
    body.on("error", reject);
    res.on("error", reject);
    res.on("finish", resolve);
    body.pipe(res);
  });
}

/** The Node stream behind a response made by {@link nodeStreamResponse}. */
const nodeBodies = new WeakMap<Response, Readable>();

/**
 * A web `Response` whose body is a Node stream, read only as the receiver takes it (a pull-based
 * web stream that holds no chunk ahead), so a download of any size uses constant memory. Next reads
 * the web body; the custom server's direct routes write the Node stream itself
 * ({@link nodeBodyOf}), without a web stream in between.
 */
export function nodeStreamResponse(stream: Readable, init: ResponseInit): Response {
  let iterator: AsyncIterator<Buffer> | null = null;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      },
      cancel() {
        stream.destroy();
      },
    },
    { highWaterMark: 0 },
  );
  const response = new Response(body, init);
  nodeBodies.set(response, stream);
  return response;
}

/** The Node stream a {@link nodeStreamResponse} answers with, if that is what `response` is. */
export function nodeBodyOf(response: Response): Readable | undefined {
  return nodeBodies.get(response);
}
