"""Settings: flags > `WIREWATCH_*` environment > config file > defaults.

The config file is `--config PATH`, else `$WIREWATCH_CONFIG`, else
`./wirewatch.yaml`, else `wirewatch.yaml` in the user config directory. Every
command finds it the same way, so `run` and `search` with the same config see
the same data. Unknown keys are errors (a typo would otherwise silently do
nothing), with the closest valid key suggested. `load_settings` also records
where each effective value came from, for `wirewatch config show`.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from platformdirs import user_config_dir, user_data_dir
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from wirewatch.core.allowlist import parse_allow_entry
from wirewatch.core.errors import ConfigError
from wirewatch.core.redact import redact_text

ENV_PREFIX = "WIREWATCH_"
CONFIG_ENV = "WIREWATCH_CONFIG"
CONFIG_FILENAME = "wirewatch.yaml"
PROJECT_URL = "https://github.com/wirewatch/wirewatch"
MAX_POLLERS = 1024


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class FetchSettings(_Section):
    """HTTP politeness and safety limits for feeds and article pages."""

    user_agent: str = f"Wirewatch/0.1 (news monitor; +{PROJECT_URL})"
    connect_timeout: float = Field(10.0, gt=0, description="seconds to open a connection")
    read_timeout: float = Field(20.0, gt=0, description="seconds between two received bytes")
    deadline: float = Field(60.0, gt=0, description="seconds for a whole fetch, all redirects")
    max_body_bytes: int = Field(10 * 1024 * 1024, gt=0, description="after decompression")
    max_redirects: int = Field(5, ge=0)
    concurrency: int = Field(32, ge=1, description="fetches in flight overall")
    per_host_concurrency: int = Field(2, ge=1, description="fetches in flight per host")
    allow_private: list[str] = Field(
        default_factory=list,
        description=(
            "addresses exempt from the SSRF guard: 'host', 'host:port', an IP or a CIDR "
            "(e.g. '127.0.0.1:8080', '10.0.0.0/8'); empty refuses private/loopback/metadata"
        ),
    )

    @field_validator("allow_private")
    @classmethod
    def _entries_parse(cls, entries: list[str]) -> list[str]:
        """Refuse a malformed entry when the settings load, not when `run` starts fetching."""
        for entry in entries:
            parse_allow_entry(entry)
        return entries


class ScheduleSettings(_Section):
    min_interval: float = Field(120.0, gt=0, description="seconds; never poll a feed faster")
    max_interval: float = Field(6 * 3600.0, gt=0, description="seconds; never poll slower")
    default_interval: float = Field(
        900.0, gt=0, description="seconds, until a feed's rhythm is learned"
    )
    max_backoff: float = Field(6 * 3600.0, gt=0, description="seconds; cap of error backoff")
    dead_after: float = Field(3 * 86400.0, gt=0, description="seconds failing before 'dead'")


class ParseSettings(_Section):
    deadline: float = Field(1.0, gt=0, description="seconds of CPU for parsing one feed")
    memory_mb: int = Field(64, gt=0, description="memory cap for parsing one feed")


class EnrichSettings(_Section):
    spacy_model: str = Field(
        "ner-conll", description="ner-conll (ships with Wirewatch), a spaCy package or a path"
    )
    ner_languages: list[str] = Field(default_factory=lambda: ["en"])
    max_text_chars: int = Field(100_000, gt=0, description="longer texts are truncated, flagged")
    topics_file: Path | None = Field(None, description="YAML of your own topics, added to IPTC")
    story_window_hours: float = Field(72.0, gt=0)
    batch_size: int = Field(32, ge=1)
    ner_processes: int = Field(
        default_factory=lambda: max(1, min(4, os.cpu_count() or 1)),
        ge=1,
        description="worker processes for NER, one core each (default: the CPUs, at most 4; "
        "1 runs it in the enricher's own process)",
    )


DEFAULT_UPDATE_THRESHOLD = 0.2
"""The share of distinct words that must change for an update alert (`wirewatch.core.folding`)."""


class NotifySettings(_Section):
    """Alert delivery: webhook signing, retries, and the SMTP server for e-mail alerts
    (docs/alerts.md#delivery-channels)."""

    webhook_secret: SecretStr | None = Field(
        None, description="HMAC-SHA256 key that signs webhook bodies"
    )
    timeout: float = Field(10.0, gt=0)
    max_attempts: int = Field(8, ge=1)
    backoff_base: float = Field(2.0, gt=0, description="seconds; doubles per attempt")
    backoff_max: float = Field(600.0, gt=0)
    daily_digest_hour: int = Field(
        7, ge=0, le=23, description="hour (UTC) when daily digests go out"
    )
    update_threshold: float = Field(
        DEFAULT_UPDATE_THRESHOLD,
        gt=0,
        le=1,
        description="share of an alerted article's distinct words that must change for an "
        "update alert (a changed headline always is one)",
    )
    concurrency: int = Field(
        16, ge=1, le=1000, description="deliveries in flight at once, over every channel"
    )
    smtp_host: str | None = Field(None, description="SMTP server that sends e-mail alerts")
    smtp_port: int = Field(587, ge=1, le=65535, description="587 for starttls, 465 for tls")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        "starttls",
        description="starttls: upgrade and require TLS; tls: TLS from the start; none: plain",
    )
    smtp_user: str | None = Field(None, description="SMTP login (AUTH is used when set)")
    smtp_password: SecretStr | None = Field(None, description="SMTP password")
    smtp_from: str | None = Field(None, description="the From address of alert e-mails")
    smtp_ca_file: Path | None = Field(
        None, description="PEM file of a private CA that signed the SMTP server's certificate"
    )

    @field_validator("smtp_from")
    @classmethod
    def _one_plain_address(cls, v: str | None) -> str | None:
        """A From address that is not one bare address would be refused by every server."""
        if v is not None and not is_email_address(v):
            raise ValueError(
                f"notify.smtp_from {v!r} is not an e-mail address like news@example.org"
            )
        return v

    @model_validator(mode="after")
    def _no_password_in_clear(self) -> NotifySettings:
        if self.smtp_password is not None and self.smtp_user is None:
            raise ValueError("notify.smtp_password needs notify.smtp_user")
        if self.smtp_user is not None and self.smtp_security == "none":
            raise ValueError(
                "notify.smtp_user with notify.smtp_security 'none' would send the password "
                "unencrypted: use 'starttls' or 'tls'"
            )
        return self


