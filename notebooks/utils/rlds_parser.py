"""Parse RLDS episodes as continuon.cloud stores them, with the standard library (+ NumPy for arrays).

Two formats (PRODUCT.md §7):

* canonical ``steps.jsonl``: one JSON step per line with ``observation``, ``action``, ``reward``,
  ``is_first``, ``is_last``, ``is_terminal`` (and optional ``discount``, ``step_metadata``);
* TFRecord: one ``tf.train.Example`` per step, features ``episode_id``, ``step_index``, ``reward``,
  ``is_first``/``is_last``/``is_terminal``, ``discount``, ``observation``/``action`` (JSON bytes),
  ``observation_command``/``action_command`` (float lists), ``step_metadata`` (JSON bytes).
  Plain or gzip-compressed (the field keeps its training datasets as gzip-framed TFRecords still
  named ``.tfrecord``); a ``step_metadata`` that is not a JSON object (some datasets hold plain
  text) is kept as that text.

TensorFlow is not needed: the TFRecord framing (length, masked CRC32C) and the few protobuf messages
of ``tf.train.Example`` are decoded here by hand, because a 500 MB TensorFlow install to read a
documented, tiny wire format would not run on a laptop or in CI.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import struct
from typing import Any, BinaryIO, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

# --- CRC32C (Castagnoli), table-driven -------------------------------------------------------------

_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC: rotate right by 15 bits and add a constant (mod 2**32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


class TFRecordError(ValueError):
    """The file is not valid TFRecord (truncated, or a checksum does not match)."""


GZIP_MAGIC = b"\x1f\x8b"


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read: gives them back, then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_tfrecord_stream(stream: BinaryIO) -> BinaryIO:
    """The TFRecord bytes of ``stream``: as they are, or decompressed when the file is gzip."""
    head = stream.read(2)
    prefixed = io.BufferedReader(_Prefixed(head, stream))
    if head == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=prefixed, mode="rb")  # type: ignore[return-value]
    return prefixed  # type: ignore[return-value]


def read_tfrecords(stream: BinaryIO, verify: bool = True) -> Iterator[bytes]:
    """Yield the records of a TFRecord stream (plain or gzip), checking both CRCs unless ``verify`` is False."""
    stream = open_tfrecord_stream(stream)
    index = 0
    while True:
        header = stream.read(12)
        if not header:
            return
        if len(header) < 12:
            raise TFRecordError(f"record {index}: truncated header ({len(header)} of 12 bytes)")
        (length,) = struct.unpack("<Q", header[:8])
        (length_crc,) = struct.unpack("<I", header[8:12])
        if verify and masked_crc32c(header[:8]) != length_crc:
            raise TFRecordError(f"record {index}: length checksum does not match")
        data = stream.read(length)
        footer = stream.read(4)
        if len(data) < length or len(footer) < 4:
            raise TFRecordError(f"record {index}: truncated data")
        if verify and masked_crc32c(data) != struct.unpack("<I", footer)[0]:
            raise TFRecordError(f"record {index}: data checksum does not match")
        yield data
        index += 1


def write_tfrecord(records: Iterable[bytes], stream: BinaryIO) -> None:
    """Frame records as TFRecord (used by tests and to hand data to TensorFlow tools)."""
    for data in records:
        length = struct.pack("<Q", len(data))
        stream.write(length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data)))


# --- protobuf wire format for tf.train.Example -----------------------------------------------------


def _varint(buf: bytes, pos: int) -> Tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise TFRecordError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes) -> Iterator[Tuple[int, int, Any]]:
    """(field number, wire type, value): value is an int for varints, bytes for length-delimited."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value = buf[pos : pos + length]
            pos += length
        elif wire == 5:
            value = buf[pos : pos + 4]
            pos += 4
        elif wire == 1:
            value = buf[pos : pos + 8]
            pos += 8
        else:
            raise TFRecordError(f"unsupported wire type {wire}")
        yield number, wire, value


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= (1 << 63) else value


def _feature(buf: bytes) -> Tuple[str, list]:
    for number, _wire, value in _fields(buf):
        if number == 1:  # BytesList
            return "bytes", [v for n, _w, v in _fields(value) if n == 1]
        if number == 2:  # FloatList (packed, or one float per field)
            out: List[float] = []
            for n, w, v in _fields(value):
                if n != 1:
                    continue
                if w == 2:
                    out.extend(struct.unpack(f"<{len(v) // 4}f", v))
                else:
                    out.append(struct.unpack("<f", v)[0])
            return "float", out
        if number == 3:  # Int64List
            ints: List[int] = []
            for n, w, v in _fields(value):
                if n != 1:
                    continue
                if w == 2:
                    pos = 0
                    while pos < len(v):
                        item, pos = _varint(v, pos)
                        ints.append(_signed64(item))
                else:
                    ints.append(_signed64(v))
            return "int64", ints
    return "bytes", []


def parse_example(record: bytes) -> Dict[str, Tuple[str, list]]:
    """Decode a serialized ``tf.train.Example`` into ``{name: (kind, values)}``."""
    features: Dict[str, Tuple[str, list]] = {}
    for number, _wire, value in _fields(record):
        if number != 1:  # Example.features
            continue
        for n, _w, entry in _fields(value):
            if n != 1:  # Features.feature (map entry)
                continue
            name, feature = "", b""
            for k, _kw, item in _fields(entry):
                if k == 1:
                    name = item.decode("utf-8")
                elif k == 2:
                    feature = item
            features[name] = _feature(feature)
    return features


