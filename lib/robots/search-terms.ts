import type { Robot } from "./schemas";

/** Longest prefix stored per word; longer queries match on this prefix and are checked in full after. */
export const SEARCH_PREFIX_MAX = 16;
const MAX_TERMS = 160;

function words(value: string): string[] {
  const lower = value.toLowerCase();
  return [...new Set([...lower.split(/\s+/), ...lower.split(/[^a-z0-9]+/)])].filter(Boolean);
}

/** The whole strings a query word may be a prefix of. */
export function searchSources(
  robot: Pick<Robot, "name" | "device_id" | "model" | "manufacturer" | "tags" | "legacy_ids">,
): string[] {
  return [
    ...words(robot.name),
    robot.device_id,
    robot.model,
    robot.manufacturer,
    ...robot.tags,
    ...robot.legacy_ids,
  ].map((value) => value.toLowerCase());
}

/**
 * Prefix terms for `array-contains` search: every prefix (up to {@link SEARCH_PREFIX_MAX}
 * characters) of each name word, the device id, model, manufacturer, tags and aliases. Firestore
 * has no substring search; prefixes of words are what people type ("kitch" for "Kitchen helper",
 * "14d4" for a device id).
 */
export function searchTermsFor(
  robot: Pick<Robot, "name" | "device_id" | "model" | "manufacturer" | "tags" | "legacy_ids">,
): string[] {
  const terms = new Set<string>();
  for (const source of searchSources(robot)) {
    const capped = source.slice(0, SEARCH_PREFIX_MAX);
    for (let length = 1; length <= capped.length; length++) terms.add(capped.slice(0, length));
    if (terms.size >= MAX_TERMS) break;
  }
  return [...terms].slice(0, MAX_TERMS);
}

/** Query words, lower-cased. */
export function searchWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
}

/** The term a query is looked up by (its first word, capped like the stored terms). */
export function primarySearchTerm(query: string): string | null {
  const first = searchWords(query)[0];
  return first ? first.slice(0, SEARCH_PREFIX_MAX) : null;
}

/** True when every query word is a prefix of one of the robot's search sources. */
export function matchesSearch(
  robot: Pick<Robot, "name" | "device_id" | "model" | "manufacturer" | "tags" | "legacy_ids">,
  query: string,
): boolean {
  const sources = searchSources(robot);
  return searchWords(query).every((word) => sources.some((source) => source.startsWith(word)));
}
