/**
 * Pieces several areas of the reference share: the error body, path parameters, and the transport
 * shapes route handlers build around a verb's answer (`{…, next_cursor}` pages). Domain schemas
 * are imported from `lib/`, never copied here.
 */
import { z } from "zod";
import { ERROR_CODES } from "@/lib/errors";
import { EXAMPLE_ROBOT, EXAMPLE_TIME, EXAMPLE_TOKEN, EXAMPLE_USER } from "@/app/docs/robot-api/examples";

export { EXAMPLE_ROBOT, EXAMPLE_TIME, EXAMPLE_TOKEN, EXAMPLE_USER };

/** `ErrorBody` of `server/http/errors.ts`: every refusal has this shape. */
export const ZErrorBody = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    /** The finer, stable cause in lower snake case (`signature_expired`, `episode_id_taken`…). */
    reason: z.string().optional(),
    details: z.unknown().optional(),
    request_id: z.string().optional(),
  }),
});

/** A path made of `[segment]` parameters: each a non-empty string. */
export function pathParams<const K extends string>(...names: K[]): z.ZodObject<Record<K, z.ZodString>> {
  return z.object(Object.fromEntries(names.map((name) => [name, z.string().min(1).max(200)]))) as z.ZodObject<
    Record<K, z.ZodString>
  >;
}

/** The `{next_cursor}` pages route handlers answer around a list verb. */
export function page<const K extends string, S extends z.ZodType>(key: K, item: S) {
  return z.object({ [key]: z.array(item), next_cursor: z.string().nullable() } as Record<K, z.ZodArray<S>> & {
    next_cursor: z.ZodNullable<z.ZodString>;
  });
}

/** `?cursor=&limit=` of the simple admin lists (the routes declare it themselves). */
export const ZPageQuery = z.object({
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

/** Example values shared by the areas (the example robot is the signature page's worked example). */
export const EXAMPLE = {
  origin: "https://continuon.cloud",
  episodeId: "ep_kitchen_0001",
  bundleId: "companion-v1@1.1.0",
  operator: "usr_01jc4m2x7k9d3f5g8h2j4k6m9p",
  checksum: "sha256:3b5d5c3712955042212316173ccf37be8008d5e7c9fbc8a1f4b2c0b1e4a3f9d2",
  otaKeyId: "ota-a9efef2b9e10d6bb",
  otaPublicKey: "qe/vK54Q1rvIjq0DqudAJjecK+Ld+nZ5nu4dABO3t80=",
  otaPublicKeyUrl: "qe_vK54Q1rvIjq0DqudAJjecK-Ld-nZ5nu4dABO3t80",
  time: EXAMPLE_TIME,
} as const;
