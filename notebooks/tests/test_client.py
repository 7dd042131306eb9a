import hashlib
import json
import os
import tempfile
import unittest

import support  # noqa: F401

from stub_server import StubServer

from continuon_cloud import Client, ContinuonError, JobCancelled, LeaseLost, dataset_hash, register_model
from utils import gcs_loader

JOB = {
    "job_id": "job_1",
    "type": "seed",
    "robot_model": "companion-v1",
    "config": {"episode_ids": ["ep_b", "ep_a"], "hyperparams": {"batch_size": 256, "learning_rate": 1e-4, "num_steps": 10}},
    "dataset": {"episode_count": 2, "episode_set_sha256": "x"},
}
LEASE = {"lease_id": "lse_secret", "expires_at": "2030-01-01T00:00:00Z", "lease_s": 60}


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.stub = StubServer()
        self.client = Client(api_url=self.stub.url, token="ctt_test", retries=2)

    def tearDown(self):
        self.stub.close()

    def test_needs_a_token(self):
        saved = os.environ.pop("CONTINUON_TRAINING_TOKEN", None)
        try:
            with self.assertRaisesRegex(ValueError, "No training token"):
                Client(api_url=self.stub.url)
        finally:
            if saved is not None:
                os.environ["CONTINUON_TRAINING_TOKEN"] = saved

    def test_claims_with_the_token_and_returns_a_run(self):
        self.stub.routes[("POST", "/api/training/claim")] = [(200, {"job": JOB, "lease": LEASE}), (200, {"job": None, "lease": None})]
        run = self.client.claim(type="seed", worker="test", lease_s=60)
        self.assertEqual(run.job_id, "job_1")
        self.assertEqual(run.hyperparams["num_steps"], 10)
        request = self.stub.requests[0]
        self.assertEqual(request["headers"]["authorization"], "Bearer ctt_test")
        self.assertEqual(json.loads(request["body"]), {"lease_s": 60, "type": "seed", "worker": "test"})
        self.assertIsNone(self.client.claim())

    def test_refusals_become_typed_errors_with_status_code_and_reason(self):
        cases = [
            (409, "conflict", "job_cancelled", JobCancelled),
            (409, "conflict", "lease_expired", LeaseLost),
            (403, "forbidden", "not_lease_holder", LeaseLost),
            (403, "forbidden", "insufficient_scope", ContinuonError),
            (401, "unauthenticated", "token_revoked", ContinuonError),
        ]
        for status, code, reason, kind in cases:
            self.stub.routes[("GET", "/api/training/jobs/job_1")] = (status, {"error": {"code": code, "reason": reason, "message": "no"}})
            with self.assertRaises(kind) as caught:
                self.client.get_job("job_1")
            self.assertEqual((caught.exception.status, caught.exception.code, caught.exception.reason), (status, code, reason))

    def test_retries_unavailable_answers_then_succeeds(self):
        self.stub.routes[("GET", "/api/training/jobs/job_1")] = [(503, {"error": {"code": "unavailable", "message": "busy"}}), (200, JOB)]
        self.assertEqual(self.client.get_job("job_1")["job_id"], "job_1")
        self.assertEqual(len(self.stub.requests), 2)

    def test_metrics_are_buffered_finite_and_sent_with_the_lease(self):
        self.stub.routes[("POST", "/api/training/claim")] = (200, {"job": JOB, "lease": LEASE})
        self.stub.routes[("POST", "/api/training/jobs/job_1/metrics")] = (200, {"accepted": 2})
        run = self.client.claim()
        run.log_metrics(1, loss=0.5, grad_norm=float("nan"))
        run.log_metrics(2, loss=0.25, elapsed_s=1)
        run.log_metrics(3, loss=float("inf"))
        self.assertEqual(run.flush(), 2)
        self.assertEqual(
            self.stub.json_bodies("POST", "/api/training/jobs/job_1/metrics"),
            [{"lease_id": "lse_secret", "points": [{"step": 1, "loss": 0.5}, {"step": 2, "loss": 0.25, "elapsed_s": 1.0}]}],
        )
        self.assertEqual(run.flush(), 0)

    def test_a_failed_flush_keeps_the_points_for_the_next_one(self):
        self.stub.routes[("POST", "/api/training/claim")] = (200, {"job": JOB, "lease": LEASE})
        self.stub.routes[("POST", "/api/training/jobs/job_1/metrics")] = [
            (409, {"error": {"code": "conflict", "reason": "job_cancelled", "message": "stop"}}),
            (200, {"accepted": 1}),
        ]
        run = self.client.claim()
        run.log_metrics(1, loss=1)
        with self.assertRaises(JobCancelled):
            run.flush()
        self.assertEqual(run.flush(), 1)

    def test_uploads_put_the_file_to_the_signed_url_with_its_headers_and_complete(self):
        self.stub.routes[("POST", "/api/training/claim")] = (200, {"job": JOB, "lease": LEASE})
        self.stub.routes[("POST", "/api/training/jobs/job_1/checkpoint-url")] = lambda path, body: (
            200,
            {
                "upload_url": f"{self.stub.url}/upload/{json.loads(body)['path']}",
                "headers": {"content-type": json.loads(body)["content_type"]},
                "key": f"models/checkpoints/job_1/{json.loads(body)['path']}",
            },
        )
        self.stub.routes[("PUT", "/upload/seed_model.npz")] = (200, {})
        self.stub.routes[("PUT", "/upload/config/model_config.json")] = (200, {})
        self.stub.routes[("POST", "/api/training/jobs/job_1/complete")] = (200, {"job": {**JOB, "status": "completed"}, "model": {"model_id": "mdl_1"}})
        run = self.client.claim()
        with tempfile.TemporaryDirectory() as out:
            os.makedirs(os.path.join(out, "config"))
            with open(os.path.join(out, "seed_model.npz"), "wb") as handle:
                handle.write(b"w" * 1000)
            with open(os.path.join(out, "config", "model_config.json"), "w") as handle:
                handle.write("{}")
            ref = run.upload_dir(out)
        self.assertEqual(ref, "models/checkpoints/job_1/")
        puts = [r for r in self.stub.requests if r["method"] == "PUT"]
        self.assertEqual(sorted(r["path"] for r in puts), ["/upload/config/model_config.json", "/upload/seed_model.npz"])
        weights = next(r for r in puts if r["path"].endswith(".npz"))
        self.assertEqual((weights["body"], weights["headers"]["content-type"]), (b"w" * 1000, "application/octet-stream"))
        asks = self.stub.json_bodies("POST", "/api/training/jobs/job_1/checkpoint-url")
        self.assertIn({"lease_id": "lse_secret", "path": "config/model_config.json", "content_type": "application/json", "size_bytes": 2}, asks)
        answer = register_model(ref, robot_model="companion-v1", metrics={"loss": 0.1, "bad": float("nan")}, job=run)
        self.assertEqual(answer["model"]["model_id"], "mdl_1")
        self.assertEqual(self.stub.json_bodies("POST", "/api/training/jobs/job_1/complete")[0], {"lease_id": "lse_secret", "metrics": {"loss": 0.1}, "model_ref": ref})
        with self.assertRaisesRegex(ValueError, "not rover-v2"):
            register_model(ref, robot_model="rover-v2", job=run)

    def test_dataset_hash_matches_the_servers_rule(self):
        self.assertEqual(dataset_hash(["ep_b", "ep_a"]), hashlib.sha256(b"ep_a\nep_b").hexdigest())