# A character of a bare address: no space, control character, '@' or RFC 5322 special.
_ADDRESS_CHAR = r'[^@\s<>(),;:"\[\]\\]'
_EMAIL_ADDRESS = re.compile(rf"{_ADDRESS_CHAR}+@{_ADDRESS_CHAR}+\.{_ADDRESS_CHAR}+")


def is_email_address(text: str) -> bool:
    """One bare address (`name@example.org`): no display name, list, spaces or line breaks.

    Deliberately stricter than RFC 5322: anything that goes into a header must not be able
    to add a recipient or a header of its own.
    """
    return _EMAIL_ADDRESS.fullmatch(text) is not None and text.isprintable()


def email_ready(settings: NotifySettings) -> str | None:
    """Why e-mail alerts cannot be sent with these settings, or None when they can."""
    missing = [f"notify.{k}" for k in ("smtp_host", "smtp_from") if getattr(settings, k) is None]
    if missing:
        return f"e-mail is not configured: set {' and '.join(missing)}"
    return None


_TOPIC_NAME = r"^[A-Za-z0-9._-]{1,249}$"  # what Kafka accepts as a topic name


def _topic(default: str, what: str) -> Any:
    return Field(default, pattern=_TOPIC_NAME, description=what)


def _partitions(default: int, topic: str) -> Any:
    return Field(default, ge=1, le=10_000, description=f"partitions of {topic}")


