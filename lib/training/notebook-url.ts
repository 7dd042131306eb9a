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

interface NotebookCell {
  cell_type?: string;
  metadata?: { tags?: string[] };
  source?: string | string[];
}

/**
 * A copy of a notebook (nbformat JSON) with the job id and API URL written into its `parameters`
 * cell (the lines `JOB_ID = ""` and `CONTINUON_API_URL = ""`), for the console's download: Colab
 * opens it with nothing to paste but the token, which stays in Colab secrets.
 */
export function fillNotebookParameters(notebook: unknown, values: { jobId: string; apiUrl: string }): unknown {
  const copy = structuredClone(notebook) as { cells?: NotebookCell[] };
  const cell = copy.cells?.find((candidate) => candidate.metadata?.tags?.includes("parameters"));
  if (!cell) return copy;
  const lines = Array.isArray(cell.source) ? cell.source.join("") : (cell.source ?? "");
  const filled = lines
    .replace(/^JOB_ID = ".*"/m, `JOB_ID = ${JSON.stringify(values.jobId)}`)
    .replace(/^CONTINUON_API_URL = ".*"/m, `CONTINUON_API_URL = ${JSON.stringify(values.apiUrl)}`);
  cell.source = filled.split(/(?<=\n)/);
  return copy;
}
