import NextAuth from "next-auth";
import { DomainError } from "@/lib/errors";
import { authOptions } from "@/server/auth/auth-options";
import { requestOriginVerdict } from "@/server/auth/with-user";
import { errorResponse } from "@/server/http/errors";
import { getRuntime } from "@/server/runtime";

type NextAuthContext = { params: Promise<{ nextauth: string[] }> };

async function handler(request: Request, context: NextAuthContext): Promise<Response> {
  const runtime = await getRuntime();
  // next-auth's own POSTs (sign-in, sign-out) need its double-submit CSRF token; a form posted
  // from another site is refused before that, by its Origin or Sec-Fetch-Site (/docs/security).
  if (request.method === "POST" && requestOriginVerdict(runtime.config.publicUrl, request) === "cross_site") {
    return errorResponse(
      new DomainError("forbidden", "Cross-site requests are not allowed.", { reason: "cross_site_request" }),
    );
  }
  return NextAuth(authOptions(runtime))(request, context) as Promise<Response>;
}

// GET/POST /api/auth/* — next-auth sign-in, sign-out, session and CSRF endpoints
export { handler as GET, handler as POST };
