import { Badge, type Tone } from "@/components/ui/badge";
import { AUTH_LABELS } from "@/server/http/openapi/build-openapi-document";
import type { AuthKind, OperationSpec, WebSocketSpec } from "@/server/http/openapi/types";
import { requestText, responseText } from "./api-example-text";
import { InlineText, SchemaFields, typeLabel, type Components, type JsonSchema } from "./api-schema";

/** The parts of a generated OpenAPI operation the page shows. */
export interface DocumentOperation {
  parameters?: Array<{ name: string; in: string; required: boolean; description?: string; schema: JsonSchema }>;
  requestBody?: { required: boolean; description?: string; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: JsonSchema }>; $ref?: string }>;
}

const METHOD_TONES: Record<string, Tone> = {
  GET: "info",
  HEAD: "info",
  POST: "good",
  PUT: "warn",
  PATCH: "warn",
  DELETE: "bad",
};

const AUTH_TONES: Partial<Record<AuthKind, Tone>> = { robot: "good", "signed-url": "warn", public: "neutral" };

function AuthBadges({ auth }: { auth: readonly AuthKind[] }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      {auth.map((kind) => (
        <Badge key={kind} tone={AUTH_TONES[kind] ?? "info"}>
          {AUTH_LABELS[kind]}
        </Badge>
      ))}
    </span>
  );
}

function Body({
  label,
  content,
  components,
  shared,
  description,
}: {
  label: string;
  content: Record<string, { schema: JsonSchema }>;
  components: Components;
  shared: ReadonlySet<string>;
  description?: string;
}) {
  return (
    <div className="mt-2">
      {Object.entries(content).map(([type, media]) => (
        <div key={type}>
          <p className="my-1 text-sm">
            <span className="font-medium">{label}</span> <code>{type}</code>
            {media.schema.$ref ? (
              <>
                {" "}
                — <code>{typeLabel(media.schema, shared)}</code>
              </>
            ) : null}
            {description ? (
              <span className="block text-slate-600">
                <InlineText text={description} />
              </span>
            ) : null}
          </p>
          {media.schema.contentMediaType ? null : (
            <SchemaFields schema={media.schema} components={components} shared={shared} />
          )}
        </div>
      ))}
    </div>
  );
}

