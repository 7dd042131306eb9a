export { startGcsTestServer, type CorsRule, type GcsTestServer, type GcsTestServerOptions } from "./gcs-test-server";
export { createTestServiceAccount, type TestServiceAccount } from "./test-service-account";
export { verifySignedRequest, type VerifiedSignedRequest } from "./verify-signed-url";
export { GcsError } from "./gcs-error";
