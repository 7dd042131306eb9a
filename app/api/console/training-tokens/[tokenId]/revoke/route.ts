import { z } from "zod";
import { revokeTrainingToken } from "@/lib/training/revoke-training-token";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/console/training-tokens/{token_id}/revoke — an admin revokes a training token (audited); its next call is 401
export const POST = createRoute(
  withUser("admin"),
  { params: z.object({ tokenId: z.string().min(1).max(100) }), bodyMode: "none" },
  async ({ ctx, params }) => revokeTrainingToken(ctx, params.tokenId),
);
