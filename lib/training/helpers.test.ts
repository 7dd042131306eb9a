import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/env";
import { keyFromRef, resolveCheckpointKey, resolveModelRef } from "./blob-refs";
import { datasetHash } from "./dataset-hash";
import { compareVersions, nextModelVersion } from "./model-version";
import { fillNotebookParameters, fillParameterSource, jobNotebookUrl, NOTEBOOK_FOR_TYPE } from "./notebook-url";

describe("dataset hash", () => {
  it("is the SHA-256 of the sorted ids joined by newlines, whatever the order", () => {
    const expected = createHash("sha256").update("ep_a\nep_b\nep_c").digest("hex");
    expect(datasetHash(["ep_c", "ep_a", "ep_b"])).toBe(expected);
    expect(datasetHash(["ep_b", "ep_c", "ep_a"])).toBe(expected);
    expect(datasetHash(["ep_a", "ep_b"])).not.toBe(expected);
  });
});

describe("model versions", () => {
  it.each([
    [null, "minor", "1.0.0"],
    ["1.0.0", "minor", "1.1.0"],
    ["1.4.2", "patch", "1.4.3"],
    ["1.9.9", "minor", "1.10.0"],
    ["not-a-version", "patch", "1.0.0"],
  ] as const)("after %s a %s bump is %s", (latest, bump, next) => {
    expect(nextModelVersion(latest, bump)).toBe(next);
  });
  it("compares numerically", () => {
    expect(compareVersions("1.10.0", "1.9.0")).toBe(1);
    expect(compareVersions("1.0.0", "1.0.0")).toBe(0);
    expect(compareVersions("v1.0.1", "0.0.1")).toBe(-1);
  });
});

describe("blob references", () => {
  const local = loadConfig({});
  const cloud = loadConfig({
    BLOB_DRIVER: "gcs",
    GCS_BUCKET: "continuon-rlds",
    NEXTAUTH_SECRET: "x".repeat(32),
    OTA_SIGNING_KEY: "k",
    GOOGLE_CLOUD_PROJECT: "demo-x",
  });
  it("reads gs:// refs of the configured bucket (any bucket on the embedded default)", () => {
    expect(keyFromRef(local, "gs://continuon-rlds/models/seed/v2/")).toBe("models/seed/v2/");
    expect(keyFromRef(cloud, "gs://continuon-rlds/models/seed/v2/")).toBe("models/seed/v2/");
    expect(() => keyFromRef(cloud, "gs://elsewhere/models/x")).toThrow(
      expect.objectContaining({ reason: "foreign_bucket" }),
    );
  });
  it("keeps checkpoint keys and model refs inside the job's folder", () => {
    expect(resolveCheckpointKey("job_1", { path: "config/model_config.json" })).toBe(
      "models/checkpoints/job_1/config/model_config.json",
    );
    expect(() => resolveCheckpointKey("job_1", { path: "../job_2/x" })).toThrow(
      expect.objectContaining({ reason: "outside_job_prefix" }),
    );
    expect(resolveModelRef(local, "job_1", "models/checkpoints/job_1", false)).toBe("models/checkpoints/job_1/");
    expect(resolveModelRef(local, "job_1", "models/checkpoints/job_1/final/model.npz", true)).toBe(
      "models/checkpoints/job_1/final/",
    );
    expect(() => resolveModelRef(local, "job_1", "models/checkpoints/job_1/../job_2/", false)).toThrow(
      expect.objectContaining({ reason: "outside_job_prefix" }),
    );
  });
  it("links each job type to its notebook", () => {
    expect(jobNotebookUrl("https://nb.example/notebooks/", "slow_loop", "job_1")).toBe(
      "https://nb.example/notebooks/02_slow_loop_training.ipynb#job_id=job_1",
    );
  });
});

describe("notebook download", () => {
  type Notebook = { cells: Array<{ cell_type: string; source: string[]; metadata: { tags?: string[] } }> };
  const parametersOf = (notebook: Notebook) =>
    notebook.cells.find((cell) => cell.metadata.tags?.includes("parameters"))?.source.join("") ?? "";
  /** Run a cell's source with Python (`ast.parse`, then `exec`) and return the named variables. */
  const runPython = (source: string, names: string[]): Record<string, string> => {
    const script = [
      "import ast, json, sys",
      "source = sys.stdin.read()",
      "ast.parse(source)",
      "scope = {}",
      "exec(compile(source, 'parameters', 'exec'), scope)",
      `print(json.dumps({name: scope[name] for name in ${JSON.stringify(names)}}))`,
    ].join("\n");
    const result = spawnSync(process.env.PYTHON ?? "python3", ["-c", script], { input: source, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Record<string, string>;
  };

  it.each(Object.values(NOTEBOOK_FOR_TYPE))("fills %s's parameters cell so Python runs it with the values", (file) => {
    const notebook = JSON.parse(readFileSync(`notebooks/${file}`, "utf8")) as Notebook;
    const filled = fillNotebookParameters(notebook, {
      jobId: "job_01abc",
      apiUrl: "https://fleet.example",
    }) as Notebook;
    const cell = parametersOf(filled);
    expect(cell.split("\n").filter((line) => /^(JOB_ID|CONTINUON_API_URL) =/.test(line))).toEqual([
      'JOB_ID = "job_01abc"  # @param {type:"string"}',
      'CONTINUON_API_URL = "https://fleet.example"  # @param {type:"string"}',
    ]);
    expect(runPython(cell, ["JOB_ID", "CONTINUON_API_URL", "WORKER_NAME"])).toEqual({
      JOB_ID: "job_01abc",
      CONTINUON_API_URL: "https://fleet.example",
      WORKER_NAME: "",
    });
    // The original is untouched, and so is every other cell.
    expect(parametersOf(notebook)).toContain('JOB_ID = ""  # @param {type:"string"}');
    const others = (cells: Notebook["cells"]) =>
      JSON.stringify(cells.filter((candidate) => !candidate.metadata.tags?.includes("parameters")));
    expect(others(filled.cells)).toBe(others(notebook.cells));
  });

  it("writes values with quotes, backslashes, hashes and line breaks as Python literals", () => {
    const source =
      'JOB_ID = ""  # @param {type:"string"}\nCONTINUON_API_URL = \'\'  # @param {type:"string"}\nOTHER = "x"\n';
    const values = { JOB_ID: 'job_"#\\n\u00e9\u2028', CONTINUON_API_URL: "https://a.example/x'y # z\nw" };
    const filled = fillParameterSource(source, values);
    expect(runPython(filled, ["JOB_ID", "CONTINUON_API_URL", "OTHER"])).toEqual({ ...values, OTHER: "x" });
  });

  it("refuses a parameters cell that does not assign each value exactly once", () => {
    expect(() => fillParameterSource('WORKER_NAME = ""\n', { JOB_ID: "job_1" })).toThrow(
      expect.objectContaining({ code: "unavailable", reason: "notebook_parameters_missing" }),
    );
    expect(() => fillParameterSource('JOB_ID = ""\nJOB_ID = ""\n', { JOB_ID: "job_1" })).toThrow(
      expect.objectContaining({ reason: "notebook_parameters_missing" }),
    );
    expect(() => fillNotebookParameters({ cells: [] }, { jobId: "job_1", apiUrl: "https://a.example" })).toThrow(
      expect.objectContaining({ reason: "notebook_parameters_missing" }),
    );
  });
});
