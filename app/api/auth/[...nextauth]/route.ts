import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/auth-options";
import { getRuntime } from "@/server/runtime";

type NextAuthContext = { params: Promise<{ nextauth: string[] }> };

async function handler(request: Request, context: NextAuthContext): Promise<Response> {
  const runtime = await getRuntime();
  return NextAuth(authOptions(runtime))(request, context) as Promise<Response>;
}

// GET/POST /api/auth/* — next-auth sign-in, sign-out, session and CSRF endpoints
export { handler as GET, handler as POST };
