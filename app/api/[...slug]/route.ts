import { DomainError } from "@/lib/errors";
import { errorResponse } from "@/server/http/errors";

function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return errorResponse(
    new DomainError("not_found", `No API route ${request.method} ${path}.`, { reason: "route_missing" }),
  );
}

// ANY /api/* that no route matches — a JSON 404 instead of an HTML page, so API clients can parse it
export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
