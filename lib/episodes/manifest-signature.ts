import type { KeyObject } from "node:crypto";
import { compactVerify, decodeProtectedHeader, SignJWT } from "jose";
import type { Ctx } from "@/lib/context";
import { importPublicKeyRaw } from "@/lib/crypto/ed25519-keys";
import { DomainError } from "@/lib/errors";
import { Robots } from "@/lib/robots/schemas";

/**
 * The optional device-signed episode manifest: a compact JWS signed with the robot's Ed25519
 * device key, sent as `manifest_signature` with the ingest request. It proves that the robot
 * itself (not just someone holding an upload URL) produced exactly these bytes.
 *
 * ```text
 * header  {"alg": "EdDSA", "typ": "rlds-manifest+jwt", "kid": "<device_id>"}
 * payload {"iss": "<device_id>", "episode_id": "…", "checksum": "sha256:<hex of the object or files manifest>",
 *          "files": {"<path>": "<sha256 hex>", …} (files uploads only, optional), "iat": <unix s>}
 * ```
 *
 * Verified against the key in the registry (never a key carried in the token), before any work;
 * stored on the episode as `device_signature` with `device_signature_verified_at`.
 */
export const MANIFEST_SIGNATURE_TYPE = "rlds-manifest+jwt";
const MAX_LENGTH = 256 * 1024;

export interface ManifestPayload {
  iss: string;
  episode_id: string;
  checksum: string;
  files?: Record<string, string>;
  iat: number;
}

function invalid(reason: string, message: string, cause?: unknown): DomainError {
  return new DomainError("invalid", `manifest_signature: ${message}`, { reason, cause });
}

const normalize = (checksum: string) =>
  `sha256:${checksum
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, "")}`;

/** Sign a manifest as a robot does (tests and the simulator; robots use any JOSE library). */
export async function signEpisodeManifest(input: {
  deviceId: string;
  privateKey: KeyObject;
  episodeId: string;
  checksum: string;
  files?: Record<string, string>;
  iat?: number;
}): Promise<string> {
  const payload: ManifestPayload = {
    iss: input.deviceId,
    episode_id: input.episodeId,
    checksum: normalize(input.checksum),
    ...(input.files ? { files: input.files } : {}),
    iat: input.iat ?? Math.floor(Date.now() / 1000),
  };
  return new SignJWT({ ...payload })
    .setProtectedHeader({ alg: "EdDSA", typ: MANIFEST_SIGNATURE_TYPE, kid: input.deviceId })
    .sign(input.privateKey);
}

/**
 * Verify a manifest signature for an ingest: signed by `robotId`'s registered key, naming the
 * episode and the checksum the robot asks to ingest (and, when it lists files, exactly the declared
 * files). Throws `invalid` with reason `manifest_signature_malformed`, `manifest_signature_invalid`
 * or `manifest_mismatch`.
 */
export async function verifyManifestSignature(
  ctx: Ctx,
  input: {
    token: string;
    robotId: string;
    episodeId: string;
    checksum: string;
    files?: readonly { path: string; sha256: string }[];
  },
): Promise<ManifestPayload> {
  const { token } = input;
  if (token.length > MAX_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    throw invalid("manifest_signature_malformed", "must be a compact JWS (three base64url parts joined by dots)");
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (error) {
    throw invalid("manifest_signature_malformed", "the header is not base64url JSON", error);
  }
  if (header.alg !== "EdDSA") throw invalid("manifest_signature_malformed", `alg must be "EdDSA"`);
  if (header.typ !== MANIFEST_SIGNATURE_TYPE) {
    throw invalid("manifest_signature_malformed", `typ must be "${MANIFEST_SIGNATURE_TYPE}"`);
  }
  if (header.kid !== input.robotId) {
    throw invalid("manifest_signature_invalid", `kid must be the uploading robot ${input.robotId}`);
  }
  const robot = await ctx.db.get(Robots, input.robotId);
  if (!robot?.data.public_key) throw invalid("manifest_signature_invalid", "the robot has no registered key");
  let payload: ManifestPayload;
  try {
    const verified = await compactVerify(token, importPublicKeyRaw(robot.data.public_key), { algorithms: ["EdDSA"] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as ManifestPayload;
  } catch (error) {
    throw invalid("manifest_signature_invalid", "the signature does not verify with the robot's registered key", error);
  }
  if (payload.iss !== input.robotId) throw invalid("manifest_mismatch", `iss must be ${input.robotId}`);
  if (payload.episode_id !== input.episodeId)
    throw invalid("manifest_mismatch", `episode_id must be ${input.episodeId}`);
  if (typeof payload.checksum !== "string" || normalize(payload.checksum) !== normalize(input.checksum)) {
    throw invalid("manifest_mismatch", "its checksum is not the checksum of this ingest");
  }
  if (payload.files !== undefined) {
    const declared = new Map((input.files ?? []).map((file) => [file.path, file.sha256.toLowerCase()]));
    const signed = Object.entries(payload.files ?? {});
    if (
      signed.length !== declared.size ||
      signed.some(([path, sha]) => declared.get(path) !== String(sha).toLowerCase())
    ) {
      throw invalid("manifest_mismatch", "its files differ from the files declared for the upload");
    }
  }
  return payload;
}
