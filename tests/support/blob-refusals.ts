import { expect } from "@playwright/test";

/**
 * Expect a signed blob URL to refuse a request. With BLOB_DRIVER=local the app serves the URL and
 * answers with its JSON error; with BLOB_DRIVER=gcs Cloud Storage answers itself, with its own
 * status and XML error code (400 EntityTooLarge over the signed size range, 403
 * SignatureDoesNotMatch for a header the URL did not sign, such as another content type).
 */
export async function expectSignedUrlRefusal(
  response: Response,
  local: { status: number; code: string; reason: string },
  gcs: { status: number; code: string },
): Promise<void> {
  const text = await response.text();
  if (process.env.BLOB_DRIVER === "gcs") {
    expect({ status: response.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] }).toEqual(gcs);
    return;
  }
  expect(response.status, text).toBe(local.status);
  const body = JSON.parse(text) as { error: { code: string; reason: string } };
  expect({ code: body.error.code, reason: body.error.reason }).toEqual({ code: local.code, reason: local.reason });
}
