import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { adminApi, signUpAndSignIn } from "../support/users";
import { bearer, createToken, seedEpisodes, uniqueRobotModel } from "./training-support";

/**
 * The training API over real HTTP against the built server: tokens, the worker protocol, and every
 * bad-input and race case of the issue, each with its exact status and reason and no side effect.
 */
let admin: APIRequestContext;
let anon: APIRequestContext;
test.beforeAll(async ({ baseURL }) => {
  admin = await adminApi(baseURL as string);
  anon = await playwrightRequest.newContext({ baseURL });
});

async function seedJob(robotModel: string, episodes = 3, hyperparams: Record<string, number> = { num_steps: 50 }) {
  const ids = await seedEpisodes(episodes, robotModel);
  const response = await admin.post("/api/console/training/jobs", {
    data: { type: "seed", filter: { robot_model: robotModel }, hyperparams },
  });
  expect(response.status()).toBe(201);
  return { ids, job: (await response.json()) as { job_id: string; dataset: { episode_set_sha256: string } } };
}

async function jobStatus(jobId: string) {
  return (await (await admin.get(`/api/console/training/jobs/${jobId}`)).json()) as {
    status: string;
    attempts: number;
    metric_count: number;
    lease: { worker: string | null } | null;
    output: { model_id: string } | null;
  };
}

async function expectError(response: Awaited<ReturnType<APIRequestContext["get"]>>, status: number, reason: string) {
  expect(response.status(), await response.text()).toBe(status);
  expect(((await response.json()) as { error: { reason: string } }).error.reason).toBe(reason);
}

test.describe("training tokens", () => {
  test("admins create (shown once), list (last used) and revoke; revoked, unknown and wrong-scope tokens are refused", async () => {
    const { token, id } = await createToken(admin, "api-spec");
    const list = await admin.get("/api/console/training-tokens");
    const listed = ((await list.json()) as { tokens: Array<{ id: string; last_used_at: string | null }> }).tokens;
    expect(JSON.stringify(listed)).not.toContain(token.slice(8));
    expect(listed.find((t) => t.id === id)?.last_used_at).toBeNull();

    expect((await anon.get("/api/training/jobs", { headers: bearer(token) })).status()).toBe(200);
    const used = (
      (await (await admin.get("/api/console/training-tokens")).json()) as {
        tokens: Array<{ id: string; last_used_at: string | null }>;
      }
    ).tokens;
    expect(used.find((t) => t.id === id)?.last_used_at).not.toBeNull();

    const reader = await createToken(admin, "api-spec-reader", ["training:read"]);
    await expectError(
      await anon.post("/api/training/claim", { headers: bearer(reader.token), data: {} }),
      403,
      "insufficient_scope",
    );
    expect((await anon.get("/api/training/jobs", { headers: bearer(reader.token) })).status()).toBe(200);
    await expectError(await anon.post("/api/training/claim", { data: {} }), 401, "training_token_required");
    await expectError(
      await anon.post("/api/training/claim", { headers: bearer(`ctt_${"x".repeat(43)}`), data: {} }),
      401,
      "unknown_token",
    );
    await expectError(
      await anon.post("/api/training/claim", { headers: bearer(`cpt_${"x".repeat(43)}`), data: {} }),
      401,
      "unknown_token",
    );

    expect((await admin.post(`/api/console/training-tokens/${id}/revoke`)).status()).toBe(200);
    await expectError(
      await anon.post("/api/training/claim", { headers: bearer(token), data: {} }),
      401,
      "token_revoked",
    );
    await expectError(await admin.post(`/api/console/training-tokens/${id}/revoke`), 409, "already_revoked");

    const owner = await signUpAndSignIn(test.info().project.use.baseURL as string, "token-owner");
    await expectError(
      await owner.api.post("/api/console/training-tokens", { data: { name: "mine" } }),
      403,
      "role_required",
    );
  });
});

