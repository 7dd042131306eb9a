/** An API error answer, as the account forms show it: field messages by input name, else one message. */
export interface FormErrors {
  message: string | null;
  fields: Record<string, string>;
}

/**
 * Read a refused answer's error body (`{error: {message, details: {issues: [{path, message}]}}}`):
 * issues that name a field go beside it, and the message is shown only when none does.
 */
export async function readFormErrors(response: Response, fallback: string): Promise<FormErrors> {
  const body = (await response.json().catch(() => null)) as {
    error?: { message?: string; details?: { issues?: Array<{ path: string; message: string }> } };
  } | null;
  const issues = body?.error?.details?.issues ?? [];
  return {
    fields: Object.fromEntries(issues.map((issue) => [issue.path, issue.message])),
    message: issues.length ? null : (body?.error?.message ?? fallback),
  };
}
