"""Typed settings, read once from the environment (prefix ``TSBKART_``) and never mutated afterwards.

Example::

    TSBKART_DATABASE_URL=postgresql+psycopg://user:pw@127.0.0.1:5432/tsbkart tsbkart serve
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The embedded default lives in the working directory, so `make run` on a fresh clone needs no set-up.
DEFAULT_SQLITE_PATH = Path("var") / "tsbkart.sqlite"
# Made on first use when TSBKART_SECRET_KEY is not set, so sessions survive a restart of `make run`.
DEFAULT_SECRET_KEY_FILE = Path("var") / "secret_key"


class Settings(BaseSettings):
    """Everything configurable about a tsbkart process."""

    model_config = SettingsConfigDict(env_prefix="TSBKART_", frozen=True, extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="SQLAlchemy URL; SQLite file by default, PostgreSQL with postgresql+psycopg://...",
    )
    tile_url: str | None = Field(
        default=None,
        description="Optional XYZ tile URL template for the map background; off by default (works offline).",
    )
    tile_attribution: str = Field(default="", description="Attribution shown for the tile layer.")
    default_language: str = Field(default="nb", description="UI language when the user has not chosen one.")
    max_request_bytes: int = Field(default=2_000_000, description="Largest request body the server accepts.")
    # Import limits (docs/import-export.md), checked before a file is parsed.
    import_max_file_bytes: int = Field(
        default=200_000_000, gt=0, description="Largest CSV or XLSX file `tsbkart import` reads (bytes)."
    )
    import_max_rows: int = Field(
        default=500_000, gt=0, description="Most data rows in one CSV file or one XLSX sheet."
    )
    import_max_cell_chars: int = Field(
        default=32_767,
        gt=0,
        le=131_072,
        description="Longest cell in characters (Excel's own limit by default).",
    )
    import_max_unzipped_bytes: int = Field(
        default=1_000_000_000,
        gt=0,
        description="Largest total size of an XLSX file's parts once decompressed (bytes); stops zip bombs.",
    )
    max_url_bytes: int = Field(
        default=8192, ge=256, description="Longest request target (path and query) accepted; longer is 414."
    )
    trusted_proxies: str = Field(
        default="127.0.0.1,::1",
        description="Comma-separated addresses/CIDRs whose X-Forwarded-For/-Proto headers are believed.",
    )
    revision_check_seconds: float = Field(
        default=0.5,
        gt=0,
        description="How often each process checks the database for revisions committed elsewhere.",
    )
    max_staleness_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Registry reads answer 503 once the snapshot could not be confirmed current for this long.",
    )
    rate_limits: bool = Field(default=True, description="Rate limits on public POSTs and expensive GETs.")
    warm_planning: bool = Field(
        default=True,
        description="At start-up, build what the planning pages need (projection, charts, trends) in a thread.",
    )
    warm_indexes: bool = Field(
        default=True,
        description="Build each new snapshot's finder and list indexes in a thread, before a request needs them.",
    )
    finder_process: bool = Field(
        default=True,
        description="Run finder searches in a child process with its own snapshot (another core, not the GIL of "
        "the event loop); off, or with an in-memory SQLite database, they run in worker threads.",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="limits storage URI; memory:// counts per process, redis://host:6379 across processes.",
    )
    rate_limit_post: str = Field(default="60/minute", description="Every public POST, per client address.")
    rate_limit_finder: str = Field(default="30/minute", description="Finder searches, per client address.")
    rate_limit_signin: str = Field(
        default="10/minute", description="Sign-in attempts (password and code), per client address."
    )
    rate_limit_report: str = Field(default="30/minute", description="Atlas report pages, per client address.")
    rate_limit_pdf: str = Field(default="6/minute", description="Atlas report PDFs, per client address.")
    rate_limit_error_report: str = Field(
        default="5/10minutes",
        description="Error reports from the public (Meld feil), per client address.",
    )
    rate_limit_api_write: str = Field(
        default="120/minute", description="Write API requests (POST, PATCH, DELETE), per client address."
    )
    pdf_renders: int = Field(default=2, ge=1, description="Report PDFs rendered at the same time, at most.")
    page_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Memory for public answers to anonymous visitors, kept per revision (0 turns it off).",
    )
    log_format: str = Field(default="json", description="Server log lines: json (structured) or text.")

    @field_validator("log_format")
    @classmethod
    def _known_log_format(cls, value: str) -> str:
        if value not in ("json", "text"):
            raise ValueError("log_format must be 'json' or 'text'")
        return value

    def proxy_addresses(self) -> list[str]:
        return [a.strip() for a in self.trusted_proxies.split(",") if a.strip()]

    # --- Deployment ---
    behind_tls: bool = Field(
        default=False,
        description="TLS terminates in front of the app: cookies get Secure and the __Host- prefix, and "
        "answers carry Strict-Transport-Security.",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address people use, for links in e-mails and the OpenID Connect redirect URI.",
    )

    # --- Stewardship: sign-in, sessions (docs/stewardship.md) ---
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs cookies and CSRF tokens; else read from (or made in) secret_key_file.",
    )
    secret_key_file: Path = Field(
        default=DEFAULT_SECRET_KEY_FILE, description="Where the secret key is kept."
    )
    session_idle_minutes: int = Field(default=30, ge=1, description="A session ends after this long unused.")
    session_absolute_hours: int = Field(
        default=12, ge=1, description="A session ends this long after sign-in."
    )
    lockout_threshold: int = Field(default=5, ge=1, description="Failed sign-ins in a row before back-off.")
    lockout_seconds: int = Field(default=60, ge=1, description="First lock; doubles per further failure.")
    lockout_max_seconds: int = Field(default=3600, ge=1, description="Longest lock after repeated failures.")
    oidc_issuer: str | None = Field(
        default=None, description="OpenID Connect issuer URL (HelseID, ID-porten)."
    )
    oidc_client_id: str | None = Field(default=None, description="Client id registered with the issuer.")
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="Client secret (client_secret_basic); not accepted by HelseID."
    )
    oidc_private_key_file: Path | None = Field(
        default=None, description="PEM or JWK private key for private_key_jwt client authentication."
    )
    oidc_scopes: str = Field(default="openid profile email", description="Scopes asked for at sign-in.")
    oidc_acr_values: str | None = Field(
        default=None,
        description="Space-separated acr values accepted (e.g. idporten-loa-high); any if unset.",
    )

    admin_self_approval: bool = Field(
        default=False,
        description="An administrator may approve their own change set (audited as self_approval).",
    )

    # --- Stewardship: reminders (tsbkart remind) ---
    smtp_host: str = Field(
        default="127.0.0.1", description="SMTP server for reminders and error-report notices."
    )
    smtp_port: int = Field(default=25, description="SMTP port.")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_username: str | None = Field(default=None, description="SMTP user, if the server wants one.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    mail_from: str = Field(
        default="tsbkart@localhost", description="Sender address of reminders and error-report notices."
    )

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("nb", "en"):
            raise ValueError("default_language must be 'nb' or 'en'")
        return value
