import { DomainError } from "@/lib/errors";
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
 * One line of a parameters cell that assigns a string literal: `NAME = "value"  # @param {…}`.
 * The literal is read as Python reads a one-line string (either quote, backslash escapes), so the
 * Colab form annotation after it — which contains quotes of its own — is kept, not swallowed.
 */
const ASSIGNMENT =
  /^(?<name>[A-Za-z_][A-Za-z0-9_]*)(?<eq>[ \t]*=[ \t]*)(?<literal>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')(?<rest>[ \t]*(?:#[^\n]*)?)$/;

/**
 * A Python string literal holding `value`. JSON's escapes (`\"`, `\\`, `\n`, `\uXXXX`, …) all mean
 * the same in a Python string, so a JSON string is one.
 */
function pythonString(value: string): string {
  return JSON.stringify(value);
}

/**
 * Write `values` into a parameters cell's source: each `NAME = "…"` line whose name is a key of
 * `values` gets that value as its literal; the rest of the line (the `# @param` form annotation)
 * and every other line stay as they were. Every name must be assigned exactly once.
 */
export function fillParameterSource(source: string, values: Record<string, string>): string {
  const seen = new Map<string, number>();
  const lines = source.split("\n").map((line) => {
    const match = ASSIGNMENT.exec(line);
    const name = match?.groups?.name;
    if (!match?.groups || name === undefined || !Object.hasOwn(values, name)) return line;
    seen.set(name, (seen.get(name) ?? 0) + 1);
    return `${name}${match.groups.eq}${pythonString(values[name] as string)}${match.groups.rest}`;
  });
  for (const name of Object.keys(values)) {
    if (seen.get(name) !== 1) {
      throw new DomainError(
        "unavailable",
        `The notebook's parameters cell does not assign ${name} = "…" exactly once; it cannot be filled in.`,
        { reason: "notebook_parameters_missing" },
      );
    }
  }
  return lines.join("\n");
}

/**
 * A copy of a notebook (nbformat JSON) with the job id and API URL written into its `parameters`
 * cell (the lines `JOB_ID = ""` and `CONTINUON_API_URL = ""`), for the console's download: Colab
 * opens it with nothing to paste but the token, which stays in Colab secrets.
 */
export function fillNotebookParameters(notebook: unknown, values: { jobId: string; apiUrl: string }): unknown {
  const copy = structuredClone(notebook) as { cells?: NotebookCell[] };
  const cell = copy.cells?.find(
    (candidate) => candidate.cell_type === "code" && candidate.metadata?.tags?.includes("parameters"),
  );
  if (!cell) {
    throw new DomainError("unavailable", "The notebook has no code cell tagged `parameters`.", {
      reason: "notebook_parameters_missing",
    });
  }
  const source = Array.isArray(cell.source) ? cell.source.join("") : (cell.source ?? "");
  const filled = fillParameterSource(source, { JOB_ID: values.jobId, CONTINUON_API_URL: values.apiUrl });
  cell.source = filled.split(/(?<=\n)/);
  return copy;
}
