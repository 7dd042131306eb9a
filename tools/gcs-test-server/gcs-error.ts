/**
 * An error the test server answers the way GCS does: the XML API (signed URLs) with an
 * `<Error><Code>…</Code><Message>…</Message></Error>` body, the JSON API with `{error: {code, message,
 * errors: [{reason}]}}`.
 */
export class GcsError extends Error {
  constructor(
    readonly status: number,
    /** The XML API's error code (`SignatureDoesNotMatch`, `ExpiredToken`, …). */
    readonly xmlCode: string,
    message: string,
    /** The JSON API's `reason` (`notFound`, `invalid`, …). */
    readonly jsonReason = "invalid",
  ) {
    super(message);
    this.name = "GcsError";
  }
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c,
  );
}

export function xmlErrorBody(error: GcsError, details?: string): string {
  return (
    `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${escapeXml(error.xmlCode)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>` +
    (details ? `<Details>${escapeXml(details)}</Details>` : "") +
    `</Error>`
  );
}

export function jsonErrorBody(error: GcsError): string {
  return JSON.stringify({
    error: {
      code: error.status,
      message: error.message,
      errors: [{ domain: "global", reason: error.jsonReason, message: error.message }],
    },
  });
}