test.describe("jobs and the worker protocol", () => {
  test("an episode filter that matches nothing is 400 empty_dataset and creates no job", async () => {
    const before = ((await (await admin.get("/api/console/training/jobs?limit=200")).json()) as { jobs: unknown[] })
      .jobs.length;
    const preview = await admin.post("/api/console/training/preview", { data: { robot_model: "nobody-v0" } });
    expect(await preview.json()).toMatchObject({ matched: 0, selected: 0 });
    await expectError(
      await admin.post("/api/console/training/jobs", { data: { type: "seed", filter: { robot_model: "nobody-v0" } } }),
      400,
      "empty_dataset",
    );
    await expectError(
      await admin.post("/api/console/training/jobs", {
        data: { type: "seed", filter: { robot_model: "Not A Model" } },
      }),
      400,
      "invalid_input",
    );
    const after = ((await (await admin.get("/api/console/training/jobs?limit=200")).json()) as { jobs: unknown[] }).jobs
      .length;
    expect(after).toBe(before);
  });

  test("a job created from a preview has exactly the previewed episodes while matching ones keep arriving", async () => {
    const robotModel = uniqueRobotModel("pin");
    const first = await seedEpisodes(3, robotModel);
    const counted = await admin.post("/api/console/training/preview", { data: { robot_model: robotModel } });
    expect(counted.status()).toBe(200);
    const preview = (await counted.json()) as { preview_id: string; selected: number; episode_set_sha256: string };
    expect(preview.selected).toBe(3);

    // Robots upload more matching episodes between "Count episodes" and "Create job".
    const later = await seedEpisodes(2, robotModel);
    const recount = (await (
      await admin.post("/api/console/training/preview", { data: { robot_model: robotModel } })
    ).json()) as { selected: number };
    expect(recount.selected).toBe(5);
    await expectError(
      await admin.post("/api/console/training/jobs", {
        data: { type: "seed", filter: { robot_model: robotModel }, expected_sha256: preview.episode_set_sha256 },
      }),
      409,
      "dataset_changed",
    );

    const created = await admin.post("/api/console/training/jobs", {
      data: { type: "seed", preview_id: preview.preview_id, expected_sha256: preview.episode_set_sha256 },
    });
    expect(created.status(), await created.text()).toBe(201);
    const job = (await created.json()) as {
      job_id: string;
      robot_model: string;
      config: { episode_ids: string[]; filter: { robot_model: string } };
      dataset: { episode_count: number; episode_set_sha256: string };
    };
    expect([...job.config.episode_ids].sort()).toEqual([...first].sort());
    expect(job.config.episode_ids.some((id) => later.includes(id))).toBe(false);
    expect(job.robot_model).toBe(robotModel);
    expect(job.config.filter.robot_model).toBe(robotModel);
    expect(job.dataset).toEqual({ episode_count: 3, episode_set_sha256: preview.episode_set_sha256 });

    await expectError(
      await admin.post("/api/console/training/jobs", { data: { type: "seed", preview_id: "dsp_unknown" } }),
      404,
      "preview_not_found",
    );
  });

  test("two workers claiming one job at once: one wins, the other is 409 job_already_claimed", async () => {
    const { job } = await seedJob(uniqueRobotModel("race"));
    const [a, b] = await Promise.all([createToken(admin, "race-a"), createToken(admin, "race-b")]);
    const responses = await Promise.all([
      anon.post("/api/training/claim", { headers: bearer(a.token), data: { job_id: job.job_id, worker: "a" } }),
      anon.post("/api/training/claim", { headers: bearer(b.token), data: { job_id: job.job_id, worker: "b" } }),
    ]);
    const statuses = responses.map((r) => r.status()).sort();
    expect(statuses).toEqual([200, 409]);
    const loser = responses.find((r) => r.status() === 409);
    expect(((await loser?.json()) as { error: { reason: string } }).error.reason).toBe("job_already_claimed");
    const state = await jobStatus(job.job_id);
    expect(state).toMatchObject({ status: "running", attempts: 1 });
  });

  test("a heartbeat after the lease lapsed is 409 lease_expired and renews nothing", async () => {
    const robotModel = uniqueRobotModel("lapse");
    const { job } = await seedJob(robotModel);
    const { token } = await createToken(admin, "lapse");
    const claim = await anon.post("/api/training/claim", {
      headers: bearer(token),
      data: { job_id: job.job_id, lease_s: 1 },
    });
    const { lease } = (await claim.json()) as { lease: { lease_id: string; expires_at: string } };
    await new Promise((resolve) => setTimeout(resolve, 1300));
    await expectError(
      await anon.post(`/api/training/jobs/${job.job_id}/heartbeat`, {
        headers: bearer(token),
        data: { lease_id: lease.lease_id },
      }),
      409,
      "lease_expired",
    );
    await expectError(
      await anon.post(`/api/training/jobs/${job.job_id}/metrics`, {
        headers: bearer(token),
        data: { lease_id: lease.lease_id, points: [{ step: 1, loss: 1 }] },
      }),
      409,
      "lease_expired",
    );
    expect((await jobStatus(job.job_id)).metric_count).toBe(0);
  });

  test("completing a job that is not yours is 403 not_lease_holder and leaves the job running", async () => {
    const { job } = await seedJob(uniqueRobotModel("notyours"));
    const [owner, stranger] = await Promise.all([createToken(admin, "holder"), createToken(admin, "stranger")]);
    expect(
      (await anon.post("/api/training/claim", { headers: bearer(owner.token), data: { job_id: job.job_id } })).status(),
    ).toBe(200);
    await expectError(
      await anon.post(`/api/training/jobs/${job.job_id}/complete`, {
        headers: bearer(stranger.token),
        data: { lease_id: "lse_guess", metrics: { loss: 0 } },
      }),
      403,
      "not_lease_holder",
    );
    await expectError(
      await anon.post("/api/training/update", {
        headers: bearer(stranger.token),
        data: { job_id: job.job_id, status: "failed", error: "x" },
      }),
      403,
      "not_lease_holder",
    );
    expect(await jobStatus(job.job_id)).toMatchObject({ status: "running", output: null });
  });

  test("metrics for a cancelled job are 409 job_cancelled and store nothing; cancelling is audited", async () => {
    const { job } = await seedJob(uniqueRobotModel("cancel"));
    const { token } = await createToken(admin, "cancelled");
    const claim = (await (
      await anon.post("/api/training/claim", { headers: bearer(token), data: { job_id: job.job_id } })
    ).json()) as {
      lease: { lease_id: string };
    };
    expect(
      (await admin.post(`/api/console/training/jobs/${job.job_id}/cancel`, { data: { reason: "wrong set" } })).status(),
    ).toBe(200);
    await expectError(
      await anon.post(`/api/training/jobs/${job.job_id}/metrics`, {
        headers: bearer(token),
        data: { lease_id: claim.lease.lease_id, points: [{ step: 1, loss: 0.5 }] },
      }),
      409,
      "job_cancelled",
    );
    const metrics = (await (await admin.get(`/api/console/training/jobs/${job.job_id}/metrics`)).json()) as {
      points: unknown[];
    };
    expect(metrics.points).toEqual([]);
    await expectError(
      await admin.post(`/api/console/training/jobs/${job.job_id}/cancel`, { data: {} }),
      409,
      "job_finished",
    );
    const audit = (await (await admin.get("/api/console/audit?action=training.job_cancel")).json()) as {
      entries: Array<{ target: { id: string } }>;
    };
    expect(audit.entries.some((entry) => entry.target.id === job.job_id)).toBe(true);
  });

  test("checkpoint URLs are only issued under models/checkpoints/{job_id}/", async () => {
    const { job } = await seedJob(uniqueRobotModel("prefix"));
    const { token } = await createToken(admin, "prefix");
    const claim = (await (
      await anon.post("/api/training/claim", { headers: bearer(token), data: { job_id: job.job_id } })
    ).json()) as {
      lease: { lease_id: string };
    };
    const lease_id = claim.lease.lease_id;
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ path: "../job_other/model.npz" }, 403, "outside_job_prefix"],
      [{ path: "/etc/passwd" }, 403, "outside_job_prefix"],
      [{ key: "models/checkpoints/job_other/model.npz" }, 403, "outside_job_prefix"],
      [{ key: "models/production/companion-v1/v9.9.9/seed_model.npz" }, 403, "outside_job_prefix"],
      [{ key: `models/checkpoints/${job.job_id}/../x/y` }, 403, "outside_job_prefix"],
      [{ path: "a\\b" }, 400, "invalid_blob_key"],
    ];
    for (const [body, status, reason] of cases) {
      await expectError(
        await anon.post(`/api/training/jobs/${job.job_id}/checkpoint-url`, {
          headers: bearer(token),
          data: { lease_id, ...body },
        }),
        status,
        reason,
      );
    }
    await expectError(
      await anon.post(`/api/training/jobs/${job.job_id}/complete`, {
        headers: bearer(token),
        data: { lease_id, model_ref: "models/production/companion-v1/v1.0.0/" },
      }),
      403,
      "outside_job_prefix",
    );
    await expectError(
      await anon.post(`/api/training/jobs/${job.job_id}/complete`, { headers: bearer(token), data: { lease_id } }),
      409,
      "checkpoint_missing",
    );
    expect((await jobStatus(job.job_id)).status).toBe("running");
  });

  test("a worker trains a job end to end over HTTP: episodes, metrics, signed upload, completion, lineage", async () => {
    const robotModel = uniqueRobotModel("flow");
    const { ids, job } = await seedJob(robotModel, 2);
    const { token } = await createToken(admin, "flow");
    const claim = (await (
      await anon.post("/api/training/claim", { headers: bearer(token), data: { job_id: job.job_id, worker: "spec" } })
    ).json()) as {
      lease: { lease_id: string };
    };
    const lease_id = claim.lease.lease_id;
    const episodes = (await (
      await anon.get(`/api/training/jobs/${job.job_id}/episodes`, { headers: bearer(token) })
    ).json()) as {
      episodes: Array<{ tfrecord: { url: string; size_bytes: number } }>;
    };
    expect(episodes.episodes).toHaveLength(2);
    const tfrecord = await anon.get(episodes.episodes[0]?.tfrecord.url as string);
    expect(tfrecord.status()).toBe(200);
    expect((await tfrecord.body()).length).toBe(episodes.episodes[0]?.tfrecord.size_bytes);

    const points = Array.from({ length: 20 }, (_, i) => ({
      step: (i + 1) * 5,
      loss: 1 / (i + 1),
      grad_norm: 0.5,
      elapsed_s: i,
    }));
    expect(
      (
        await anon.post(`/api/training/jobs/${job.job_id}/metrics`, {
          headers: bearer(token),
          data: { lease_id, points },
        })
      ).status(),
    ).toBe(200);
    expect(
      (
        await anon.post(`/api/training/jobs/${job.job_id}/heartbeat`, {
          headers: bearer(token),
          data: { lease_id, progress: { step: 100 } },
        })
      ).status(),
    ).toBe(200);

    const signed = (await (
      await anon.post(`/api/training/jobs/${job.job_id}/checkpoint-url`, {
        headers: bearer(token),
        data: { lease_id, path: "seed_model.npz", size_bytes: 5 },
      })
    ).json()) as { upload_url: string; headers: Record<string, string>; model_ref: string };
    const tooBig = await anon.put(signed.upload_url, { headers: signed.headers, data: Buffer.from("0123456789") });
    // The local blob route answers 413; a GCS signed URL refuses a body outside its content-length range with 400.
    expect([413, 400]).toContain(tooBig.status());
    expect((await anon.put(signed.upload_url, { headers: signed.headers, data: Buffer.from("model") })).status()).toBe(
      200,
    );

    const done = await anon.post(`/api/training/jobs/${job.job_id}/complete`, {
      headers: bearer(token),
      data: { lease_id, model_ref: signed.model_ref, metrics: { loss: 0.05 } },
    });
    expect(done.status()).toBe(200);
    const { model } = (await done.json()) as {
      model: { model_id: string; version: string; stage: string; dataset: { episode_set_sha256: string } };
    };
    expect(model).toMatchObject({
      version: "1.0.0",
      stage: "seed",
      dataset: { episode_set_sha256: job.dataset.episode_set_sha256 },
    });
    const lineage = (await (await admin.get(`/api/console/models/${model.model_id}`)).json()) as {
      job: { job_id: string };
      episodes: Array<{ episode_id: string; status: string }>;
    };
    expect(lineage.job.job_id).toBe(job.job_id);
    expect(lineage.episodes.map((e) => e.status)).toEqual(["trained", "trained"]);
    const up = (await (await admin.get(`/api/console/models/by-episode/${ids[0]}`)).json()) as {
      models: Array<{ model_id: string }>;
    };
    expect(up.models.map((m) => m.model_id)).toEqual([model.model_id]);
    const chart = (await (
      await admin.get(`/api/console/training/jobs/${job.job_id}/metrics?after_step=50`)
    ).json()) as { points: Array<{ step: number }> };
    expect(chart.points[0]?.step).toBe(55);
    await expectError(
      await anon.post(`/api/training/jobs/${job.job_id}/heartbeat`, { headers: bearer(token), data: { lease_id } }),
      409,
      "job_not_running",
    );
    const promote = await admin.post(`/api/console/models/${model.model_id}/promote`, { data: {} });
    expect(((await promote.json()) as { model: { stage: string } }).model.stage).toBe("production");
  });

  test("the seed's create and update keep working with a training token", async () => {
    const robotModel = uniqueRobotModel("seedapi");
    const ids = await seedEpisodes(2, robotModel);
    const { token } = await createToken(admin, "seed-api");
    const created = await anon.post("/api/training/create", {
      headers: bearer(token),
      data: { type: "seed", episode_ids: ids, config: { batch_size: 32, num_steps: 10 }, robot_model: robotModel },
    });
    expect(created.status()).toBe(201);
    const job = (await created.json()) as { job_id: string; config: { hyperparams: Record<string, number> } };
    expect(job.config.hyperparams).toMatchObject({ batch_size: 32, num_steps: 10, learning_rate: 1e-4 });
    await expectError(
      await anon.post("/api/training/create", {
        headers: bearer(token),
        data: { type: "seed", episode_ids: ["ep_missing"] },
      }),
      400,
      "unknown_episode",
    );
    const running = await anon.post("/api/training/update", {
      headers: bearer(token),
      data: { job_id: job.job_id, status: "running" },
    });
    expect(await running.json()).toMatchObject({ status: "running", lease_id: expect.stringMatching(/^lse_/) });
    await expectError(
      await anon.post("/api/training/update", {
        headers: bearer(token),
        data: { job_id: job.job_id, status: "completed" },
      }),
      400,
      "model_ref_required",
    );
    const failed = await anon.post("/api/training/update", {
      headers: bearer(token),
      data: { job_id: job.job_id, status: "failed", output: { error: "OOM" } },
    });
    expect(await failed.json()).toMatchObject({ status: "failed" });
    await expectError(
      await admin.post("/api/training/update", { data: { job_id: job.job_id, status: "running" } }),
      400,
      "status_not_allowed",
    );
  });
});
