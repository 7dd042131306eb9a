import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { getTrainingJob } from "@/lib/training/get-training-job";
import { fillNotebookParameters, NOTEBOOK_FOR_TYPE } from "@/lib/training/notebook-url";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/training/jobs/{job_id}/notebook — the job's notebook with its id and this deployment's URL filled in
export const GET = createRoute(
  withUser("operator"),
  { params: z.object({ jobId: z.string().min(1).max(200) }) },
  async ({ ctx, params }) => {
    const job = await getTrainingJob(ctx, params.jobId);
    const file = NOTEBOOK_FOR_TYPE[job.type];
    let source: string;
    try {
      source = await readFile(join(process.cwd(), "notebooks", file), "utf8");
    } catch {
      throw new DomainError("unavailable", `The notebook ${file} is not installed on this server.`, {
        reason: "notebook_missing",
      });
    }
    const filled = fillNotebookParameters(JSON.parse(source), { jobId: job.job_id, apiUrl: ctx.config.publicUrl });
    return new Response(JSON.stringify(filled, null, 1), {
      headers: {
        "content-type": "application/x-ipynb+json",
        "content-disposition": `attachment; filename="${file.replace(/\.ipynb$/, "")}-${job.job_id}.ipynb"`,
      },
    });
  },
);
