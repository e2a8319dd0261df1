"""The web server's access log without secrets in it. A sign-in link and a password-reset link carry their
token in the path (an emailed link can carry it nowhere else that works without JavaScript); anyone who can
read the log could otherwise sign in as the person the link was for. gunicorn uses `RedactingLogger`
(deploy/gunicorn.conf.py `logger_class`), which writes those segments as "[redacted]"."""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

REDACTED = "[redacted]"

# Each pattern names the path segments that are secrets; the rest of the path is kept, so the log still
# says which page was asked for.
_SECRET_PATHS = (
    re.compile(r"/sign-in/link/(?!sent/)(?P<s1>[^/?]+)"),
    re.compile(r"/password-reset/(?!sent/|done/)(?P<s1>[^/?]+)/(?P<s2>[^/?]+)"),
)


def redact_path(path: str) -> str:
    """`path` with any secret segment replaced by "[redacted]"."""
    for pattern in _SECRET_PATHS:
        match = pattern.search(path)
        if match:
            out, last = [], 0
            for name in sorted(match.groupdict(), key=match.start):
                out += [path[last : match.start(name)], REDACTED]
                last = match.end(name)
            return "".join([*out, path[last:]])
    return path


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        if atoms.get("U"):
            atoms["U"] = redact_path(str(atoms["U"]))
        if atoms.get("r"):
            method, _, rest = str(atoms["r"]).partition(" ")
            uri, _, protocol = rest.rpartition(" ")
            atoms["r"] = f"{method} {redact_path(uri.split('?', 1)[0])} {protocol}"
        # The referer may be a link's own page; the raw environ (RAW_URI, PATH_INFO) repeats the path.
        for name in list(atoms):
            if name == "f" or name == "{referer}i" or name.endswith("}e"):
                atoms[name] = "-"
        return atoms


class RedactSecretPaths(logging.Filter):
    """For Django's own request loggers ("Bad Request: /sign-in/link/…/"): the same redaction."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True
