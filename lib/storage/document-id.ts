import { DomainError } from "@/lib/errors";

const DOCUMENT_ID = /^[A-Za-z0-9_.:@-]{1,200}$/;

/**
 * Document ids as both backends accept them: Firestore's rules (no `/`, not `.` or `..`, not
 * `__x__`) narrowed to a safe character set, so an id can also appear in a blob key or a URL.
 */
export function isDocumentId(id: string): boolean {
  return DOCUMENT_ID.test(id) && id !== "." && id !== ".." && !/^__.*__$/.test(id);
}

/** Refuse an id no document can have (writes); reads answer "absent" for one instead. */
export function assertDocumentId(id: string): void {
  if (!isDocumentId(id)) {
    throw new DomainError("invalid", `Document id "${id.slice(0, 80)}" is not valid.`, {
      reason: "invalid_document_id",
    });
  }
}
