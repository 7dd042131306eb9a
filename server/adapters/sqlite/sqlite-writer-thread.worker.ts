/**
 * The SQLite writer thread's entry (see `sqlite-writer-thread.ts`): one store on the same file,
 * committing each batch it is sent, in order, and answering when it is durable.
 */
import { parentPort, workerData } from "node:worker_threads";
import { SqliteDocumentStore } from "./sqlite-document-store";
import { serializeError, type WriterReply, type WriterRequest, type WriterThreadOptions } from "./sqlite-writer-thread";

const options = workerData as WriterThreadOptions;
const port = parentPort;
if (!port) throw new Error("sqlite-writer-thread.worker runs as a worker thread only");

const store = new SqliteDocumentStore({
  filename: options.filename,
  indexes: options.indexes,
  synchronous: options.synchronous,
});

port.on("message", (request: WriterRequest) => {
  if (request.kind === "close") {
    // Closing the port ends the thread once the store is closed.
    void store.close().then(() => port.close());
    return;
  }
  // The store's batch runs its SQLite transaction synchronously: batches never interleave.
  store.batch(request.ops).then(
    () => port.postMessage({ kind: "done", id: request.id } satisfies WriterReply),
    (error: unknown) =>
      port.postMessage({ kind: "failed", id: request.id, error: serializeError(error) } satisfies WriterReply),
  );
});
