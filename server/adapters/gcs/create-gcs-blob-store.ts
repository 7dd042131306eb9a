import { Storage } from "@google-cloud/storage";
import type { BlobStore } from "@/lib/blobs/port";

/** The part of google-auth-library's credential answer used for signing. */
type CredentialBody = { client_email?: string; private_key?: string };
import { GcsBlobStore } from "./gcs-blob-store";

export interface GcsSettings {
  bucket: string;
  /** Another endpoint than storage.googleapis.com (a test server); requests then go without OAuth. */
  apiEndpoint?: string;
  /**
   * Sign URLs as this service account through IAM `signBlob`, for credentials that have no key
   * and no e-mail of their own (user credentials from `gcloud auth application-default login`).
   * Needs roles/iam.serviceAccountTokenCreator on that account.
   */
  signingEmail?: string;
}

/**
 * The GCS blob store from the runtime's settings. Credentials come from Application Default
 * Credentials (Cloud Run's service account, or GOOGLE_APPLICATION_CREDENTIALS).
 */
export async function createGcsBlobStore(settings: GcsSettings): Promise<BlobStore> {
  const storage = new Storage(settings.apiEndpoint ? { apiEndpoint: settings.apiEndpoint } : {});
  if (settings.signingEmail) {
    // google-auth-library signs V4 URLs as `getCredentials().client_email` (locally with a key,
    // else with IAM signBlob); it has no option to name another account, so answer that call.
    const auth = storage.authClient;
    const original = auth.getCredentials.bind(auth) as () => Promise<CredentialBody>;
    const signingEmail = settings.signingEmail;
    auth.getCredentials = (async (): Promise<CredentialBody> => ({
      ...(await original()),
      client_email: signingEmail,
    })) as typeof auth.getCredentials;
  }
  return new GcsBlobStore(storage, settings.bucket);
}
