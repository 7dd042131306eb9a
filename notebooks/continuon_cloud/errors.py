"""Errors the client raises; each carries the API's status, code and reason."""

from __future__ import annotations

from typing import Any, Optional


class ContinuonError(Exception):
    """The API refused a call: ``status`` (HTTP), ``code`` (invalid, forbidden, conflict…) and ``reason``
    (the finer, stable cause, e.g. ``lease_expired``)."""

    def __init__(self, status: int, code: str, message: str, reason: Optional[str] = None, details: Any = None):
        super().__init__(f"{status} {code}{f' ({reason})' if reason else ''}: {message}")
        self.status = status
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details


class LeaseLost(ContinuonError):
    """The job is no longer ours: the lease lapsed (``lease_expired``) or another worker holds it
    (``not_lease_holder``). Stop and claim again."""


class JobCancelled(ContinuonError):
    """An operator cancelled the job; stop working on it."""


def error_for(status: int, body: Any) -> ContinuonError:
    error = body.get("error", {}) if isinstance(body, dict) else {}
    code = error.get("code", "internal" if status >= 500 else "http_error")
    reason = error.get("reason")
    message = error.get("message", f"HTTP {status}")
    details = error.get("details")
    if reason == "job_cancelled":
        return JobCancelled(status, code, message, reason, details)
    if reason in ("lease_expired", "not_lease_holder"):
        return LeaseLost(status, code, message, reason, details)
    return ContinuonError(status, code, message, reason, details)
