import { createHash } from "node:crypto";

/** Cohort buckets: 10 000 of them, so target percentages can have two decimals (0.25 %). */
export const COHORT_BUCKETS = 10_000;

/**
 * A robot's fixed place in a rollout: the first 32 bits of SHA-256(`{bundle_id}:{device_id}`)
 * modulo 10 000. It depends only on the bundle and the robot, so a robot inside the cohort at 10 %
 * is still inside at 50 %, and a robot's place differs from one bundle to the next (the same few
 * robots are not always the canaries).
 */
export function cohortBucket(bundleId: string, deviceId: string): number {
  const digest = createHash("sha256").update(`${bundleId}:${deviceId}`).digest();
  return digest.readUInt32BE(0) % COHORT_BUCKETS;
}

/** Is a bucket inside a target percentage (0–100, two decimals)? */
export function bucketInCohort(bucket: number, targetPercentage: number): boolean {
  return bucket < Math.round(targetPercentage * (COHORT_BUCKETS / 100));
}

export function isInCohort(bundleId: string, deviceId: string, targetPercentage: number): boolean {
  return bucketInCohort(cohortBucket(bundleId, deviceId), targetPercentage);
}
