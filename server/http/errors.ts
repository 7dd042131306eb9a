import { isDomainError, type ErrorCode } from "@/lib/errors";

/** The one table from domain error codes to HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  insufficient_storage: 507,
  internal: 500,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; reason?: string; details?: unknown; request_id?: string };
}

/**
 * Shape any thrown value as the API's error body. Unknown errors become a generic 500: their
 * message may hold internals, so it goes to the log, never to the caller.
 */
export function errorResponseParts(
  error: unknown,
  requestId?: string,
): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (isDomainError(error) && error.code !== "internal") {
    if (error.retryAfterS !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(error.retryAfterS)));
    return {
      status: STATUS_BY_CODE[error.code],
      headers,
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.reason ? { reason: error.reason } : {}),
          ...(error.details !== undefined ? { details: error.details } : {}),
          ...(requestId ? { request_id: requestId } : {}),
        },
      },
    };
  }
  return {
    status: 500,
    headers,
    body: {
      error: {
        code: "internal",
        message: "Something went wrong on our side.",
        ...(requestId ? { request_id: requestId } : {}),
      },
    },
  };
}

export function errorResponse(error: unknown, requestId?: string): Response {
  const { status, body, headers } = errorResponseParts(error, requestId);
  return Response.json(body, { status, headers });
}
