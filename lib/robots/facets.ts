import { createHash } from "node:crypto";
import { fieldValue, type WriteOp } from "@/lib/storage/port";
import type { TypedTransaction } from "@/lib/storage/typed";
import { FleetFacets, type FleetFacet } from "./schemas";

/** The facet value recorded for a robot that has not said its firmware version. */
export const UNKNOWN_FIRMWARE = "unknown";

export function facetId(facet: FleetFacet["facet"], value: string): string {
  return `${facet}_${createHash("sha256").update(value).digest("hex").slice(0, 24)}`;
}

type FacetValues = { model: string; firmware: string };

/**
 * Writes that move a robot from one set of facet values to another (`before` null: a new robot).
 * Each write is a `set` of the whole counter on first use and an increment after, so the caller
 * must pass the counters' current documents (read in the same transaction).
 */
export function facetWrites(
  before: FacetValues | null,
  after: FacetValues,
  existing: ReadonlyMap<string, FleetFacet | null>,
): WriteOp[] {
  const deltas = new Map<string, { facet: FleetFacet["facet"]; value: string; by: number }>();
  const add = (facet: FleetFacet["facet"], value: string, by: number) => {
    const id = facetId(facet, value);
    const entry = deltas.get(id) ?? { facet, value, by: 0 };
    entry.by += by;
    deltas.set(id, entry);
  };
  for (const facet of ["model", "firmware"] as const) {
    if (before && before[facet] === after[facet]) continue;
    if (before) add(facet, before[facet], -1);
    add(facet, after[facet], 1);
  }
  const ops: WriteOp[] = [];
  for (const [id, delta] of deltas) {
    if (delta.by === 0) continue;
    const current = existing.get(id);
    if (current) {
      ops.push({ kind: "update", collection: FleetFacets.name, id, patch: { count: fieldValue.increment(delta.by) } });
    } else {
      ops.push({
        kind: "set",
        collection: FleetFacets.name,
        id,
        data: { facet: delta.facet, value: delta.value, count: Math.max(0, delta.by) },
      });
    }
  }
  return ops;
}

/** The facet counter ids a change touches (read them in the transaction before calling {@link facetWrites}). */
export function facetIdsFor(before: FacetValues | null, after: FacetValues): string[] {
  const ids = new Set<string>();
  for (const facet of ["model", "firmware"] as const) {
    if (before && before[facet] === after[facet]) continue;
    if (before) ids.add(facetId(facet, before[facet]));
    ids.add(facetId(facet, after[facet]));
  }
  return [...ids];
}

/** Apply port-level writes inside a typed transaction. */
export function applyWrites(tx: TypedTransaction, ops: readonly WriteOp[]): void {
  for (const op of ops) {
    switch (op.kind) {
      case "create":
        tx.raw.create(op.collection, op.id, op.data);
        break;
      case "set":
        tx.raw.set(op.collection, op.id, op.data);
        break;
      case "update":
        tx.raw.update(op.collection, op.id, op.patch, op.options);
        break;
      case "delete":
        tx.raw.delete(op.collection, op.id);
        break;
    }
  }
}
