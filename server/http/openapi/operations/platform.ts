import { z } from "zod";
import { ZAuditFilter } from "@/lib/audit/list-audit";
import { ZAuditEntry } from "@/lib/audit/schemas";
import { ZChangePasswordInput } from "@/lib/users/change-password";
import { ZChangeRoleInput } from "@/lib/users/change-role";
import { ZSetUserDisabledInput } from "@/lib/users/set-user-disabled";
import { ZRole, ZSignInInput, ZSignUpInput } from "@/lib/users/schemas";
import type { OperationSpec } from "../types";
import { ZPageQuery, page, pathParams } from "./common";

/**
 * Accounts, audit and the platform's own endpoints. next-auth answers everything under
 * `/api/auth/*` from one catch-all route; the entries below are the endpoints clients use.
 */
export const PLATFORM_OPERATIONS: OperationSpec[] = [
  {
    method: "POST",
    path: "/api/auth/signup",
    operationId: "signUp",
    summary: "Create a local account (the first one becomes admin)",
    description:
      "Embedded default only; on Google Cloud people sign in with Firebase Auth. The password must not be common, breached or easily guessed (400 `weak_password`, with the reason). The answer is the same 202 whether the email was free or already had an account (which is left unchanged), so it does not reveal who has an account: sign in next (`POST /api/auth/sign-in`). Limited per address (`SIGNUP_RATE_LIMIT_PER_HOUR`).",
    area: "accounts",
    auth: ["public"],
    body: { schema: ZSignUpInput },
    responses: {
      202: z.object({ status: z.literal("accepted"), email: z.string(), message: z.string() }),
      400: "`invalid_input` or `weak_password` (details.issues names the field and why)",
      429: "Too many sign-ups from this address (`rate_limited`, `Retry-After`)",
    },
  },
  {
    method: "POST",
    path: "/api/auth/sign-in",
    operationId: "signInWithPassword",
    summary: "Sign in with email and password (local accounts; sets the session cookie)",
    description:
      "What the sign-in form calls. `callbackUrl` is answered back as `redirect_to` only when it is a same-origin path (else `/console`). Throttled per account and address: after 5 wrong passwords from one address that address waits 30 s, then twice as long after each further failure (at most 15 min), the right password included; other addresses are unaffected. Each address also has `SIGNIN_RATE_LIMIT_PER_15MIN` attempts in 15 minutes.",
    area: "accounts",
    auth: ["public"],
    body: {
      schema: z.object({ email: z.string(), password: z.string(), callbackUrl: z.string().optional() }),
    },
    responses: {
      200: z.object({ uid: z.string(), email: z.string(), role: ZRole, redirect_to: z.string() }),
      401: "`bad_credentials` (wrong email or password) or `account_disabled`",
      429: "`sign_in_throttled` with `Retry-After` (seconds)",
    },
  },
  {
    method: "POST",
    path: "/api/auth/password",
    operationId: "changePassword",
    summary: "Change your own password; every session of the account ends, this one included",
    area: "accounts",
    auth: ["user"],
    body: { schema: ZChangePasswordInput },
    responses: {
      200: z.object({ changed: z.literal(true), signed_out: z.literal(true) }),
      400: "`wrong_current_password`, `weak_password` or `invalid_input`",
      429: "`sign_in_throttled` (the current password is throttled like a sign-in)",
    },
  },
  {
    method: "GET",
    path: "/api/auth/csrf",
    operationId: "getCsrfToken",
    summary: "next-auth: the CSRF token a sign-in or sign-out form posts",
    area: "accounts",
    auth: ["public"],
    responses: { 200: z.object({ csrfToken: z.string() }) },
  },
  {
    method: "GET",
    path: "/api/auth/providers",
    operationId: "listAuthProviders",
    summary: "next-auth: how this deployment signs people in (`credentials` locally, `firebase` in the cloud)",
    area: "accounts",
    auth: ["public"],
    responses: { 200: "`{<provider id>: {id, name, type, signinUrl, callbackUrl}}`" },
  },
  {
    method: "POST",
    path: "/api/auth/callback/{provider}",
    operationId: "signIn",
    summary: "next-auth: sign in (sets the session cookie)",
    description:
      "Form-encoded: `csrfToken` and, for `credentials`, `email` + `password`; for `firebase`, `idToken` (a Firebase ID token). Throttled like `POST /api/auth/sign-in`, but next-auth answers a refusal with its own error redirect, without `Retry-After`.",
    area: "accounts",
    auth: ["public"],
    params: pathParams("provider"),
    body: {
      contentType: "application/x-www-form-urlencoded",
      schema: ZSignInInput.extend({ csrfToken: z.string() }),
      name: "SignInForm",
    },
    responses: { 200: "Signed in: `Set-Cookie: next-auth.session-token=…`", 302: "Signed in (browser form post)" },
  },
  {
    method: "GET",
    path: "/api/auth/session",
    operationId: "getSession",
    summary: "next-auth: the signed-in user (`{}` when signed out)",
    area: "accounts",
    auth: ["public"],
    responses: { 200: "`{user: {name, email}, uid, role, expires}` or `{}`" },
  },
  {
    method: "POST",
    path: "/api/auth/signout",
    operationId: "signOut",
    summary: "next-auth: sign out (clears the cookie and ends every session of the account server-side)",
    area: "accounts",
    auth: ["user"],
    body: { contentType: "application/x-www-form-urlencoded", description: "`csrfToken`" },
    responses: { 200: "Signed out", 302: "Signed out (browser form post)" },
  },
  {
    method: "GET",
    path: "/api/console/users",
    operationId: "listUsers",
    summary: "Accounts, a page at a time",
    area: "accounts",
    auth: ["admin"],
    query: ZPageQuery,
    responses: { 200: "`{users: [{uid, email, display_name, role, created_at, …}], next_cursor}`" },
  },
  {
    method: "PATCH",
    path: "/api/console/users/{uid}/role",
    operationId: "changeRole",
    summary: "Change a user's role (audited)",
    area: "accounts",
    auth: ["admin"],
    params: pathParams("uid"),
    body: { schema: ZChangeRoleInput.pick({ role: true }) },
    responses: { 200: z.object({ uid: z.string(), role: ZRole }) },
  },
  {
    method: "PATCH",
    path: "/api/console/users/{uid}/disabled",
    operationId: "setUserDisabled",
    summary: "Disable an account (its sessions end, it cannot sign in) or enable it again (audited)",
    area: "accounts",
    auth: ["admin"],
    params: pathParams("uid"),
    body: { schema: ZSetUserDisabledInput.pick({ disabled: true }) },
    responses: {
      200: z.object({ uid: z.string(), disabled: z.boolean(), disabled_at: z.string().nullable() }),
      409: "`cannot_disable_self`",
    },
  },
  {
    method: "GET",
    path: "/api/console/audit",
    operationId: "listAudit",
    summary: "The audit log, newest first, filtered",
    area: "accounts",
    auth: ["admin"],
    query: ZAuditFilter,
    responses: { 200: page("entries", ZAuditEntry.extend({ id: z.string() })) },
  },
  {
    method: "GET",
    path: "/api/console/audit/export",
    operationId: "exportAudit",
    summary: "The filtered audit log as JSON Lines, streamed",
    area: "accounts",
    auth: ["admin"],
    query: ZAuditFilter.omit({ cursor: true, limit: true }),
    responses: {
      200: { contentType: "application/x-ndjson", description: "One audit entry per line (an attachment)" },
    },
  },
  {
    method: "GET",
    path: "/api/health",
    operationId: "getHealth",
    summary: "The process is alive (no dependency checks; see /api/ready)",
    area: "platform",
    auth: ["public"],
    responses: { 200: z.object({ status: z.literal("ok") }) },
  },
  {
    method: "GET",
    path: "/api/ready",
    operationId: "getReadiness",
    summary: "The store and blob store answer (503 otherwise, so the platform holds traffic back)",
    area: "platform",
    auth: ["public"],
    responses: {
      200: '`{status: "ready", checks: {store: {driver, ok, ms}, blobs: {driver, ok, ms}}}`',
      503: '`{status: "unavailable", checks: …}` naming what failed',
    },
  },
  {
    method: "GET",
    path: "/api/metrics",
    operationId: "getMetrics",
    summary: "Prometheus metrics (off unless METRICS_TOKEN is set)",
    area: "platform",
    auth: ["metrics-token"],
    responses: {
      200: { contentType: "text/plain; version=0.0.4", description: "Prometheus text format" },
      401: "No or wrong bearer token (`metrics_token_required`)",
      404: "Metrics are off (`metrics_disabled`)",
    },
  },
  {
    method: "GET",
    path: "/api/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This reference as an OpenAPI 3.1 document",
    area: "platform",
    auth: ["public"],
    responses: { 200: "The OpenAPI document (rendered at /docs/api)" },
  },
];
