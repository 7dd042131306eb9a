"""Episodes as notebooks use them: downloaded through signed URLs and parsed into step dicts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from utils import gcs_loader, rlds_parser


@dataclass
class Episode:
    episode_id: str
    robot_id: str
    robot_model: Optional[str]
    steps: List[Dict[str, Any]]
    quality_score: Optional[float] = None
    tags: List[str] = field(default_factory=list)
    source: str = "tfrecord"

    def __len__(self) -> int:
        return len(self.steps)


def load_episode(item: Dict[str, Any], prefer: str = "tfrecord", cache_dir: Optional[str] = None) -> Episode:
    """Download one episode (an item of the episodes API, with signed URLs) and parse its steps."""
    tfrecord = item.get("tfrecord")
    canonical = item.get("canonical") or {}
    steps_file = next((f for f in canonical.get("files", []) if f["path"] in ("steps.jsonl", "steps/000000.jsonl")), None)
    use_tfrecord = tfrecord is not None and (prefer == "tfrecord" or steps_file is None)
    if use_tfrecord:
        local = gcs_loader.download(tfrecord["url"], gcs_loader.cache_path(tfrecord["key"], cache_dir), tfrecord["size_bytes"])
        with open(local, "rb") as handle:
            steps = rlds_parser.read_tfrecord_steps(handle)
        source = "tfrecord"
    elif steps_file is not None:
        local = gcs_loader.download(steps_file["url"], gcs_loader.cache_path(steps_file["key"], cache_dir), steps_file["size_bytes"])
        with open(local, "rb") as handle:
            steps = rlds_parser.read_jsonl_steps(handle)
        source = "canonical"
    else:
        raise ValueError(f"episode {item['episode_id']} has neither a TFRecord nor a steps file to download")
    return Episode(
        episode_id=item["episode_id"],
        robot_id=item.get("robot_id", ""),
        robot_model=item.get("robot_model"),
        steps=steps,
        quality_score=item.get("quality_score"),
        tags=list(item.get("tags") or []),
        source=source,
    )


def local_cache_dir() -> str:
    return os.environ.get("CONTINUON_CACHE_DIR") or gcs_loader.DEFAULT_CACHE
