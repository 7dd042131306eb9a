import type { Role } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { authenticateTrainingToken } from "@/lib/training/authenticate-training-token";
import { TRAINING_TOKEN_PREFIX } from "@/lib/training/training-token-id";
import type { TrainingScope } from "@/lib/training/schemas";
import { withUser } from "@/server/auth/with-user";
import type { Authenticator } from "@/server/http/route";

function bearer(request: Request): string | null {
  return request.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? null;
}

/**
 * Route authenticator for notebooks: `Authorization: Bearer <training token>`. The token is looked
 * up by its SHA-256 (the secret is never stored). Missing, unknown, revoked or expired → 401 with
 * reason `training_token_required`, `unknown_token`, `token_revoked` or `token_expired`; a token
 * without `scope` → 403 `insufficient_scope`. Its last use is recorded.
 */
export function withTrainingToken(scope: TrainingScope = "training"): Authenticator {
  return async ({ request, runtime, info }) => {
    const token = bearer(request);
    if (!token) {
      throw new DomainError("unauthenticated", "Send a training token: Authorization: Bearer <token>.", {
        reason: "training_token_required",
      });
    }
    const ctx = runtime.contextFor({ kind: "anonymous" }, info);
    const { tokenId } = await authenticateTrainingToken(ctx, token, scope);
    return { actor: { kind: "training", tokenId } };
  };
}

/**
 * Routes shared by notebooks and the console (the seed's `POST /api/training/create` and
 * `/update`, reads of jobs and models): a `ctt_` bearer is a training token, anything else is a
 * signed-in user with at least `role`.
 */
export function withTrainingTokenOrUser(scope: TrainingScope, role: Role = "operator"): Authenticator {
  const asToken = withTrainingToken(scope);
  const asUser = withUser(role);
  return async (input) =>
    bearer(input.request)?.startsWith(`${TRAINING_TOKEN_PREFIX}_`) ? asToken(input) : asUser(input);
}
