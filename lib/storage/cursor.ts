import { DomainError } from "@/lib/errors";

/** What a page cursor remembers: the order value and id of the last document returned. */
export interface CursorPosition {
  value?: unknown;
  id: string;
}

/** Cursors are opaque to callers: base64url JSON, validated on the way back in. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && typeof (parsed as { id?: unknown }).id === "string") {
      return parsed as CursorPosition;
    }
  } catch {
    // fall through to the error below
  }
  throw new DomainError("invalid", "The page cursor is not one this server issued.", { reason: "invalid_cursor" });
}
