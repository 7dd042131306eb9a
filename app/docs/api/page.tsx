import type { Metadata } from "next";
import Link from "next/link";
import { ApiOperation, ApiWebSocket, type DocumentOperation } from "@/components/docs/api-operation";
import { InlineText, SchemaFields, schemaAnchor, type Components } from "@/components/docs/api-schema";
import { OpenLinkedOperation } from "@/components/docs/open-linked-operation";
import { AUTH_LABELS, buildOpenApiDocument, SHARED_SCHEMA_NAMES } from "@/server/http/openapi/build-openapi-document";
import { OPERATIONS, WEBSOCKETS } from "@/server/http/openapi/operations";
import { AREAS, AUTH_KINDS, type AuthKind } from "@/server/http/openapi/types";

export const metadata: Metadata = { title: "API reference" };

const HOW_TO_AUTHENTICATE: Record<AuthKind, string> = {
  robot: "Sign the request with the device key (RFC 9421, with a Content-Digest over any body):",
  user: "The console's session cookie, or on Google Cloud a Firebase ID token as a bearer token. Owners see their robots and episodes.",
  operator: "As a signed-in user with the operator or admin role.",
  admin: "As a signed-in user with the admin role.",
  training: "Authorization: Bearer ctt_… (a training token with the training or training:read scope).",
  public: "Nothing: the endpoint is public (robots in the field poll some of these without credentials).",
  "signed-url": "Nothing but the URL: the API handed it out, it names one object and method, and it expires.",
  "metrics-token": "Authorization: Bearer $METRICS_TOKEN.",
};

export default function ApiReference() {
  const document = buildOpenApiDocument();
  const components = document.components.schemas as Components;
  const shared = new Set(SHARED_SCHEMA_NAMES);
  const robotFacing = OPERATIONS.filter((operation) => operation.robotFacing).length;
  return (
    <>
      <OpenLinkedOperation />
      <h1>API reference</h1>
      <p>
        Every endpoint of continuon.cloud: {OPERATIONS.length} HTTP operations ({robotFacing} of them robot-facing) and
        the relay&apos;s WebSocket, grouped by area, with who may call each, its parameters, bodies and answers. It is
        generated from the same schemas the server validates with; the machine-readable form is{" "}
        <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). The examples of robot-facing endpoints are sent
        to a running server by the test suite, with real robot signatures, and their answers checked against the schemas
        shown here.
      </p>
      <p>
        The robot-facing endpoints are a contract with deployed robots: fields are added, never repurposed, so ignore
        fields you do not know. Refusals are <code>{`{"error": {"code", "message", "reason"}}`}</code> with a fitting
        status (see <Link href="/docs/robot-api">Robot API</Link> for the refusal table).
      </p>
      <h2 id="auth">Authentication</h2>
      <table>
        <thead>
          <tr>
            <th>Kind</th>
            <th>How</th>
          </tr>
        </thead>
        <tbody>
          {AUTH_KINDS.map((kind) => (
            <tr key={kind}>
              <td>{AUTH_LABELS[kind]}</td>
              <td>
                {HOW_TO_AUTHENTICATE[kind]}
                {kind === "robot" ? (
                  <>
                    {" "}
                    <Link href="/docs/signatures">Signed robot requests</Link>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="robot-facing">Robot-facing endpoints</h2>
      <p>What robots call (each with examples the test suite sends to a running server):</p>
      <ul>
        {OPERATIONS.filter((operation) => operation.robotFacing).map((operation) => (
          <li key={operation.operationId}>
            <a href={`#${operation.operationId}`}>
              <code>
                {operation.method} {operation.path}
              </code>
            </a>{" "}
            — <InlineText text={operation.summary} />
          </li>
        ))}
        {WEBSOCKETS.map((socket) => (
          <li key={socket.operationId}>
            <a href={`#${socket.operationId}`}>
              <code>WS {socket.path}</code>
            </a>{" "}
            — {socket.summary}
          </li>
        ))}
      </ul>
      <p>Every operation below opens to show its parameters, bodies, answers and examples.</p>
      <h2 id="areas">Areas</h2>
      <ul>
        {AREAS.map((area) => {
          const count = OPERATIONS.filter((operation) => operation.area === area.id).length;
          return count > 0 ? (
            <li key={area.id}>
              <a href={`#area-${area.id}`}>{area.title}</a> ({count})
            </li>
          ) : null;
        })}
        <li>
          <a href="#schemas">Shared schemas</a>
        </li>
      </ul>
      {AREAS.map((area) => {
        const operations = OPERATIONS.filter((operation) => operation.area === area.id);
        const sockets = WEBSOCKETS.filter((socket) => socket.area === area.id);
        if (operations.length === 0 && sockets.length === 0) return null;
        return (
          <div key={area.id}>
            <h2 id={`area-${area.id}`}>{area.title}</h2>
            {operations.map((operation) => (
              <ApiOperation
                key={`${operation.method} ${operation.path}`}
                operation={operation}
                documented={
                  document.paths[operation.path]![operation.method.toLowerCase()] as unknown as DocumentOperation
                }
                components={components}
                shared={shared}
              />
            ))}
            {sockets.map((socket) => (
              <ApiWebSocket key={socket.path} socket={socket} components={components} shared={shared} />
            ))}
          </div>
        );
      })}
      <h2 id="schemas">Shared schemas</h2>
      {SHARED_SCHEMA_NAMES.filter((name) => components[name]).map((name) => (
        <section key={name} id={schemaAnchor(name)} className="scroll-mt-20">
          <details>
            <summary className="cursor-pointer">
              <h3 className="!my-1 inline">{name}</h3>
            </summary>
            <SchemaFields schema={components[name]!} components={components} shared={new Set()} />
          </details>
        </section>
      ))}
    </>
  );
}
