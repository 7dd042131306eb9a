import type { ObjectAnswer } from "@/lib/blobs/serve-object";
import { errorResponseParts } from "./errors";
import { nodeStreamResponse } from "./node-web-bridge";

/**
 * A download answer ({@link ObjectAnswer}, from `answerObjectRequest`) as a web `Response`: the
 * bytes streamed as the client reads them, a 412/416 with the API's error body, 304 and HEAD
 * without a body.
 */
export function objectResponse(answer: ObjectAnswer): Response {
  if (answer.error) {
    const { body } = errorResponseParts(answer.error);
    const headers = { ...answer.headers, "content-type": "application/json" };
    delete (headers as Record<string, string | undefined>)["content-length"];
    return new Response(JSON.stringify(body), { status: answer.status, headers });
  }
  if (!answer.body) return new Response(null, { status: answer.status, headers: answer.headers });
  return nodeStreamResponse(answer.body, { status: answer.status, headers: answer.headers });
}
