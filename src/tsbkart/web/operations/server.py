"""How uvicorn runs the app, shared by ``tsbkart serve`` and ``LocalServer`` (tests, benchmarks).

- no ``server: uvicorn`` banner;
- proxy headers are handled inside the app (``TSBKART_TRUSTED_PROXIES``), so uvicorn's own pass is off;
- the request-line buffer admits URLs well past ``TSBKART_MAX_URL_BYTES``, so a long URL gets the app's
  414 rather than uvicorn's bare 400 (beyond this buffer uvicorn still answers 400 and closes);
- the app writes its own access line (``tsbkart.access``), so uvicorn's is off.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from tsbkart.settings import Settings
from tsbkart.web.operations.request_log import log_config

REQUEST_LINE_BUFFER_BYTES = 64 * 1024


def server_options(settings: Settings) -> dict[str, Any]:
    return {
        "server_header": False,
        "proxy_headers": False,
        "h11_max_incomplete_event_size": max(REQUEST_LINE_BUFFER_BYTES, 2 * settings.max_url_bytes),
        "access_log": False,
        "log_config": log_config(settings.log_format),
    }


def prepare_workers(workers: int) -> None:
    """Before forking ``workers`` processes: one directory where their metrics meet (prometheus-client)."""
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tsbkart-metrics-")
