"""Fetch episode and model files for the notebooks.

continuon.cloud hands out short-lived signed URLs (PRODUCT.md §9), so a notebook needs no cloud SDK or
bucket credentials: ``download`` streams a signed URL to a local cache. ``gs://`` paths are read with
``google-cloud-storage`` when it is installed (Colab has it) and the caller is authenticated.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from typing import Optional

DEFAULT_CACHE = os.path.join(tempfile.gettempdir(), "continuon-cache")


def cache_path(key: str, cache_dir: Optional[str] = None) -> str:
    """Where a blob key is cached locally (the key's own folders, under the cache directory)."""
    parts = [part for part in key.split("/") if part not in ("", ".", "..")]
    return os.path.join(cache_dir or DEFAULT_CACHE, *parts)


def download(url: str, dest: str, expected_size: Optional[int] = None, retries: int = 3, timeout: float = 60.0) -> str:
    """Stream ``url`` to ``dest`` (atomically: a temp file renamed into place). Skips the download when
    ``dest`` already exists with ``expected_size`` bytes. Retries network errors and 5xx answers."""
    if expected_size is not None and os.path.exists(dest) and os.path.getsize(dest) == expected_size:
        return dest
    if url.startswith("gs://"):
        return _download_gcs(url, dest)
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    last_error: Optional[Exception] = None
    for attempt in range(retries):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest) or ".", prefix=".part-")
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(response, out, 1024 * 1024)
            os.replace(tmp, dest)
            if expected_size is not None and os.path.getsize(dest) != expected_size:
                raise IOError(f"{dest}: got {os.path.getsize(dest)} bytes, expected {expected_size}")
            return dest
        except urllib.error.HTTPError as error:
            if error.code < 500:
                raise IOError(f"download failed with HTTP {error.code}: {error.read()[:300]!r}") from None
            last_error = error
        except (urllib.error.URLError, OSError) as error:
            last_error = error
        time.sleep(0.5 * (attempt + 1))
    raise IOError(f"download of {dest} failed after {retries} attempts: {last_error}")


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download_gcs(uri: str, dest: str) -> str:
    try:
        from google.cloud import storage  # type: ignore
    except ImportError:  # pragma: no cover - only in environments without the SDK
        raise IOError(
            f"{uri}: reading gs:// needs google-cloud-storage (pip install google-cloud-storage), "
            "or ask continuon.cloud for signed URLs instead"
        ) from None
    bucket, _, key = uri[len("gs://") :].partition("/")
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    storage.Client().bucket(bucket).blob(key).download_to_filename(dest)  # pragma: no cover
    return dest  # pragma: no cover
