import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { TrainingTokens, type TrainingScope } from "./schemas";
import { TRAINING_TOKEN_PREFIX, trainingTokenId } from "./training-token-id";

/** Last-used times are written at most this often per token: 20 workers sharing a token must not contend on one document. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolve a bearer token to a training actor. Unknown, revoked and expired tokens are 401 with a
 * reason saying which; a token without the scope the route needs is 403 `insufficient_scope`.
 * Records when (and from where) the token was last used.
 */
export async function authenticateTrainingToken(
  ctx: Ctx,
  token: string,
  scope: TrainingScope,
): Promise<{ tokenId: string; scopes: TrainingScope[] }> {
  if (!token.startsWith(`${TRAINING_TOKEN_PREFIX}_`) || token.length > 200) {
    throw new DomainError("unauthenticated", "This is not a training token (they start with ctt_).", {
      reason: "unknown_token",
    });
  }
  const id = trainingTokenId(token);
  const doc = await ctx.db.get(TrainingTokens, id);
  if (!doc) throw new DomainError("unauthenticated", "Unknown training token.", { reason: "unknown_token" });
  const now = ctx.now();
  if (doc.data.revoked_at) {
    throw new DomainError("unauthenticated", `Training token ${doc.data.name} was revoked.`, {
      reason: "token_revoked",
    });
  }
  if (doc.data.expires_at && new Date(doc.data.expires_at).getTime() <= now.getTime()) {
    throw new DomainError("unauthenticated", `Training token ${doc.data.name} expired at ${doc.data.expires_at}.`, {
      reason: "token_expired",
    });
  }
  // `training` includes reading; `training:read` is reading only.
  const allowed = scope === "training:read" ? doc.data.scopes.length > 0 : doc.data.scopes.includes("training");
  if (!allowed) {
    throw new DomainError(
      "forbidden",
      `Training token ${doc.data.name} has scope ${doc.data.scopes.join(", ")}; this needs ${scope}.`,
      {
        reason: "insufficient_scope",
      },
    );
  }
  const lastUsed = doc.data.last_used_at ? new Date(doc.data.last_used_at).getTime() : 0;
  if (now.getTime() - lastUsed >= LAST_USED_RESOLUTION_MS) {
    await ctx.db
      .update(TrainingTokens, id, { last_used_at: now.toISOString(), last_used_ip: ctx.request.ip })
      .catch((error: unknown) => ctx.log.warn({ err: error, token: id }, "could not record training token use"));
  }
  return { tokenId: id, scopes: doc.data.scopes };
}