class KafkaSettings(_Section):
    """The broker, the topics of the distributed mode and how `wirewatch setup` makes them
    (docs/distributed.md)."""

    bootstrap_servers: str = "127.0.0.1:9092"
    topic_raw: str = _topic("articles.raw", "accepted articles, keyed by article id")
    topic_candidates: str = _topic(
        "stories.candidates",
        "enriched articles with their story signature, for the one story resolver",
    )
    topic_enriched: str = _topic("articles.enriched", "enriched articles, keyed by article id")
    topic_rules: str = _topic("alerts.rules", "alert rules, keyed by rule id (compacted)")
    topic_alerts: str = _topic("alerts", "alert hits, keyed by rule and story")
    topic_feeds: str = _topic("feeds", "subscriptions, keyed by feed id (compacted)")
    topic_deadletters: str = _topic(
        "deadletters", "messages a stage could not read or process, with the reason"
    )
    partitions_raw: int = _partitions(6, "topic_raw: the most workers that share the work")
    partitions_enriched: int = _partitions(6, "topic_enriched")
    partitions_alerts: int = _partitions(3, "topic_alerts")
    partitions_deadletters: int = _partitions(1, "topic_deadletters")
    raw_retention_hours: float = Field(
        7 * 24.0,
        gt=0,
        description="hours topic_raw keeps articles: how far back re-processing can replay",
    )
    client_id: str = "wirewatch"
    poller_index: int = Field(0, ge=0, description="this poller's share of the feeds, 0-based")
    poller_count: int = Field(
        1, ge=1, le=MAX_POLLERS, description="pollers splitting the feed list"
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="how the clients reach the broker: TLS (SSL), SASL, both"
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "PLAIN", description="the SASL mechanism (with a SASL_* security_protocol)"
    )
    username: str | None = Field(None, description="the SASL user (with a SASL_* protocol)")
    password: SecretStr | None = Field(None, description="the SASL user's password")
    ca_file: Path | None = Field(
        None, description="PEM file of the CA that signed the brokers' TLS certificates"
    )
    cert_file: Path | None = Field(
        None, description="PEM client certificate for mutual TLS (with key_file)"
    )
    key_file: Path | None = Field(None, description="PEM private key of cert_file")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @model_validator(mode="after")
    def _security_is_complete(self) -> KafkaSettings:
        """A setting the protocol would ignore, or SASL without its credentials, fails at
        load instead of as an authentication error (or a plain-text connection) later."""
        sasl, tls = self.uses_sasl, self.uses_tls
        if sasl and (self.username is None or self.password is None):
            raise ValueError(
                f"kafka.security_protocol {self.security_protocol} needs kafka.username "
                "and kafka.password"
            )
        if not sasl and (self.username is not None or self.password is not None):
            raise ValueError(
                "kafka.username/kafka.password need kafka.security_protocol SASL_PLAINTEXT "
                "or SASL_SSL"
            )
        files = [n for n in ("ca_file", "cert_file", "key_file") if getattr(self, n)]
        if files and not tls:
            raise ValueError(f"kafka.{files[0]} needs kafka.security_protocol SSL or SASL_SSL")
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("kafka.cert_file and kafka.key_file go together (mutual TLS)")
        return self

    @model_validator(mode="after")
    def _index_below_count(self) -> KafkaSettings:
        """A poller numbered past the count would own no feed and poll nothing, silently."""
        if self.poller_index >= self.poller_count:
            raise ValueError(
                f"kafka.poller_index {self.poller_index} must be below kafka.poller_count "
                f"{self.poller_count} (pollers are numbered from 0)"
            )
        return self


class SearchSettings(_Section):
    """Where articles are indexed and searched (docs/search-engines.md).

    `sqlite` keeps them in the data directory's file (nothing to run); `opensearch`
    and `elasticsearch` index them in that engine, which `wirewatch setup` prepares.
    """

    engine: Literal["sqlite", "opensearch", "elasticsearch"] = Field(
        "sqlite", description="the article index: the embedded SQLite file, or a search engine"
    )
    urls: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:9200"],
        min_length=1,
        description="the engine's nodes, http(s)://host:port (one URL or a list)",
    )
    username: str | None = Field(None, description="basic auth user (with password)")
    password: SecretStr | None = Field(None, description="basic auth password")
    api_key: SecretStr | None = Field(
        None, description="an API key (the base64 'id:key' the engine issued), instead of a user"
    )
    ca_certs: Path | None = Field(
        None, description="PEM file of the CA that signed the engine's TLS certificate"
    )
    timeout: float = Field(30.0, gt=0, description="seconds for one request to the engine")
    index_prefix: str = Field(
        "wirewatch",
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="names every index, template and policy: <prefix>-articles-YYYY.MM",
    )
    retention_months: int = Field(
        24, ge=1, description="months of articles kept (ISM/ILM delete older monthly indices)"
    )
    replicas: int = Field(1, ge=0, description="replicas per index (0 on a single node)")
    analysis: Literal["full", "core"] = Field(
        "full",
        description="'full' reproduces the embedded search (needs analysis-common); 'core' "
        "for an engine without it: no stemming or accent folding",
    )

    @field_validator("urls", mode="before")
    @classmethod
    def _one_url_is_a_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> SearchSettings:
        if self.password is not None and self.username is None:
            raise ValueError("search.password needs search.username")
        if self.api_key is not None and self.username is not None:
            raise ValueError("set search.api_key or search.username/password, not both")
        return self


