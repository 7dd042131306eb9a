#!/usr/bin/env python3
"""ota_verify -- check a continuon.cloud OTA bundle the way a robot should (Python 3.8+).

Needs only the standard library and `cryptography` (on Debian: apt install python3-cryptography),
which robot runtimes usually have already.

    python3 ota_verify.py bundle.tar.gz --signature <base64|@file> --public-key <base64|@file|URL>
            [--checksum sha256:<hex>] [--extract DIR]
    python3 ota_verify.py --index https://continuon.cloud/api/ota/<device_id>/registry.json
            [--model-id seed] --public-key <...> [--extract DIR]

Checks the SHA-256 of the whole file, the detached Ed25519 signature (standard base64) over the
whole file with the platform's raw 32-byte public key, unpacks the tar.gz refusing absolute
paths, "..", links and devices, requires manifest.json at the root and checks every listed file
and every required_files entry. Prints one JSON object; exit 0 verified, 1 not verified, 2 usage.
"""
import argparse
import base64
import hashlib
import json
import os
import sys
import tarfile
import tempfile
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class VerificationError(Exception):
    def __init__(self, step, message):
        super().__init__("%s: %s" % (step, message))
        self.step = step


def _value(text):
    if text.startswith("@"):
        with open(text[1:], "r", encoding="utf-8") as handle:
            return handle.read().strip()
    if text.startswith("http://") or text.startswith("https://"):
        with urllib.request.urlopen(text, timeout=30) as response:
            body = response.read().decode("utf-8").strip()
        return json.loads(body)["public_key"] if body.startswith("{") else body
    return text


def public_key(text):
    raw = base64.b64decode(text.strip().replace("-", "+").replace("_", "/") + "==")
    if len(raw) != 32:
        raise VerificationError("public_key", "expected 32 raw bytes, got %d" % len(raw))
    return Ed25519PublicKey.from_public_bytes(raw)


def sha256_file(path):
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def verify_file(path, signature, key, checksum=None):
    digest, size = sha256_file(path)
    if checksum:
        expected = checksum.strip().lower()
        if expected.startswith("sha256:"):
            expected = expected[len("sha256:"):]
        if expected != digest:
            raise VerificationError("checksum", "file is sha256:%s, expected sha256:%s" % (digest, expected))
    raw_signature = base64.b64decode(signature.strip())
    if len(raw_signature) != 64:
        raise VerificationError("signature", "expected 64 bytes of base64, got %d" % len(raw_signature))
    with open(path, "rb") as handle:
        data = handle.read()  # pure Ed25519 needs the whole message
    try:
        public_key(key).verify(raw_signature, data)
    except InvalidSignature:
        raise VerificationError("signature", "the Ed25519 signature does not verify with this public key")
    return digest, size


def _safe(name):
    path = name
    while path.startswith("./"):
        path = path[2:]
    path = path.rstrip("/")
    if path in ("", "."):
        return None
    if path.startswith("/") or "\\" in path or "\x00" in path:
        raise VerificationError("unpack", "unsafe path %r" % name)
    if any(part in ("..", "") for part in path.split("/")):
        raise VerificationError("unpack", "path traversal in %r" % name)
    return path


def unpack(path, into, max_entries=10000, max_bytes=8 << 30):
    root = os.path.realpath(into)
    os.makedirs(root, exist_ok=True)
    written, total = [], 0
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            name = _safe(member.name)
            if member.isdir():
                if name:
                    os.makedirs(os.path.join(root, name), exist_ok=True)
                continue
            if not member.isfile():
                raise VerificationError("unpack", "entry %r is a link or special file; bundles hold files only" % member.name)
            if name is None:
                raise VerificationError("unpack", "an entry has an empty name")
            total += member.size
            if len(written) >= max_entries or total > max_bytes:
                raise VerificationError("unpack", "the bundle is larger than allowed")
            target = os.path.realpath(os.path.join(root, name))
            if not target.startswith(root + os.sep):
                raise VerificationError("unpack", "entry %r leaves the folder" % member.name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            source = archive.extractfile(member)
            with open(target, "xb") as out:
                for block in iter(lambda: source.read(1 << 20), b""):
                    out.write(block)
            written.append(name)
    return written


def check_unpacked(into):
    try:
        with open(os.path.join(into, "manifest.json"), "r", encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError) as error:
        raise VerificationError("manifest", "manifest.json at the root is missing or not JSON (%s)" % error)
    if not isinstance(manifest.get("version"), str):
        raise VerificationError("manifest", "manifest.json has no version")
    for entry in manifest.get("files", []):
        name = _safe(str(entry.get("path", "")))
        target = os.path.join(into, name or "")
        if not name or not os.path.isfile(target):
            raise VerificationError("files", "%s is listed in manifest.json but missing" % entry.get("path"))
        digest, size = sha256_file(target)
        if digest != entry.get("sha256") or size != entry.get("size_bytes"):
            raise VerificationError("files", "%s does not match manifest.json" % name)
    for required in manifest.get("required_files", []):
        if not os.path.isfile(os.path.join(into, str(required))):
            raise VerificationError("files", "required file %s is missing" % required)
    return manifest


def download_from_index(url, model_id, into):
    with urllib.request.urlopen(url, timeout=30) as response:
        if not (response.headers.get("Content-Type") or "").startswith("application/json"):
            raise VerificationError("index", "the index is not served as application/json")
        index = json.loads(response.read().decode("utf-8"))
    model = index.get("models", {}).get(model_id)
    if not model:
        raise VerificationError("index", "the index lists no model %r" % model_id)
    entry = model["versions"][model["latest_version"]]
    target = os.path.join(into, model["latest_version"] + ".bundle")
    with urllib.request.urlopen(entry["download_url"], timeout=300) as response, open(target, "wb") as out:
        if response.status != 200:
            raise VerificationError("download", "the download answered %d" % response.status)
        for block in iter(lambda: response.read(1 << 20), b""):
            out.write(block)
    return target, entry["signature"], entry["checksum"]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?")
    parser.add_argument("--signature")
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--checksum")
    parser.add_argument("--extract")
    parser.add_argument("--index")
    parser.add_argument("--model-id", default="seed")
    args = parser.parse_args(argv)
    if not args.index and (not args.bundle or not args.signature):
        parser.print_usage(sys.stderr)
        return 2
    result = {"ok": False, "step": "", "file": "", "version": None, "sha256": None, "size_bytes": None, "files": []}
    with tempfile.TemporaryDirectory(prefix="ota-verify-") as work:
        try:
            key = _value(args.public_key)
            if args.index:
                path, signature, checksum = download_from_index(args.index, args.model_id, work)
            else:
                path, signature, checksum = args.bundle, _value(args.signature), args.checksum
            result["file"] = path
            digest, size = verify_file(path, signature, key, checksum)
            result.update(sha256="sha256:" + digest, size_bytes=size)
            into = os.path.abspath(args.extract) if args.extract else os.path.join(work, "unpacked")
            result["files"] = unpack(path, into)
            manifest = check_unpacked(into)
            result.update(ok=True, step="done", version=manifest["version"])
            print(json.dumps(result, indent=2))
            return 0
        except VerificationError as error:
            result.update(step=error.step, error=str(error))
            print(json.dumps(result, indent=2))
            return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
