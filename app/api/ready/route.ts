import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

async function check(fn: () => Promise<void>, timeoutMs = 3000): Promise<{ ok: boolean; error?: string; ms: number }> {
  const started = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: (error as Error).message, ms: Math.round(performance.now() - started) };
  }
}

// GET /api/ready — the store and blob store answer (503 otherwise, so the platform holds traffic back)
export async function GET(): Promise<Response> {
  let runtime;
  try {
    runtime = await getRuntime();
  } catch (error) {
    return Response.json({ status: "unavailable", error: (error as Error).message }, { status: 503 });
  }
  const [store, blobs] = await Promise.all([check(() => runtime.store.ping()), check(() => runtime.blobs.ping())]);
  const ready = store.ok && blobs.ok;
  return Response.json(
    {
      status: ready ? "ready" : "unavailable",
      checks: {
        store: { driver: runtime.config.storageDriver, ...store },
        blobs: { driver: runtime.config.blobDriver, ...blobs },
      },
    },
    { status: ready ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
