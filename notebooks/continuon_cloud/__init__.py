"""continuon_cloud: the notebooks' client for continuon.cloud, speaking only its HTTP API.

    from continuon_cloud import Client, load_episodes, register_model
    client = Client()                      # CONTINUON_API_URL / CONTINUON_TRAINING_TOKEN or Colab secrets
    run = client.claim(type="seed")        # a JobRun holding the job's lease, or None
    episodes = run.load_episodes()         # downloaded through signed URLs, parsed
    with run.keepalive():                  # heartbeats + metric flushes in the background
        ...train, run.log_metrics(step, loss=..., grad_norm=..., elapsed_s=...)
    ref = run.upload_dir("out/")           # under models/checkpoints/{job_id}/
    run.complete({"loss": 0.01})           # registers the model; episodes become `trained`
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from .client import Client
from .episodes import Episode, load_episode
from .errors import ContinuonError, JobCancelled, LeaseLost
from .run import JobRun, wait_for_job

__all__ = [
    "Client",
    "ContinuonError",
    "Episode",
    "JobCancelled",
    "JobRun",
    "LeaseLost",
    "claim_job",
    "dataset_hash",
    "load_episodes",
    "register_model",
    "wait_for_job",
]


def claim_job(client: Optional[Client] = None, **claim: Any) -> Optional[JobRun]:
    """Claim a queued job (``job_id=``, ``type=``, ``robot_model=``, ``worker=``, ``lease_s=``)."""
    return (client or Client()).claim(**claim)


def load_episodes(
    job_id: Optional[str] = None,
    robot_model: Optional[str] = None,
    min_quality: Optional[float] = None,
    tags: Optional[Sequence[str]] = None,
    limit: Optional[int] = None,
    client: Optional[Client] = None,
    bucket: Optional[str] = None,
    prefer: str = "tfrecord",
    **filter: Any,
) -> List[Episode]:
    """Episodes of a job (``job_id``), or matching a filter (``robot_model``, ``min_quality``, ``tags``,
    ``uploaded_from``…), downloaded and parsed. ``bucket`` is accepted for the seed's call shape and
    ignored: the API hands out signed URLs for whichever bucket the deployment uses."""
    del bucket
    client = client or Client()
    if job_id:
        items = client.job_episodes(job_id)
    else:
        query = dict(filter)
        if robot_model:
            query["robot_model"] = robot_model
        if min_quality is not None:
            query["min_quality"] = min_quality
        if tags:
            query["tags"] = list(tags)
        if limit:
            query["max_episodes"] = limit
        items = client.find_episodes(**query)
    episodes = []
    for item in items:
        episodes.append(load_episode(item, prefer=prefer))
        if limit and len(episodes) >= limit:
            break
    return episodes


def register_model(
    model_ref: str,
    robot_model: Optional[str] = None,
    metrics: Optional[Dict[str, float]] = None,
    job: Optional[JobRun] = None,
    name: Optional[str] = None,
    complete: bool = True,
) -> Dict[str, Any]:
    """Register a trained model (the seed's ``register_model``). With the ``JobRun`` that trained it,
    ``complete=True`` finishes the job with this model (``{job, model}``); ``complete=False`` registers an
    intermediate checkpoint. A training token only registers models of a job it holds: upload the files
    with ``job.upload_dir`` first; ``model_ref`` is then under ``models/checkpoints/{job_id}/``."""
    if job is None:
        raise ValueError("register_model needs the JobRun that trained the model (job=run): tokens register their own jobs' models")
    if robot_model and job.job.get("robot_model") not in (None, robot_model):
        raise ValueError(f"job {job.job_id} trains {job.job.get('robot_model')}, not {robot_model}")
    if complete:
        return job.complete(metrics, model_ref=model_ref, name=name)
    return job.register_checkpoint(model_ref, metrics, name=name)


def dataset_hash(episode_ids: Sequence[str]) -> str:
    """The server's dataset hash: SHA-256 of the sorted ids joined by newlines."""
    import hashlib

    return hashlib.sha256("\n".join(sorted(episode_ids)).encode("utf-8")).hexdigest()