class LimitsSettings(_Section):
    """Bounds on everything a feed, an OPML file or a user can make large (docs/parsing.md).

    Text over a limit is cut at a word boundary and ends with '…'; the article lists
    the cut fields in `truncated`. A value that cannot be cut without becoming wrong
    (a URL, a guid) is dropped instead, and listed the same way.
    """

    title_chars: int = Field(1_000, ge=16, description="an article's or feed's title")
    summary_chars: int = Field(
        20_000,
        ge=16,
        description="an article's summary (one that is its only body gets text_chars)",
    )
    text_chars: int = Field(200_000, ge=16, description="an article's full text")
    name_chars: int = Field(500, ge=16, description="one author name or category label")
    values_per_list: int = Field(
        100, ge=1, description="authors, categories and enclosures kept per article"
    )
    items_per_feed: int = Field(
        1_000, ge=1, description="newest items kept from one fetch of a feed; older ones dropped"
    )
    url_chars: int = Field(
        8_192,
        ge=64,
        description="feed URLs (refused), article links, guids and enclosures (dropped)",
    )
    opml_bytes: int = Field(10 * 1024 * 1024, gt=0, description="size of an imported OPML file")
    opml_outlines: int = Field(10_000, ge=1, description="outlines in an imported OPML file")
    webhook_field_chars: int = Field(
        1_000, ge=16, description="title, query, rule name and source in a webhook body"
    )


class RetentionSettings(_Section):
    """How long the embedded runtime keeps its bookkeeping (stored articles are kept)."""

    seen_days: int = Field(
        90,
        ge=1,
        description="days an item id is remembered after it was last new or changed; an item "
        "still in its feed is then recognised by its stored article, never stored again",
    )
    events_days: int = Field(
        30, ge=1, description="days a problem (a failed feed, alert or batch) counts in status"
    )


class MetricsSettings(_Section):
    """Prometheus metrics, liveness and readiness on an HTTP port of the role's own
    (docs/observability.md). Off unless enabled: a laptop's `wirewatch run` opens no port."""

    enabled: bool = Field(False, description="serve /metrics, /healthz and /readyz")
    host: str = Field("127.0.0.1", description="address to listen on; 0.0.0.0 in a container")
    port: int = Field(9464, ge=0, le=65535, description="TCP port (0: any free port, logged)")
    max_sources: int = Field(
        200, ge=1, description="distinct source labels before the rest count as 'other'"
    )


class FeedEntry(_Section):
    """A feed of the config file; `username`/`password` are its basic-auth credentials
    (the same as writing them into the URL, `https://user:pw@host/…`)."""

    url: str
    title: str | None = None
    full_text: bool = False
    username: str | None = None
    password: SecretStr | None = None

    @model_validator(mode="after")
    def _password_needs_user(self) -> FeedEntry:
        if self.password is not None and self.username is None:
            raise ValueError("a feed's password needs its username (username: …)")
        return self


class RuleEntry(_Section):
    name: str
    query: str
    webhook: str | None = None
    slack: SecretStr | None = Field(
        None, description="a Slack incoming-webhook URL (its path is the secret)"
    )
    emails: list[str] = Field(default_factory=list, description="e-mail recipients")
    throttle_per_hour: int | None = Field(
        None, ge=1, description="at most this many single alerts per hour; the rest in a digest"
    )
    digest: Literal["off", "hourly", "daily"] = Field(
        "off", description="one message per hour or per day instead of one per hit"
    )