class Downloads(unittest.TestCase):
    def test_downloads_atomically_skips_a_complete_copy_and_reports_http_errors(self):
        stub = StubServer()
        try:
            stub.routes[("GET", "/blob")] = (200, b"0123456789")
            stub.routes[("GET", "/gone")] = (404, {"error": {"code": "not_found"}})
            with tempfile.TemporaryDirectory() as out:
                dest = gcs_loader.cache_path("episodes/tfrecord/r/e.tfrecord", out)
                self.assertTrue(dest.startswith(out))
                gcs_loader.download(f"{stub.url}/blob", dest, expected_size=10)
                gcs_loader.download(f"{stub.url}/blob", dest, expected_size=10)
                self.assertEqual(len(stub.requests), 1)
                with open(dest, "rb") as handle:
                    self.assertEqual(handle.read(), b"0123456789")
                with self.assertRaisesRegex(IOError, "HTTP 404"):
                    gcs_loader.download(f"{stub.url}/gone", os.path.join(out, "x"))
                self.assertFalse(os.path.exists(os.path.join(out, "x")))
                self.assertEqual(gcs_loader.cache_path("../../etc/passwd", out), os.path.join(out, "etc", "passwd"))
        finally:
            stub.close()


if __name__ == "__main__":
    unittest.main()
