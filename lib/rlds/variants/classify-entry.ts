import { DomainError } from "@/lib/errors";

/** What an archive entry is in the episode layouts we accept. */
export type EntryRole =
  | { kind: "metadata" }
  /** `steps.jsonl`, or one file of `steps/` (`order` is its number when named `NNNNNN.jsonl`). */
  | { kind: "steps"; name: string; order: number | null }
  /** A file copied to the canonical `blobs/` folder under `target`. */
  | { kind: "blob"; target: string }
  /** The robot runtime's package: `<episode_id>/episode.json`, a single-JSON episode. */
  | { kind: "package_episode" }
  /** The robot runtime's `upload_manifest.json` (file checksums, step count). */
  | { kind: "package_manifest" }
  /** Operating-system clutter (`__MACOSX/`, `._x`, `.DS_Store`): skipped silently. */
  | { kind: "junk" }
  /** Anything else: skipped with an `ignored_entry` warning. */
  | { kind: "ignored" };

const PACKAGE_BLOB = /^step_\d+_[\w.-]+\.(npy|npz|png|jpe?g|bin|wav|json)$/i;

function ambiguous(why: string): never {
  throw new DomainError("invalid", `The archive's layout is ambiguous: ${why}.`, { reason: "ambiguous_layout" });
}

/**
 * Sorts archive entries into the layouts robots and apps write, all optionally wrapped in one
 * top-level folder: the canonical directory (`metadata.json`, `steps.jsonl` or `steps/*.jsonl`,
 * `blobs/…`) and the runtime's package (`upload_manifest.json`, `<id>/episode.json`,
 * `<id>/step_NNNN_rgb.npy`). The first canonical entry fixes the root folder; a canonical entry
 * under another root, or two step layouts, make the archive ambiguous (refused) rather than
 * silently merged.
 */
export class EntryClassifier {
  private root: string | null = null;
  private stepsLayout: "file" | "folder" | "package" | null = null;
  packageDir: string | null = null;

  classify(path: string): EntryRole {
    const segments = path.split("/");
    const base = segments[segments.length - 1]!;
    if (segments.includes("__MACOSX") || base.startsWith("._") || base === ".DS_Store" || base === "Thumbs.db") {
      return { kind: "junk" };
    }
    if (segments.length <= 2 && base === "upload_manifest.json") return { kind: "package_manifest" };
    if (segments.length <= 2 && base === "episode.json") {
      this.claimSteps("package");
      if (this.packageDir !== null) ambiguous("two episode.json files");
      this.packageDir = segments.length === 2 ? segments[0]! : "";
      return { kind: "package_episode" };
    }
    if (segments.length <= 2 && PACKAGE_BLOB.test(base)) return { kind: "blob", target: `blobs/${base}` };

    const roots = this.root !== null ? [this.root] : ["", segments[0]!];
    for (const root of roots) {
      const role = this.canonicalRole(root === "" ? path : path.slice(root.length + 1), root, path);
      if (role !== null) {
        this.root ??= root;
        return role;
      }
    }
    if (this.root !== null) {
      // Under another root it would have been canonical: two episodes in one archive.
      const other = this.canonicalRole(segments.slice(1).join("/"), segments[0]!, path, true);
      const atTop = this.canonicalRole(path, "", path, true);
      if ((other !== null && segments[0] !== this.root) || (atTop !== null && this.root !== "")) {
        ambiguous(`"${path}" belongs to another episode folder than "${this.root || "/"}"`);
      }
    }
    return { kind: "ignored" };
  }

  private canonicalRole(relative: string, root: string, path: string, probeOnly = false): EntryRole | null {
    if (root !== "" && !path.startsWith(`${root}/`)) return null;
    if (relative === "metadata.json") return { kind: "metadata" };
    if (relative === "steps.jsonl") {
      if (!probeOnly) this.claimSteps("file");
      return { kind: "steps", name: "steps.jsonl", order: null };
    }
    const stepFile = /^steps\/([^/]+\.jsonl)$/.exec(relative);
    if (stepFile !== null) {
      if (!probeOnly) this.claimSteps("folder");
      const name = stepFile[1]!;
      const number = /^(\d+)\.jsonl$/.exec(name);
      return { kind: "steps", name, order: number === null ? null : Number(number[1]) };
    }
    if (relative.startsWith("blobs/") && relative.length > "blobs/".length) return { kind: "blob", target: relative };
    return null;
  }

  private claimSteps(layout: "file" | "folder" | "package"): void {
    if (this.stepsLayout !== null && this.stepsLayout !== layout) {
      ambiguous(
        `it holds steps both as ${this.stepsLayout === "package" ? "episode.json" : this.stepsLayout === "file" ? "steps.jsonl" : "steps/*.jsonl"} and as ${layout === "package" ? "episode.json" : layout === "file" ? "steps.jsonl" : "steps/*.jsonl"}`,
      );
    }
    this.stepsLayout = layout;
  }
}
