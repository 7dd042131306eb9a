import type { AuthKind, OperationExample, OperationSpec } from "@/server/http/openapi/types";

/** The URL path and query of an example, parameters filled in. */
export function examplePath(operation: Pick<OperationSpec, "path">, example: OperationExample): string {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = example.params?.[name] ?? `{${name}}`;
    // Blob keys keep their slashes; every segment is encoded on its own.
    return value.split("/").map(encodeURIComponent).join("/");
  });
  const query = example.query ? new URLSearchParams(example.query).toString() : "";
  return query ? `${path}?${query}` : path;
}

/** The credential lines an auth kind adds (abbreviated: /docs/signatures has a full signed request). */
function credentialLines(auth: AuthKind, hasBody: boolean, hasQuery: boolean, method: string): string[] {
  switch (auth) {
    case "robot":
      return [
        ...(hasBody ? ["Content-Digest: sha-256=:…:"] : []),
        `Signature-Input: sig1=("@method" "@authority" "@path"${hasQuery ? ' "@query"' : ""}${hasBody ? ' "content-digest"' : ""});created=…;expires=…;nonce="…";keyid="…";alg="ed25519"`,
        "Signature: sig1=:…:",
      ];
    case "user":
    case "operator":
    case "admin":
      // Cookie-authenticated writes must say they come from the console (/docs/security#csrf).
      return ["GET", "HEAD"].includes(method)
        ? ["Cookie: next-auth.session-token=…"]
        : ["Origin: https://continuon.cloud", "Cookie: next-auth.session-token=…"];
    case "training":
      return ["Authorization: Bearer ctt_…"];
    case "metrics-token":
      return ["Authorization: Bearer $METRICS_TOKEN"];
    default:
      return [];
  }
}

/** An example request as it goes on the wire (credentials abbreviated). */
export function requestText(operation: OperationSpec, example: OperationExample): string {
  const target = examplePath(operation, example);
  const hasBody = example.body !== undefined || example.rawBody !== undefined;
  const lines = [`${operation.method} ${target} HTTP/1.1`, "Host: continuon.cloud"];
  const headers = { ...example.headers };
  if (example.body !== undefined) headers["Content-Type"] ??= operation.body?.contentType ?? "application/json";
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(...credentialLines(operation.auth[0] ?? "public", hasBody, target.includes("?"), operation.method));
  if (example.body !== undefined) return `${lines.join("\n")}\n\n${JSON.stringify(example.body, null, 2)}`;
  if (example.rawBody !== undefined) return `${lines.join("\n")}\n\n${example.rawBody}`;
  return lines.join("\n");
}

/** An example answer: status line, the headers it shows, the body. */
export function responseText(example: OperationExample): string {
  const lines = [`HTTP/1.1 ${example.status}`];
  const headers = { ...example.responseHeaders };
  if (example.response !== undefined) headers["content-type"] ??= "application/json";
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (example.response !== undefined) return `${lines.join("\n")}\n\n${JSON.stringify(example.response, null, 2)}`;
  if (example.responseText !== undefined) return `${lines.join("\n")}\n\n${example.responseText}`;
  return lines.join("\n");
}
