/**
 * Compile-time proof that the answer schemas the reference documents match what the verbs return:
 * each line fails `tsc` when a verb's answer type and its schema drift apart (a field added to one
 * and not the other, a type changed). The runtime side is the API spec that validates real answers.
 */
import type { z } from "zod";
import type { IngestAnswer, EpisodeSummary } from "@/lib/episodes/views";
import type { EpisodeListPage } from "@/lib/episodes/list-episodes";
import type { EpisodeUploadGrant } from "@/lib/episodes/request-episode-upload";
import type { putEpisodeUpload } from "@/lib/episodes/put-episode-upload";
import type {
  ZEpisodeListPage,
  ZEpisodePutAnswer,
  ZEpisodeSummary,
  ZEpisodeUploadGrant,
  ZIngestAnswer,
} from "@/lib/episodes/schemas";
import type { CheckAnswer } from "@/lib/ota/check-for-update";
import type { FieldIndex } from "@/lib/ota/get-field-index";
import type { PendingUpdate } from "@/lib/ota/pending-update";
import type { ReportAnswer } from "@/lib/ota/report-deployment";
import type { ZCheckAnswer, ZFieldIndex, ZOtaPublicKey, ZPendingUpdate, ZReportAnswer } from "@/lib/ota/schemas";
import type { OtaPublicKey } from "@/lib/ota/signing-key";
import type { ClaimResult } from "@/lib/robots/claim-robot";
import type { getRobot } from "@/lib/robots/get-robot";
import type { HeartbeatAnswer } from "@/lib/robots/record-heartbeat";
import type {
  ZClaimAnswer,
  ZHeartbeatAnswer,
  ZProvisioningTokenView,
  ZPublicRobotView,
  ZRobotDetail,
  ZRobotSummary,
  ZRobotView,
} from "@/lib/robots/schemas";
import type { ProvisioningTokenView, PublicRobotView, RobotSummary, RobotView } from "@/lib/robots/views";

import type { appendTrainingLogs } from "@/lib/training/append-training-logs";
import type { heartbeatTrainingJob } from "@/lib/training/heartbeat-training-job";
import type { reportTrainingMetrics } from "@/lib/training/report-training-metrics";
import type {
  ZTrainingHeartbeatAnswer,
  ZTrainingJobSummary,
  ZTrainingJobView,
  ZTrainingLogsAnswer,
  ZTrainingMetricsAnswer,
  ZTrainingTokenView,
} from "@/lib/training/schemas";
import type { TrainingJobSummary, TrainingJobView, TrainingTokenView } from "@/lib/training/views";

/** True when each type is assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Out<S extends z.ZodType> = z.output<S>;
type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

/** Every entry must be `true`; a drift turns one into `false` and this assignment fails to compile. */
export const ANSWER_TYPES_MATCH: Record<string, true> = {
  robotView: true satisfies Same<Out<typeof ZRobotView>, RobotView>,
  publicRobotView: true satisfies Same<Out<typeof ZPublicRobotView>, PublicRobotView>,
  heartbeatAnswer: true satisfies Same<Out<typeof ZHeartbeatAnswer>, HeartbeatAnswer>,
  robotDetail: true satisfies Same<Out<typeof ZRobotDetail>, Answer<typeof getRobot>>,
  claimAnswer: true satisfies Same<Out<typeof ZClaimAnswer>, ClaimResult>,
  provisioningToken: true satisfies Same<Out<typeof ZProvisioningTokenView>, ProvisioningTokenView>,
  robotSummary: true satisfies Same<Out<typeof ZRobotSummary>, RobotSummary>,
  uploadGrant: true satisfies Same<Out<typeof ZEpisodeUploadGrant>, EpisodeUploadGrant>,
  ingestAnswer: true satisfies Same<Out<typeof ZIngestAnswer>, IngestAnswer>,
  episodePut: true satisfies Same<Out<typeof ZEpisodePutAnswer>, Answer<typeof putEpisodeUpload>>,
  episodeSummary: true satisfies Same<Out<typeof ZEpisodeSummary>, EpisodeSummary>,
  episodeListPage: true satisfies Same<Out<typeof ZEpisodeListPage>, EpisodeListPage>,
  pendingUpdate: true satisfies Same<Out<typeof ZPendingUpdate>, PendingUpdate>,
  checkAnswer: true satisfies Same<Out<typeof ZCheckAnswer>, CheckAnswer>,
  reportAnswer: true satisfies Same<Out<typeof ZReportAnswer>, ReportAnswer>,
  fieldIndex: true satisfies Same<Out<typeof ZFieldIndex>, FieldIndex>,
  otaPublicKey: true satisfies Same<Out<typeof ZOtaPublicKey>, OtaPublicKey>,
  trainingJob: true satisfies Same<Out<typeof ZTrainingJobView>, TrainingJobView>,
  trainingJobSummary: true satisfies Same<Out<typeof ZTrainingJobSummary>, TrainingJobSummary>,
  trainingToken: true satisfies Same<Out<typeof ZTrainingTokenView>, TrainingTokenView>,
  trainingHeartbeat: true satisfies Same<Out<typeof ZTrainingHeartbeatAnswer>, Answer<typeof heartbeatTrainingJob>>,
  trainingLogs: true satisfies Same<Out<typeof ZTrainingLogsAnswer>, Answer<typeof appendTrainingLogs>>,
  trainingMetrics: true satisfies Same<Out<typeof ZTrainingMetricsAnswer>, Answer<typeof reportTrainingMetrics>>,
};