def example_to_step(features: Dict[str, Tuple[str, list]]) -> Dict[str, Any]:
    """A canonical step dict from the features of one TFRecord example."""

    def one(name: str, default: Any = None) -> Any:
        values = features.get(name, ("", []))[1]
        return values[0] if values else default

    def json_field(name: str) -> Any:
        raw = one(name)
        return json.loads(raw.decode("utf-8")) if raw else None

    step: Dict[str, Any] = {
        "observation": json_field("observation") or {},
        "action": json_field("action") or {},
        "reward": float(one("reward", 0.0)),
        "is_first": bool(one("is_first", 0)),
        "is_last": bool(one("is_last", 0)),
        "is_terminal": bool(one("is_terminal", 0)),
        "step_index": int(one("step_index", 0)),
        "observation_command": list(features.get("observation_command", ("", []))[1]),
        "action_command": list(features.get("action_command", ("", []))[1]),
    }
    if "discount" in features:
        step["discount"] = float(one("discount", 1.0))
    metadata = step_metadata_of(one("step_metadata"))
    if metadata:
        step["step_metadata"] = metadata
    episode = one("episode_id")
    if episode is not None:
        step["episode_id"] = episode.decode("utf-8")
    return step


def step_metadata_of(raw: Optional[bytes]) -> Any:
    """``step_metadata`` bytes: the JSON object they hold, else the text itself (some field datasets
    store a plain string there), else None when empty. Never fails the file."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    return value if isinstance(value, dict) else text


def read_tfrecord_steps(stream: BinaryIO, verify: bool = True) -> List[Dict[str, Any]]:
    return [example_to_step(parse_example(record)) for record in read_tfrecords(stream, verify=verify)]


def read_jsonl_steps(stream: BinaryIO) -> List[Dict[str, Any]]:
    """Steps of a canonical ``steps.jsonl``; each error names its line."""
    steps = []
    for number, line in enumerate(io.TextIOWrapper(stream, encoding="utf-8"), start=1):
        if not line.strip():
            continue
        try:
            step = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"steps.jsonl line {number}: {error.msg}") from None
        if not isinstance(step, dict):
            raise ValueError(f"steps.jsonl line {number}: a step is a JSON object")
        steps.append(step)
    for index, step in enumerate(steps):
        step.setdefault("is_first", index == 0)
        step.setdefault("is_last", index == len(steps) - 1)
        step.setdefault("reward", 0.0)
        step.setdefault("is_terminal", False)
    return steps


# --- features for learning -------------------------------------------------------------------------


def numeric_leaves(value: Any, prefix: str = "") -> List[Tuple[str, float]]:
    """Every finite number in a JSON value, with its path, in a stable (sorted-key) order."""
    out: List[Tuple[str, float]] = []
    if isinstance(value, bool):
        out.append((prefix, 1.0 if value else 0.0))
    elif isinstance(value, (int, float)):
        if math.isfinite(value):
            out.append((prefix, float(value)))
    elif isinstance(value, dict):
        for key in sorted(value):
            out.extend(numeric_leaves(value[key], f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(numeric_leaves(item, f"{prefix}[{index}]"))
    return out


def observation_vector(step: Dict[str, Any]) -> List[float]:
    return [number for _path, number in numeric_leaves(step.get("observation", {}))]


def action_vector(step: Dict[str, Any]) -> List[float]:
    """``action.command`` when it is a list of numbers (as the robot runtime trains on), else every number."""
    action = step.get("action", {}) or {}
    command = action.get("command") if isinstance(action, dict) else None
    if isinstance(command, list) and command and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in command):
        return [float(x) for x in command]
    if step.get("action_command"):
        return [float(x) for x in step["action_command"]]
    return [number for _path, number in numeric_leaves(action)]


def episodes_to_arrays(episodes: Sequence[Any], obs_dim: Optional[int] = None, action_dim: Optional[int] = None):
    """Stack (observation, action) pairs of every step into NumPy arrays ``X`` (n, obs_dim) and ``Y`` (n, action_dim).

    Vectors are zero-padded or cut to the dimensions (by default the longest seen, capped by the
    given ones); steps with no numeric action are skipped. Episodes are dicts with ``steps`` or
    objects with a ``steps`` attribute.
    """
    import numpy as np

    observations: List[List[float]] = []
    actions: List[List[float]] = []
    for episode in episodes:
        steps = episode["steps"] if isinstance(episode, dict) else episode.steps
        for step in steps:
            act = action_vector(step)
            if not act:
                continue
            observations.append(observation_vector(step))
            actions.append(act)
    if not observations:
        raise ValueError("no step has a numeric action to learn")
    longest_obs = max(len(row) for row in observations) or 1
    longest_act = max(len(row) for row in actions)
    obs_dim = min(longest_obs, obs_dim) if obs_dim else longest_obs
    action_dim = min(longest_act, action_dim) if action_dim else longest_act
    X = np.zeros((len(observations), obs_dim), dtype=np.float32)
    Y = np.zeros((len(actions), action_dim), dtype=np.float32)
    for row, (obs, act) in enumerate(zip(observations, actions)):
        obs = obs[:obs_dim]
        act = act[:action_dim]
        X[row, : len(obs)] = obs
        Y[row, : len(act)] = act
    return X, Y
