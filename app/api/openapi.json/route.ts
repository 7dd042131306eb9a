import { buildOpenApiDocument } from "@/server/http/openapi/build-openapi-document";
import { anonymous, createRoute } from "@/server/http/route";

export const dynamic = "force-dynamic";

// GET /api/openapi.json — this API as an OpenAPI 3.1 document, generated from the routes' zod schemas (rendered at /docs/api)
export const GET = createRoute(anonymous, {}, async ({ ctx }) =>
  Response.json(buildOpenApiDocument({ serverUrl: ctx.config.publicUrl }), {
    headers: { "cache-control": "public, max-age=300" },
  }),
);
