"""Build an OTA bundle from a model folder, in the layout robots install (UPSTREAM.md "OTA").

A bundle is a ``tar.gz`` whose root holds ``manifest.json`` (with at least ``version``), the model
files (``seed_model.npz``, ``config/model_config.json``, …) and ``CHECKSUMS.sha256``. continuon.cloud
builds and signs the bundles it ships (Ed25519, key id recorded) when an operator creates one from a
model; this module builds the same layout locally to inspect or test a model before that.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
import time
from typing import Any, Dict, List, Optional

VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
RESERVED = {"manifest.json", "CHECKSUMS.sha256"}


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_files(model_dir: str) -> List[str]:
    """Relative paths of the files under ``model_dir``, sorted, with ``/`` separators."""
    found = []
    for root, _dirs, files in os.walk(model_dir):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), model_dir).replace(os.sep, "/")
            if rel not in RESERVED:
                found.append(rel)
    return sorted(found)


def create_bundle(
    model_dir: str,
    out_path: str,
    version: str,
    robot_model: str,
    model_name: str = "seed",
    provenance: Optional[Dict[str, Any]] = None,
    min_brain_version: Optional[str] = None,
    required_files: Optional[List[str]] = None,
) -> Dict[str, Any]:
    """Write ``out_path`` (tar.gz) from the files in ``model_dir`` and return its manifest.

    ``provenance`` records where the model came from (model id, training job, dataset hash).
    """
    if not VERSION.match(version):
        raise ValueError(f"version {version!r} is not MAJOR.MINOR.PATCH (robots treat anything else as 0.0.0)")
    files = model_files(model_dir)
    if not files:
        raise ValueError(f"{model_dir} holds no model files")
    entries = [{"path": rel, "sha256": _sha256(os.path.join(model_dir, rel)), "size_bytes": os.path.getsize(os.path.join(model_dir, rel))} for rel in files]
    manifest: Dict[str, Any] = {
        "version": version,
        "model_name": model_name,
        "robot_model": robot_model,
        "files": entries,
        "required_files": required_files if required_files is not None else files,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "provenance": provenance or {},
    }
    if min_brain_version:
        manifest["min_brain_version"] = min_brain_version
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    checksums = "".join(f"{entry['sha256']}  {entry['path']}\n" for entry in entries)
    checksums += f"{hashlib.sha256(manifest_bytes).hexdigest()}  manifest.json\n"
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with tarfile.open(out_path, "w:gz") as bundle:

        def add_bytes(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(time.time())
            info.mode = 0o644
            bundle.addfile(info, io.BytesIO(data))

        add_bytes("manifest.json", manifest_bytes)
        for rel in files:
            bundle.add(os.path.join(model_dir, rel), arcname=rel, recursive=False)
        add_bytes("CHECKSUMS.sha256", checksums.encode("utf-8"))
    return manifest


def verify_bundle(path: str) -> Dict[str, Any]:
    """Check a bundle as a robot would: ``manifest.json`` at the root, no path escaping the root, no
    links, every listed file present with its SHA-256. Returns the manifest."""
    with tarfile.open(path, "r:gz") as bundle:
        members = {}
        for member in bundle.getmembers():
            name = member.name
            if name.startswith("/") or ".." in name.split("/") or "\\" in name:
                raise ValueError(f"{path}: entry {name!r} escapes the bundle root")
            if member.issym() or member.islnk():
                raise ValueError(f"{path}: entry {name!r} is a link")
            if member.isfile():
                members[name] = member
        if "manifest.json" not in members:
            raise ValueError(f"{path}: manifest.json is missing at the root")
        manifest = json.loads(bundle.extractfile(members["manifest.json"]).read())  # type: ignore[union-attr]
        if not VERSION.match(str(manifest.get("version", ""))):
            raise ValueError(f"{path}: manifest version {manifest.get('version')!r} is not MAJOR.MINOR.PATCH")
        for entry in manifest.get("files", []):
            member = members.get(entry["path"])
            if member is None:
                raise ValueError(f"{path}: {entry['path']} is listed in the manifest but missing")
            digest = hashlib.sha256(bundle.extractfile(member).read()).hexdigest()  # type: ignore[union-attr]
            if digest != entry["sha256"]:
                raise ValueError(f"{path}: {entry['path']} does not match its checksum")
        for required in manifest.get("required_files", []):
            if required not in members:
                raise ValueError(f"{path}: required file {required} is missing")
    return manifest