class _CheckedSource(PydanticBaseSettingsSource):
    """Values `load_settings` already read and checked (the environment's, the file's).

    pydantic-settings' own environment source would read `os.environ` again and
    raise its own SettingsError (a traceback) on a group given a scalar, such as
    `WIREWATCH_FETCH=x`; fed from here, every value meets pydantic's validation.
    """

    def __init__(self, settings_cls: type[BaseSettings], data: Mapping[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = dict(data)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


_ERRORS_SHOWN = 3
_layers: ContextVar[tuple[Mapping[str, Any], Mapping[str, Any]]] = ContextVar(
    "wirewatch_settings_layers", default=({}, {})
)


class Settings(BaseSettings):
    """All of Wirewatch's settings. Sections nest: `fetch.max_body_bytes`."""

    model_config = SettingsConfigDict(extra="forbid", validate_assignment=True)

    mode: Literal["embedded", "distributed"] = Field(
        "embedded",
        description="where subscriptions, rules and articles live: the data directory, "
        "or Kafka topics (docs/distributed.md)",
    )
    data_dir: Path = Field(
        Path("data"),
        description="all embedded-runtime state; relative paths resolve against the config file",
    )
    allow_local_files: bool = Field(False, description="accept file:// feed URLs")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = Field(
        "text", description="json: one JSON object per line (time, level, logger, message)"
    )
    queue_size: int = Field(256, ge=1, description="articles buffered between two stages")
    feeds: list[FeedEntry] = Field(default_factory=list)
    alerts: list[RuleEntry] = Field(default_factory=list)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    parse: ParseSettings = Field(default_factory=ParseSettings)
    enrich: EnrichSettings = Field(default_factory=EnrichSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, v: Any) -> Any:
        return v.upper() if isinstance(v, str) else v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        env_data, file_data = _layers.get()
        return (
            init_settings,
            _CheckedSource(settings_cls, env_data),
            _CheckedSource(settings_cls, file_data),
        )


@dataclass
class LoadedSettings:
    """Effective settings plus where each value came from."""

    settings: Settings
    config_file: Path | None
    sources: dict[str, str] = field(default_factory=dict)

    def source_of(self, key: str) -> str:
        return _source_of(self.sources, key)[1]


def _source_of(sources: Mapping[str, str], key: str) -> tuple[str, str]:
    """(the key that was set, where it was set) for `key` or the nearest group above it."""
    while key:
        if key in sources:
            return key, sources[key]
        key = key.rpartition(".")[0]
    return "", "default"


# --- discovery ------------------------------------------------------------------------


def find_config_file(
    explicit: Path | str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Path | None:
    """The config file every command uses; an explicitly named one must exist."""
    env = os.environ if env is None else env
    cwd = cwd or Path.cwd()
    for named, origin in ((explicit, "--config"), (env.get(CONFIG_ENV), f"${CONFIG_ENV}")):
        if named:
            path = (cwd / Path(named).expanduser()).resolve()
            _check_is_file(path, origin)
            return path
    local = cwd / CONFIG_FILENAME
    if local.is_file():
        return local.resolve()
    user = Path(user_config_dir("wirewatch")) / CONFIG_FILENAME
    return user if user.is_file() else None


def _check_is_file(path: Path, origin: str) -> None:
    """Say what is wrong with a named config path: missing, a directory, not a file."""
    if path.is_file():
        return
    if path.is_dir():
        raise ConfigError(
            f"config file {path} (from {origin}) is a directory, not a file",
            hint=f"name the YAML file itself, e.g. {path / CONFIG_FILENAME}",
        )
    if path.exists():
        raise ConfigError(
            f"config file {path} (from {origin}) is not a regular file",
            hint="name a YAML file",
        )
    raise ConfigError(
        f"config file {path} (from {origin}) does not exist",
        hint="fix the path, or drop it to use ./wirewatch.yaml",
    )


# --- key checking -----------------------------------------------------------------------


def _section_models(model: type[BaseModel]) -> dict[str, type[BaseModel] | None]:
    out: dict[str, type[BaseModel] | None] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        out[name] = ann if isinstance(ann, type) and issubclass(ann, _Section) else None
    return out


def all_keys(model: type[BaseModel] = Settings, prefix: str = "") -> list[str]:
    """Every valid dotted key, for suggestions and `config show`."""
    keys: list[str] = []
    for name, sub in _section_models(model).items():
        dotted = f"{prefix}{name}"
        keys.append(dotted)
        if sub is not None:
            keys.extend(all_keys(sub, dotted + "."))
    return keys


def env_name(key: str) -> str:
    """The variable that sets a dotted key: fetch.deadline -> WIREWATCH_FETCH__DEADLINE."""
    return ENV_PREFIX + key.upper().replace(".", "__")


def _unknown_key(key: str, origin: str, *, from_env: bool = False) -> ConfigError:
    keys, cutoff = all_keys(), 0.6
    if from_env:  # a variable sets one value: suggest values, not groups, and only near ones
        keys, cutoff = [k for k in keys if not any(o.startswith(k + ".") for o in keys)], 0.8
    close = difflib.get_close_matches(key, keys, n=1, cutoff=cutoff)
    if close:
        hint = f"did you mean {env_name(close[0]) if from_env else repr(close[0])}?"
    elif from_env:
        hint = "WIREWATCH_* variables are settings only (dev tools read WWDEV_*): unset it"
    else:
        hint = "see `wirewatch config show` for valid keys"
    return ConfigError(f"unknown setting '{key}' in {origin}", hint=hint)


def _check_keys(
    data: Mapping[str, Any],
    origin: str,
    model: type[BaseModel] = Settings,
    prefix: str = "",
    *,
    from_env: bool = False,
) -> None:
    sections = _section_models(model)
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in sections:
            raise _unknown_key(dotted, origin, from_env=from_env)
        sub = sections[key]
        if sub is not None and isinstance(value, Mapping):
            _check_keys(value, origin, sub, dotted + ".", from_env=from_env)


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(
            f"cannot read config file {path}: {e.strerror}",
            hint="check that the file exists and that you may read it (permissions)",
        ) from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(
            f"config file {path} is not UTF-8 text (byte {e.start + 1} is 0x{raw[e.start]:02x})",
            hint="save it as UTF-8",
        ) from e
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(
            f"config file {path} {_yaml_problem(e, text)}", hint="fix the YAML syntax there"
        ) from e
    if data is None:  # an empty file (or only comments): all defaults
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"config file {path} holds a {type(data).__name__}, not a mapping of settings",
            hint="write one 'key: value' per line at the top, e.g. 'data_dir: data'",
        )
    return data


def _yaml_problem(e: yaml.YAMLError, text: str) -> str:
    """'line L, column C is not valid YAML: problem', in one line."""
    if isinstance(e, yaml.reader.ReaderError):  # a character YAML does not allow at all
        line = text.count("\n", 0, e.position) + 1
        column = e.position - text.rfind("\n", 0, e.position)
        return f"line {line}, column {column} is not valid YAML: {e.reason} (#x{e.character:04x})"
    mark = getattr(e, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1} " if mark else ""
    problem = " ".join(str(getattr(e, "problem", None) or e).split())
    return f"{where}is not valid YAML: {problem}"


def _env_values(env: Mapping[str, str]) -> dict[str, Any]:
    """WIREWATCH_FETCH__MAX_BODY_BYTES=1 -> {'fetch': {'max_body_bytes': '1'}}."""
    out: dict[str, Any] = {}
    for name, raw in sorted(env.items()):
        if not name.upper().startswith(ENV_PREFIX) or name.upper() == CONFIG_ENV:
            continue
        *parents, leaf = name[len(ENV_PREFIX) :].lower().split("__")
        origin = f"environment variable {name}"
        value = _env_value(name, raw)
        _check_keys(_nest([*parents, leaf], value), origin, from_env=True)
        node = out
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(
                    f"{origin} sets a key inside '{part}', which another variable sets whole",
                    hint="unset one of the two",
                )
        node[leaf] = value
    return out


def _nest(path: list[str], value: Any) -> dict[str, Any]:
    """['fetch', 'deadline'], 5 -> {'fetch': {'deadline': 5}}."""
    node: Any = value
    for part in reversed(path):
        node = {part: node}
    return dict(node)


def _env_value(name: str, raw: str) -> Any:
    """A variable's value: JSON when it looks like a list or an object, else the text."""
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(
            f"environment variable {name} is not valid UTF-8", hint="set it again as UTF-8"
        ) from None
    if not raw.strip().startswith(("[", "{")):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise ConfigError(
            f"environment variable {name} looks like JSON but is not: {e.msg}",
            hint='quote it as JSON, e.g. \'["a", "b"]\'',
        ) from e


def _unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dotted, value in flat.items():
        if value is None:
            continue
        node = out
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def _leaves(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for k, v in data.items():
        dotted = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            keys.extend(_leaves(v, dotted + "."))
        else:
            keys.append(dotted)
    return keys


def load_settings(
    config: Path | str | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> LoadedSettings:
    """Find, read, check and layer the settings. `overrides` are flags, as dotted keys."""
    env = dict(os.environ if env is None else env)
    cwd = cwd or Path.cwd()
    config_file = find_config_file(config, env=env, cwd=cwd)
    file_data = _read_config_file(config_file) if config_file else {}
    _check_keys(file_data, f"config file {config_file}")
    env_data = _env_values(env)
    flag_data = _unflatten(overrides or {})
    _check_keys(flag_data, "the command-line flags")

    sources: dict[str, str] = {}
    for origin, data in (
        (f"file {config_file}", file_data),
        ("env", env_data),
        ("flag", flag_data),
    ):
        for key in _leaves(data):
            sources[key] = origin

    token = _layers.set((env_data, file_data))
    try:
        settings = Settings(**flag_data)
    except ValidationError as e:
        raise ConfigError(_describe(e, sources), hint="correct the value and retry") from e
    finally:
        _layers.reset(token)
    _resolve_paths(settings, config_file, sources, cwd)
    return LoadedSettings(settings=settings, config_file=config_file, sources=sources)


def _describe(err: ValidationError, sources: Mapping[str, str]) -> str:
    """One line naming each bad setting, where it was set, and what is wrong with it."""
    parts = []
    for e in err.errors()[:_ERRORS_SHOWN]:
        key = ".".join(str(p) for p in e["loc"])
        set_key, origin = _source_of(sources, key)
        where = {"env": f" (from {env_name(set_key)})", "flag": " (from the command line)"}.get(
            origin, f" (in {origin})" if origin.startswith("file") else ""
        )
        parts.append(f"setting '{key}'{where}: {_reason(e, key)}")
    more = err.error_count() - _ERRORS_SHOWN
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _reason(error: ErrorDetails, key: str) -> str:
    """pydantic's message, said in terms of settings where it speaks of types."""
    if error["type"] == "value_error":  # our validators' own words, without 'Value error, '
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if error["type"] == "model_type" and key in all_keys():
        return f"'{key}' is a group of settings, not one value; set its keys ({key}.…) instead"
    return error["msg"]


def _resolve_paths(
    settings: Settings, config_file: Path | None, sources: dict[str, str], cwd: Path
) -> None:
    """Relative paths from the file resolve against its folder; from env/flags, against cwd."""

    def base_for(key: str) -> Path:
        src = sources.get(key, "default")
        return config_file.parent if (src.startswith("file") and config_file) else cwd

    if sources.get("data_dir") is None:
        settings.data_dir = (
            config_file.parent / "data" if config_file else Path(user_data_dir("wirewatch"))
        )
    elif not settings.data_dir.is_absolute():
        settings.data_dir = (base_for("data_dir") / settings.data_dir.expanduser()).resolve()
    tf = settings.enrich.topics_file
    if tf is not None and not tf.is_absolute():
        settings.enrich.topics_file = (base_for("enrich.topics_file") / tf).resolve()
    ca = settings.search.ca_certs
    if ca is not None and not ca.is_absolute():
        settings.search.ca_certs = (base_for("search.ca_certs") / ca.expanduser()).resolve()
    for name in ("ca_file", "cert_file", "key_file"):
        path = getattr(settings.kafka, name)
        if path is not None and not path.is_absolute():
            base = base_for(f"kafka.{name}")
            setattr(settings.kafka, name, (base / path.expanduser()).resolve())
    smtp_ca = settings.notify.smtp_ca_file
    if smtp_ca is not None and not smtp_ca.is_absolute():
        base = base_for("notify.smtp_ca_file")
        settings.notify.smtp_ca_file = (base / smtp_ca.expanduser()).resolve()


def effective_view(loaded: LoadedSettings) -> list[tuple[str, Any, str]]:
    """(dotted key, value with secrets redacted, source) for every leaf setting."""
    rows: list[tuple[str, Any, str]] = []

    def walk(model: BaseModel, prefix: str) -> None:
        for name in type(model).model_fields:
            value = getattr(model, name)
            dotted = f"{prefix}{name}"
            if isinstance(value, _Section):
                walk(value, dotted + ".")
                continue
            rows.append((dotted, _redact(value), loaded.source_of(dotted)))

    walk(loaded.settings, "")
    return rows


def _redact(value: Any) -> Any:
    """Secrets masked, and credentials in any URL (feeds, webhooks, search.urls) hidden."""
    if isinstance(value, SecretStr):
        return "**********" if value.get_secret_value() else ""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, BaseModel):
        return _redact(value.model_dump(mode="json"))
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in value.items()}
    if isinstance(value, str):
        return redact_text(value)
    return value
