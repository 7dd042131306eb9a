"""One claimed job: its lease, heartbeats, metrics, logs, episodes, checkpoint uploads and the end."""

from __future__ import annotations

import math
import os
import threading
import time
import urllib.parse
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional

from .client import Client, guess_content_type
from .errors import ContinuonError


class JobRun:
    """A job this worker holds. Every call carries the lease id; when the lease is lost or the job is
    cancelled the calls raise ``LeaseLost`` / ``JobCancelled`` and the run should stop."""

    def __init__(self, client: Client, job: Dict[str, Any], lease: Dict[str, Any]):
        self.client = client
        self.job = job
        self.lease_id: str = lease["lease_id"]
        self.lease_s: int = lease.get("lease_s", 300)
        self.lease_expires_at: str = lease.get("expires_at", "")
        self._points: List[Dict[str, float]] = []
        self._lock = threading.Lock()
        self._stop: Optional[threading.Event] = None
        self.last_error: Optional[BaseException] = None

    @property
    def job_id(self) -> str:
        return self.job["job_id"]

    @property
    def hyperparams(self) -> Dict[str, Any]:
        return dict(self.job["config"]["hyperparams"])

    @property
    def checkpoint_prefix(self) -> str:
        return f"models/checkpoints/{self.job_id}/"

    def _path(self, suffix: str) -> str:
        return f"/api/training/jobs/{urllib.parse.quote(self.job_id)}/{suffix}"

    # -- liveness -------------------------------------------------------------------------------------

    def heartbeat(self, step: Optional[int] = None, total_steps: Optional[int] = None, message: Optional[str] = None) -> Dict[str, Any]:
        body: Dict[str, Any] = {"lease_id": self.lease_id}
        if step is not None:
            progress: Dict[str, Any] = {"step": int(step)}
            if total_steps:
                progress["total_steps"] = int(total_steps)
            if message:
                progress["message"] = message[:500]
            body["progress"] = progress
        answer = self.client.request("POST", self._path("heartbeat"), body)
        self.lease_expires_at = answer["lease_expires_at"]
        return answer

    @contextmanager
    def keepalive(self, interval_s: Optional[float] = None) -> Iterator["JobRun"]:
        """Heartbeat and flush metrics from a background thread while the block runs (every third of
        the lease by default). A lost lease or a cancellation is kept in ``last_error`` and re-raised
        by ``check()``, which the training loop calls between steps."""
        stop = threading.Event()
        self._stop = stop
        interval = interval_s or max(1.0, self.lease_s / 3)

        def beat() -> None:
            while not stop.wait(interval):
                try:
                    self.flush()
                    self.heartbeat()
                except ContinuonError as error:
                    if error.reason in ("lease_expired", "not_lease_holder", "job_cancelled", "job_not_running"):
                        self.last_error = error
                        return
                except Exception:  # network trouble: the next beat tries again, well within the lease
                    continue

        thread = threading.Thread(target=beat, name=f"heartbeat-{self.job_id}", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join(timeout=5)
            self._stop = None

    def check(self) -> None:
        """Raise the lease loss or cancellation the keepalive thread saw, if any."""
        if self.last_error is not None:
            raise self.last_error

    # -- metrics and logs -----------------------------------------------------------------------------

    def log_metrics(self, step: int, **values: float) -> None:
        """Buffer one metric point (``loss``, ``grad_norm``, ``elapsed_s``, …); sent by ``flush`` (the
        keepalive flushes on its own). Non-finite values are dropped (JSON cannot carry NaN)."""
        point: Dict[str, float] = {"step": int(step)}
        for name, value in values.items():
            number = float(value)
            if math.isfinite(number):
                point[name] = number
        if len(point) > 1:
            with self._lock:
                self._points.append(point)
            if len(self._points) >= 200:
                self.flush()

    def flush(self) -> int:
        """Send buffered metric points (at most 500 a call). Returns how many were sent."""
        with self._lock:
            points, self._points = self._points, []
        sent = 0
        try:
            for start in range(0, len(points), 500):
                batch = points[start : start + 500]
                self.client.request("POST", self._path("metrics"), {"lease_id": self.lease_id, "points": batch})
                sent += len(batch)
        except Exception:
            with self._lock:
                self._points = points[sent:] + self._points
            raise
        return sent

    def log(self, message: str, level: str = "info") -> None:
        self.client.request("POST", self._path("logs"), {"lease_id": self.lease_id, "lines": [{"level": level, "message": message[:4000]}]})

    # -- data -----------------------------------------------------------------------------------------

    def episodes(self, format: str = "both") -> Iterator[Dict[str, Any]]:
        """The job's episodes with signed download URLs."""
        return self.client.job_episodes(self.job_id, format=format)

    def load_episodes(self, prefer: str = "tfrecord", cache_dir: Optional[str] = None):
        """Download and parse every episode of the job (TFRecord when converted, else canonical JSONL)."""
        from .episodes import load_episode

        return [load_episode(item, prefer=prefer, cache_dir=cache_dir) for item in self.episodes()]

    # -- checkpoints ----------------------------------------------------------------------------------

    def upload_url(self, path: str, content_type: str = "application/octet-stream", size_bytes: Optional[int] = None) -> Dict[str, Any]:
        body: Dict[str, Any] = {"lease_id": self.lease_id, "path": path, "content_type": content_type}
        if size_bytes is not None:
            body["size_bytes"] = size_bytes
        return self.client.request("POST", self._path("checkpoint-url"), body)

    def upload_file(self, local_path: str, path: Optional[str] = None) -> str:
        """Upload one file under the job's checkpoint folder; returns its key."""
        rel = path or os.path.basename(local_path)
        signed = self.upload_url(rel, guess_content_type(rel), os.path.getsize(local_path))
        self.client.put_file(signed, local_path)
        return signed["key"]

    def upload_dir(self, local_dir: str, under: str = "") -> str:
        """Upload every file of a folder (keeping sub-folders); returns the model_ref (the folder key)."""
        for root, _dirs, files in os.walk(local_dir):
            for name in sorted(files):
                full = os.path.join(root, name)
                rel = os.path.relpath(full, local_dir).replace(os.sep, "/")
                self.upload_file(full, f"{under}{rel}")
        return self.checkpoint_prefix + under

    def register_checkpoint(self, model_ref: str, metrics: Optional[Dict[str, float]] = None, name: Optional[str] = None) -> Dict[str, Any]:
        """Register an intermediate checkpoint of this job as a model (stage ``checkpoint``)."""
        body: Dict[str, Any] = {"job_id": self.job_id, "lease_id": self.lease_id, "model_ref": model_ref, "metrics": _finite(metrics)}
        if name:
            body["name"] = name
        return self.client.request("POST", "/api/training/models", body)

    # -- the end --------------------------------------------------------------------------------------

    def complete(
        self, metrics: Optional[Dict[str, float]] = None, model_ref: Optional[str] = None, name: Optional[str] = None, version: Optional[str] = None
    ) -> Dict[str, Any]:
        """Finish the job with the model under its checkpoint folder; returns ``{job, model}``."""
        self.flush()
        body: Dict[str, Any] = {"lease_id": self.lease_id, "metrics": _finite(metrics)}
        if model_ref:
            body["model_ref"] = model_ref
        model: Dict[str, str] = {}
        if name:
            model["name"] = name
        if version:
            model["version"] = version
        if model:
            body["model"] = model
        answer = self.client.request("POST", self._path("complete"), body)
        self.job = answer["job"]
        return answer

    def fail(self, error: str, retry: bool = False) -> Dict[str, Any]:
        try:
            self.flush()
        except ContinuonError:
            pass
        self.job = self.client.request("POST", self._path("fail"), {"lease_id": self.lease_id, "error": str(error)[:4000] or "failed", "retry": retry})
        return self.job


def _finite(metrics: Optional[Dict[str, float]]) -> Dict[str, float]:
    return {k: float(v) for k, v in (metrics or {}).items() if isinstance(v, (int, float)) and math.isfinite(float(v))}


def wait_for_job(client: Client, timeout_s: float = 0, poll_s: float = 5, **claim: Any) -> Optional[JobRun]:
    """Claim a job, polling until one is queued or ``timeout_s`` passes (0: try once)."""
    deadline = time.time() + timeout_s
    while True:
        run = client.claim(**claim)
        if run or time.time() >= deadline:
            return run
        time.sleep(poll_s)
