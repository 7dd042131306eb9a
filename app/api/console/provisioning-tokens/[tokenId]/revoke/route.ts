import { z } from "zod";
import { revokeProvisioningToken } from "@/lib/robots/revoke-provisioning-token";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// POST /api/console/provisioning-tokens/{token_id}/revoke — an admin revokes a token (robots already registered keep working)
export const POST = createRoute(
  withUser("admin"),
  { params: z.object({ tokenId: z.string().max(100) }), bodyMode: "none" },
  async ({ ctx, params }) => revokeProvisioningToken(ctx, { token_id: params.tokenId }),
);
