"""A small client for the continuon.cloud training API, on the standard library only.

It speaks the HTTP API (PRODUCT.md §9) with a training token — no cloud SDK, no bucket credentials: the
server hands out signed URLs for episode downloads and checkpoint uploads. Configuration comes from
arguments, then the environment (``CONTINUON_API_URL``, ``CONTINUON_TRAINING_TOKEN``), then Colab
secrets (``google.colab.userdata``).
"""

from __future__ import annotations

import json
import mimetypes
import os
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Iterator, List, Optional

from .errors import ContinuonError, error_for

DEFAULT_API_URL = "https://continuon.cloud"
RETRY_STATUSES = {429, 502, 503, 504}


def _colab_secret(name: str) -> Optional[str]:
    try:
        from google.colab import userdata  # type: ignore
    except ImportError:
        return None
    try:  # pragma: no cover - only in Colab
        return userdata.get(name)
    except Exception:  # pragma: no cover - secret not granted to this notebook
        return None


class Client:
    """``Client(api_url=None, token=None)``: calls the API as one training token."""

    def __init__(self, api_url: Optional[str] = None, token: Optional[str] = None, timeout: float = 60.0, retries: int = 4):
        self.api_url = (api_url or os.environ.get("CONTINUON_API_URL") or _colab_secret("CONTINUON_API_URL") or DEFAULT_API_URL).rstrip("/")
        self.token = token or os.environ.get("CONTINUON_TRAINING_TOKEN") or _colab_secret("CONTINUON_TRAINING_TOKEN")
        if not self.token:
            raise ValueError(
                "No training token: set CONTINUON_TRAINING_TOKEN (or a Colab secret of that name); "
                "an admin creates one under Admin → Training tokens."
            )
        self.timeout = timeout
        self.retries = retries

    # -- transport ------------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, query: Optional[Dict[str, Any]] = None) -> Any:
        """Call the API and return the decoded JSON. Retries connection errors, 429 and 5xx with backoff
        (the worker calls are safe to repeat: a retried metric point overwrites itself); raises
        ``ContinuonError`` (or ``LeaseLost`` / ``JobCancelled``) for refusals."""
        url = self.api_url + path
        if query:
            pairs = {k: ("1" if v is True else "0" if v is False else v) for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        data = None if body is None else json.dumps(body, allow_nan=False).encode("utf-8")
        headers = {"authorization": f"Bearer {self.token}", "accept": "application/json", "user-agent": "continuon-cloud-python/1"}
        if data is not None:
            headers["content-type"] = "application/json"
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
                    return json.loads(raw) if raw else None
            except urllib.error.HTTPError as error:
                raw = error.read()
                try:
                    payload = json.loads(raw) if raw else None
                except ValueError:
                    payload = None
                if error.code in RETRY_STATUSES and attempt < self.retries:
                    retry_after = error.headers.get("retry-after") if error.headers else None
                    time.sleep(float(retry_after) if retry_after and retry_after.isdigit() else self._backoff(attempt))
                    continue
                raise error_for(error.code, payload) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if attempt < self.retries:
                    time.sleep(self._backoff(attempt))
                    continue
                raise ContinuonError(0, "unavailable", f"{method} {path}: {error}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _backoff(attempt: int) -> float:
        return min(10.0, 0.25 * 2**attempt) * (0.5 + random.random() / 2)

    # -- jobs -----------------------------------------------------------------------------------------

    def list_queued_jobs(self, type: Optional[str] = None, robot_model: Optional[str] = None) -> List[Dict[str, Any]]:
        """Queued jobs, oldest first (the order claims take them)."""
        return self.request("GET", "/api/training/jobs", query={"type": type, "robot_model": robot_model})["jobs"]

    def get_job(self, job_id: str) -> Dict[str, Any]:
        return self.request("GET", f"/api/training/jobs/{urllib.parse.quote(job_id)}")

    def claim(
        self,
        job_id: Optional[str] = None,
        type: Optional[str] = None,
        robot_model: Optional[str] = None,
        worker: Optional[str] = None,
        lease_s: int = 300,
    ):
        """Claim ``job_id`` (or the oldest queued job matching ``type``/``robot_model``) under a lease.
        Returns a ``JobRun``, or None when nothing is queued."""
        from .run import JobRun

        body: Dict[str, Any] = {"lease_s": lease_s}
        for key, value in (("job_id", job_id), ("type", type), ("robot_model", robot_model), ("worker", worker)):
            if value:
                body[key] = value
        answer = self.request("POST", "/api/training/claim", body)
        if not answer.get("job"):
            return None
        return JobRun(self, answer["job"], answer["lease"])

    def create_job(self, type: str, episode_ids: List[str], config: Optional[Dict[str, Any]] = None, robot_model: Optional[str] = None) -> Dict[str, Any]:
        """The seed's ``POST /api/training/create``."""
        body: Dict[str, Any] = {"type": type, "episode_ids": list(episode_ids)}
        if config is not None:
            body["config"] = config
        if robot_model:
            body["robot_model"] = robot_model
        return self.request("POST", "/api/training/create", body)

    def update_job(self, job_id: str, status: str, **fields: Any) -> Dict[str, Any]:
        """The seed's ``POST /api/training/update`` (``output``, ``model_ref``, ``metrics``, ``error``…)."""
        return self.request("POST", "/api/training/update", {"job_id": job_id, "status": status, **fields})

    def job_episodes(self, job_id: str, format: str = "both", page_size: int = 50) -> Iterator[Dict[str, Any]]:
        """Every episode of a job, with signed download URLs, page by page."""
        cursor: Optional[str] = None
        while True:
            page = self.request(
                "GET", f"/api/training/jobs/{urllib.parse.quote(job_id)}/episodes", query={"cursor": cursor, "limit": page_size, "format": format}
            )
            yield from page["episodes"]
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def find_episodes(self, page_size: int = 50, format: str = "both", **filter: Any) -> Iterator[Dict[str, Any]]:
        """Episodes matching a filter (``robot_model``, ``tags``, ``min_quality``, ``uploaded_from``…)."""
        query = {k: (",".join(v) if isinstance(v, (list, tuple)) else v) for k, v in filter.items()}
        cursor: Optional[str] = None
        while True:
            page = self.request("GET", "/api/training/episodes", query={**query, "cursor": cursor, "limit": page_size, "format": format})
            yield from page["episodes"]
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def job_metrics(self, job_id: str) -> List[Dict[str, float]]:
        points: List[Dict[str, float]] = []
        after: Optional[int] = None
        while True:
            page = self.request("GET", f"/api/training/jobs/{urllib.parse.quote(job_id)}/metrics", query={"after_step": after})
            points.extend(page["points"])
            after = page.get("next_after_step")
            if after is None:
                return points

    # -- models ---------------------------------------------------------------------------------------

    def list_models(self, robot_model: Optional[str] = None, stage: Optional[str] = None) -> List[Dict[str, Any]]:
        return self.request("GET", "/api/training/models", query={"robot_model": robot_model, "stage": stage})["models"]

    def get_model(self, model_id: str) -> Dict[str, Any]:
        """A model with its lineage: job, dataset, episodes, parent and children."""
        return self.request("GET", f"/api/training/models/{urllib.parse.quote(model_id)}")

    def download_model(self, model_id: str, dest_dir: str) -> Dict[str, Any]:
        """Download a model's files into ``dest_dir``; returns the model."""
        from utils import gcs_loader

        answer = self.request("GET", f"/api/training/models/{urllib.parse.quote(model_id)}/files")
        for item in answer["files"]:
            gcs_loader.download(item["url"], os.path.join(dest_dir, *item["path"].split("/")), expected_size=item["size_bytes"])
        return answer["model"]

    # -- uploads --------------------------------------------------------------------------------------

    def put_file(self, signed: Dict[str, Any], local_path: str) -> None:
        """PUT a local file to a signed upload URL with the headers it binds (streamed from disk)."""
        size = os.path.getsize(local_path)
        headers = dict(signed.get("headers") or {})
        headers["content-length"] = str(size)
        for attempt in range(self.retries + 1):
            with open(local_path, "rb") as body:
                request = urllib.request.Request(signed["upload_url"], data=body, method="PUT", headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=max(self.timeout, size / 1e6)) as response:
                        response.read()
                        return
                except urllib.error.HTTPError as error:
                    raw = error.read()
                    if error.code in RETRY_STATUSES and attempt < self.retries:
                        time.sleep(self._backoff(attempt))
                        continue
                    try:
                        payload = json.loads(raw)
                    except ValueError:
                        payload = None
                    raise error_for(error.code, payload) from None
                except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                    if attempt < self.retries:
                        time.sleep(self._backoff(attempt))
                        continue
                    raise ContinuonError(0, "unavailable", f"upload of {local_path}: {error}") from None


def guess_content_type(path: str) -> str:
    if path.endswith(".json"):
        return "application/json"
    return mimetypes.guess_type(path)[0] or "application/octet-stream"
