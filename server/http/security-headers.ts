/**
 * Response headers the custom server sets on every answer, before Next or a direct route writes
 * one: a Content-Security-Policy for pages (scripts only with this response's nonce, which Next
 * reads back from the request's `Content-Security-Policy` header and puts on every script it
 * renders), a locked-down policy for API answers, and HSTS when the public URL is https.
 * Described on /docs/security.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppConfig } from "@/lib/env";

/** One year; browsers keep to https for this long after seeing it once. */
export const HSTS_VALUE = "max-age=31536000; includeSubDomains";

/** What API answers (JSON, downloads) may do if opened as a document: nothing, and never in a frame. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface PagePolicySources {
  /** Origins pages fetch from and open WebSockets to, besides their own. */
  connect: string[];
  /** Origins images and media come from, besides their own (the bucket's signed URLs in cloud mode). */
  media: string[];
  /** Origins pages may frame (Firebase's sign-in helper in cloud mode). */
  frames: string[];
  https: boolean;
  dev: boolean;
}

function origin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** The WebSocket origin that goes with an http(s) origin. */
function wsOrigin(httpOrigin: string): string {
  return httpOrigin.replace(/^http/, "ws");
}

/** The origins a page's policy allows, from the deployment's configuration. */
export function pagePolicySources(config: AppConfig, dev: boolean): PagePolicySources {
  const connect = new Set<string>();
  const media = new Set<string>();
  const frames = new Set<string>();
  for (const url of [config.publicUrl, config.relayPublicUrl]) {
    const o = origin(url);
    if (!o) continue;
    connect.add(o);
    // The relay's WebSocket (`/api/remote/signal`) on the public or relay origin.
    connect.add(wsOrigin(o));
  }
  if (config.gcs) {
    // Signed URLs point at the bucket's API endpoint: replay frames, downloads, browser uploads.
    const bucket = origin(config.gcs.apiEndpoint ?? "https://storage.googleapis.com");
    if (bucket) {
      connect.add(bucket);
      media.add(bucket);
    }
  }
  if (config.firebaseAuth) {
    connect.add("https://identitytoolkit.googleapis.com");
    connect.add("https://securetoken.googleapis.com");
    if (config.firebaseAuth.emulatorHost) connect.add(`http://${config.firebaseAuth.emulatorHost}`);
    const authDomain = config.firebaseAuth.authDomain ?? `${config.firebaseAuth.projectId}.firebaseapp.com`;
    frames.add(`https://${authDomain}`);
    frames.add("https://accounts.google.com");
  }
  return {
    connect: [...connect],
    media: [...media],
    frames: [...frames],
    https: config.publicUrl.startsWith("https:"),
    dev,
  };
}

/** A fresh nonce per page answer (128 bits, base64). */
export function createNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * The page policy: scripts only with the nonce (and what they load, `'strict-dynamic'`), no inline
 * event handlers, no plugins, never framed. Styles may be inline (React's `style` attributes).
 */
export function pageCsp(sources: PagePolicySources, nonce: string): string {
  const list = (items: string[]) => (items.length ? ` ${items.join(" ")}` : "");
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${sources.dev ? " 'unsafe-eval'" : ""}`,
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${list(sources.media)}`,
    `media-src 'self' blob:${list(sources.media)}`,
    "font-src 'self' data:",
    `connect-src 'self'${list(sources.connect)}`,
    "worker-src 'self' blob:",
    `frame-src${sources.frames.length ? list(sources.frames) : " 'none'"}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (sources.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** Paths that are files Next serves as they are (no HTML, no nonce to carry). */
function isStaticAsset(path: string): boolean {
  return path.startsWith("/_next/static/") || path.startsWith("/_next/image");
}

/**
 * Set the security headers for `req` on `res`. For a page, the policy also goes on the request:
 * Next reads the nonce from the request's `Content-Security-Policy` while rendering.
 */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, sources: PagePolicySources): void {
  if (sources.https) res.setHeader("strict-transport-security", HSTS_VALUE);
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  if (path === "/api" || path.startsWith("/api/")) {
    delete req.headers["content-security-policy"];
    res.setHeader("content-security-policy", API_CSP);
    return;
  }
  if (isStaticAsset(path)) {
    delete req.headers["content-security-policy"];
    return;
  }
  const policy = pageCsp(sources, createNonce());
  req.headers["content-security-policy"] = policy;
  res.setHeader("content-security-policy", policy);
}