/** One operation: method and path, who may call, parameters, body and answers, and its examples. */
export function ApiOperation({
  operation,
  documented,
  components,
  shared,
}: {
  operation: OperationSpec;
  documented: DocumentOperation;
  components: Components;
  shared: ReadonlySet<string>;
}) {
  const parameters = documented.parameters ?? [];
  return (
    <section
      id={operation.operationId}
      data-testid={`operation-${operation.operationId}`}
      className="mt-4 scroll-mt-20 rounded-lg border border-slate-200"
    >
      {/* Collapsed: a hundred operations open at once make a page no one (and no browser) reads whole. */}
      <details className="group">
        <summary className="cursor-pointer list-none p-4 [&::-webkit-details-marker]:hidden">
          <h3 className="!my-0 flex flex-wrap items-center gap-2 break-all">
            <Badge tone={METHOD_TONES[operation.method] ?? "neutral"}>{operation.method}</Badge>
            <code>{operation.path}</code>
            <span className="text-xs font-normal text-slate-400 group-open:hidden">show</span>
          </h3>
          <span className="mt-1 block text-slate-700">
            <InlineText text={operation.summary} />
          </span>
          <span className="mt-1 flex flex-wrap items-center gap-2 text-sm">
            <AuthBadges auth={operation.auth} />
            {operation.robotFacing ? <Badge tone="good">robot-facing</Badge> : null}
          </span>
        </summary>
        <div className="px-4 pb-4">
          <p className="!mt-0 text-xs text-slate-500">
            operationId <code>{operation.operationId}</code>
          </p>
          {operation.description ? (
            <p className="text-sm">
              <InlineText text={operation.description} />
            </p>
          ) : null}
          {parameters.length > 0 ? (
            <div className="mt-2">
              <p className="my-1 text-sm font-medium">Parameters</p>
              <ul className="my-1 space-y-1 pl-0 text-sm">
                {parameters.map((parameter) => (
                  <li key={`${parameter.in} ${parameter.name}`} className="list-none break-words">
                    <code className="font-semibold">{parameter.name}</code>{" "}
                    <span className="text-xs text-slate-500">{parameter.in}</span>{" "}
                    <span className="text-slate-600">{typeLabel(parameter.schema, shared)}</span>
                    {parameter.required ? (
                      <span className="ml-1 text-xs font-medium text-amber-700">required</span>
                    ) : null}
                    {parameter.description ? (
                      <span className="block text-slate-600">
                        <InlineText text={parameter.description} />
                      </span>
                    ) : null}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {documented.requestBody ? (
            <Body
              label={documented.requestBody.required ? "Request body" : "Request body (optional)"}
              content={documented.requestBody.content}
              components={components}
              shared={shared}
              description={documented.requestBody.description}
            />
          ) : null}
          <div className="mt-2">
            <p className="my-1 text-sm font-medium">Responses</p>
            {Object.entries(documented.responses)
              .filter(([, response]) => !response.$ref)
              .map(([status, response]) => (
                <details key={status} className="my-1 text-sm" open={Number(status) < 300}>
                  <summary className="cursor-pointer">
                    <code>{status}</code> <InlineText text={response.description ?? ""} />
                  </summary>
                  {response.content ? (
                    <Body label="Body" content={response.content} components={components} shared={shared} />
                  ) : null}
                </details>
              ))}
            <p className="my-1 text-xs text-slate-500">
              Any 4xx/5xx: <a href="#schema-Error">Error</a> with <code>code</code> and <code>reason</code>.
            </p>
          </div>
          {(operation.examples ?? []).map((example) => (
            <details key={example.id} className="mt-3" open>
              <summary className="cursor-pointer text-sm font-medium">Example: {example.title}</summary>
              <pre>
                <code data-testid={`example-request-${operation.operationId}-${example.id}`}>
                  {requestText(operation, example)}
                </code>
              </pre>
              <pre>
                <code data-testid={`example-response-${operation.operationId}-${example.id}`}>
                  {responseText(example)}
                </code>
              </pre>
              {example.note ? (
                <p className="text-sm">
                  <InlineText text={example.note} />
                </p>
              ) : null}
            </details>
          ))}
        </div>
      </details>
    </section>
  );
}

/** The relay's WebSocket, with its message schema and examples. */
export function ApiWebSocket({
  socket,
  components,
  shared,
}: {
  socket: WebSocketSpec;
  components: Components;
  shared: ReadonlySet<string>;
}) {
  return (
    <section
      id={socket.operationId}
      data-testid={`operation-${socket.operationId}`}
      className="mt-8 scroll-mt-20 rounded-lg border border-slate-200 p-4"
    >
      <h3 className="!mt-0 flex flex-wrap items-center gap-2 break-all">
        <Badge tone="info">WS</Badge>
        <code>{socket.path}</code>
      </h3>
      <p className="!my-1">{socket.summary}</p>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <AuthBadges auth={socket.auth} />
        <Badge tone="good">robot-facing</Badge>
      </div>
      <p className="text-sm">
        <InlineText text={socket.description} />
      </p>
      <p className="my-1 text-sm font-medium">
        Messages: <code>{typeLabel({ $ref: `#/components/schemas/${socket.messageName}` }, shared)}</code>
      </p>
      <p className="my-1 text-sm">
        Types:{" "}
        {(components[socket.messageName]?.oneOf ?? [])
          .map((branch) => branch.properties?.type?.const)
          .filter((type) => type !== undefined)
          .map((type, index) => (
            <span key={String(type)}>
              {index > 0 ? ", " : ""}
              <code>{String(type)}</code>
            </span>
          ))}{" "}
        (each field in <a href={`#schema-${socket.messageName}`}>{socket.messageName}</a>)
      </p>
      <details className="mt-3" open>
        <summary className="cursor-pointer text-sm font-medium">Example messages</summary>
        <pre>
          <code>
            {socket.examples
              .map((example) => `${example.direction.padEnd(16)} ${JSON.stringify(example.message)}`)
              .join("\n")}
          </code>
        </pre>
      </details>
    </section>
  );
}
