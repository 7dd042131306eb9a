import type { JobType } from "./schemas";

/** Which notebook trains which job type (`notebooks/` in the repository). */
export const NOTEBOOK_FOR_TYPE: Record<JobType, string> = {
  seed: "01_seed_model_training.ipynb",
  slow_loop: "02_slow_loop_training.ipynb",
  finetune: "02_slow_loop_training.ipynb",
};

/**
 * The `colab_notebook_url` of a job: the notebook for its type under the configured base, with the
 * job id in the fragment. Colab cannot hand URL parameters to the kernel, so the notebook's
 * parameters cell takes the id from `CONTINUON_JOB_ID` (or the form field the user pastes it into);
 * the console also offers the notebook with the id already written into that cell.
 */
export function jobNotebookUrl(baseUrl: string, type: JobType, jobId: string): string {
  return `${baseUrl.replace(/\/$/, "")}/${NOTEBOOK_FOR_TYPE[type]}#job_id=${encodeURIComponent(jobId)}`;
}
