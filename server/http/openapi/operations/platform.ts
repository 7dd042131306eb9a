import { z } from "zod";
import { ZAuditFilter } from "@/lib/audit/list-audit";
import { ZAuditEntry } from "@/lib/audit/schemas";
import { ZChangeRoleInput } from "@/lib/users/change-role";
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
    description: "Embedded default only; on Google Cloud people sign in with Firebase Auth.",
    area: "accounts",
    auth: ["public"],
    body: { schema: ZSignUpInput },
    responses: { 201: z.object({ uid: z.string(), email: z.string(), role: ZRole }) },
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
      "Form-encoded: `csrfToken` and, for `credentials`, `email` + `password`; for `firebase`, `idToken` (a Firebase ID token). Ten sign-ins per account in 15 minutes.",
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
    summary: "next-auth: sign out (clears the session cookie)",
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
