import { listBuildableModels } from "@/lib/ota/list-buildable-models";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/ota/models — production models a bundle can be built from
export const GET = createRoute(withUser("operator"), {}, async ({ ctx }) => ({
  models: (await listBuildableModels(ctx)).map((doc) => ({ model_id: doc.id, ...doc.data })),
}));
