"""All configuration: one pydantic model, read once from the environment (and `.env`)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from common.messages import Address

# Bare ids in LEGALAID_STAFF_IDS and LEGALAID_STAFF_CHAT_ID are Telegram's: those variables came first.
DEFAULT_CHANNEL = "telegram"


def env(name: str) -> dict:
    """A field read from the variable `name`."""
    return {"validation_alias": AliasChoices(name)}


class EnvModel(BaseModel):
    """A model whose fields are read from variables named by their aliases (`env(...)`).

    Values given by variable name (`Settings(LEGALAID_DATA_DIR=…)`) win over the environment, which
    wins over `.env` (`_env_file=None`: none); names in either case. That is what pydantic-settings'
    BaseSettings did, without its 55 ms of imports at every start (a cold `legalaid ask`).
    """

    model_config = ConfigDict(extra="ignore", validate_default=True)

    def __init__(self, _env_file: str | Path | None = ".env", **values: object) -> None:
        super().__init__(**{**_variables(type(self), _env_file), **values})


def _variables(model: type[BaseModel], env_file: str | Path | None) -> dict[str, str]:
    """The model's variables, from `.env` and then the environment, which wins."""
    found: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        found.update((k.upper(), v) for k, v in dotenv_values(env_file, encoding="utf-8").items() if v is not None)
    found.update((k.upper(), v) for k, v in os.environ.items())
    names = (str(f.validation_alias.choices[0]) for f in model.model_fields.values()
             if isinstance(f.validation_alias, AliasChoices))
    return {name: found[name.upper()] for name in names if name.upper() in found}


class Settings(EnvModel):
    """Every variable is documented, with its default, in `.env.example` and the README."""

    telegram_bot_token: SecretStr | None = Field(None, **env("TELEGRAM_BOT_TOKEN"))
    # Root of the Bot API server; "/bot<token>/<method>" is appended. For a self-hosted server and tests.
    telegram_api_base_url: str = Field("https://api.telegram.org", **env("TELEGRAM_API_BASE_URL"))
    data_dir: Path = Field(Path("data"), **env("LEGALAID_DATA_DIR"))
    # Centre staff: "channel:id" entries; a bare number is a Telegram user id.
    staff_ids: frozenset[str] = Field(frozenset(), **env("LEGALAID_STAFF_IDS"))
    tz: str = Field("Asia/Shanghai", **env("LEGALAID_TZ"))
    log_level: str = Field("INFO", **env("LEGALAID_LOG_LEVEL"))
    faq_dir: Path | None = Field(None, **env("LEGALAID_FAQ_DIR"))
    # sqlite:///path or postgresql://user:password@host/db; unset: SQLite in LEGALAID_DATA_DIR.
    database_url: SecretStr | None = Field(None, **env("LEGALAID_DATABASE_URL"))

    # Where staff alerts go: "channel:id"; a bare number is a Telegram chat id.
    staff_chat_id: str | None = Field(None, **env("LEGALAID_STAFF_CHAT_ID"))
    # Webhook mode only: Telegram sends it in X-Telegram-Bot-Api-Secret-Token; requests without it get 403.
    webhook_secret: SecretStr | None = Field(None, **env("LEGALAID_WEBHOOK_SECRET"))
    # 衢市司发〔2020〕4号 一(一) bands, as "合格 from, 良好 from, 优秀 from" (see README: rating bands).
    # This default and the next are checked by tests/common/test_config.py, not at every start: that
    # imports the points and slot rules with their holiday calendars, 30 ms of a cold `legalaid ask`.
    rating_bands: str = Field("60,80,90", validate_default=False, **env("LEGALAID_RATING_BANDS"))
    # Home visits (衢市司发〔2020〕3号 三).
    visit_windows: str = Field(
        "am=09:00-11:30,pm=14:00-17:00", validate_default=False, **env("LEGALAID_VISIT_WINDOWS"))
    visit_capacity: int = Field(2, ge=1, le=50, **env("LEGALAID_VISIT_CAPACITY"))
    min_notice_days: int = Field(1, ge=1, le=30, **env("LEGALAID_MIN_NOTICE_DAYS"))
    booking_horizon_days: int = Field(14, ge=1, le=90, **env("LEGALAID_BOOKING_HORIZON_DAYS"))
    calendar_overrides: Path | None = Field(None, **env("LEGALAID_CALENDAR_OVERRIDES"))
    # Consultations not claimed by a lawyer within this many minutes are re-notified and shown to staff.
    claim_timeout_minutes: int = Field(60, ge=1, **env("LEGALAID_CLAIM_TIMEOUT_MINUTES"))
    # Retention (README: Reliability and personal data). Finished visits' personal details and
    # answered questions are blanked after this many days.
    retention_days: int = Field(180, ge=1, **env("LEGALAID_RETENTION_DAYS"))
    # Conversations nobody touched for this long are deleted (questionnaire answers, told facts).
    state_retention_days: int = Field(30, ge=1, **env("LEGALAID_STATE_RETENTION_DAYS"))
    # The text of questions the knowledge base could not answer; the counts stay, anonymous.
    miss_retention_days: int = Field(90, ge=1, **env("LEGALAID_MISS_RETENTION_DAYS"))
    # Messages sent (or given up) are blanked after this many days.
    outbox_retention_days: int = Field(30, ge=1, **env("LEGALAID_OUTBOX_RETENTION_DAYS"))
    rate_limit_per_minute: int = Field(20, ge=1, **env("LEGALAID_RATE_LIMIT_PER_MINUTE"))
    # Visits still to come per chat account and per phone number.
    max_active_bookings: int = Field(2, ge=1, le=20, **env("LEGALAID_MAX_ACTIVE_BOOKINGS"))
    # The web console (管理后台) served by `legalaid run` too, when a port is given.
    web_port: int | None = Field(None, ge=1, le=65535, **env("LEGALAID_WEB_PORT"))
    web_listen: str = Field("127.0.0.1", **env("LEGALAID_WEB_LISTEN"))
    # Addresses of the reverse proxies in front of the console: only their X-Forwarded-For and
    # X-Forwarded-Proto are believed (the sign-in throttle counts the real client, cookies are Secure).
    web_trusted_proxies: frozenset[str] = Field(frozenset(), **env("LEGALAID_WEB_TRUSTED_PROXIES"))
    # Voice (docs/voice.md): OpenAI-compatible speech servers the centre runs; unset → feature off.
    asr_url: str | None = Field(None, **env("LEGALAID_ASR_URL"))
    asr_model: str = Field("Systran/faster-whisper-small", **env("LEGALAID_ASR_MODEL"))
    asr_api_key: SecretStr | None = Field(None, **env("LEGALAID_ASR_API_KEY"))
    tts_url: str | None = Field(None, **env("LEGALAID_TTS_URL"))
    tts_model: str = Field("speaches-ai/Kokoro-82M-v1.0-ONNX", **env("LEGALAID_TTS_MODEL"))
    tts_voice: str = Field("zf_xiaobei", **env("LEGALAID_TTS_VOICE"))
    tts_api_key: SecretStr | None = Field(None, **env("LEGALAID_TTS_API_KEY"))
    # One speech call, download included, gives up after this; the person is told "没听清".
    speech_timeout_seconds: float = Field(10.0, gt=0, le=60, **env("LEGALAID_SPEECH_TIMEOUT_SECONDS"))
    # Longer voice notes are refused before they are downloaded.
    voice_max_seconds: int = Field(60, ge=1, le=600, **env("LEGALAID_VOICE_MAX_SECONDS"))

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator("rating_bands")
    @classmethod
    def _bands(cls, value: str) -> str:
        from policy.points import Bands

        Bands.parse(value)
        return value

    @field_validator("visit_windows")
    @classmethod
    def _windows(cls, value: str) -> str:
        from policy.slots import parse_windows

        parse_windows(value)
        return value

    @field_validator("web_trusted_proxies", mode="before")
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(p.strip() for p in value.split(",") if p.strip())
        return value

    @field_validator("staff_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            for part in filter(None, parts):
                Address.parse(part, DEFAULT_CHANNEL)  # refuses "wechat:" and the like
            return frozenset(filter(None, parts))
        return value

    @field_validator("staff_chat_id", mode="before")
    @classmethod
    def _staff_chat(cls, value: object) -> object:
        if value in (None, ""):
            return None
        Address.parse(str(value), DEFAULT_CHANNEL)
        return str(value)

    @field_validator("calendar_overrides")
    @classmethod
    def _overrides_exist(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        """Blank is "not set"; anything else must look like BotFather's 123456:ABC… (the value is
        never repeated in the error: it is a secret)."""
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(raw, str):
            raw = raw.strip()
            if not raw:
                return None
            if not _TOKEN_SHAPE.fullmatch(raw):
                raise ValueError("not a bot token from @BotFather (digits, a colon, then letters, digits, _ or -)")
        return raw

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("telegram_api_base_url", "asr_url", "tts_url", mode="before")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not str(value).startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return str(value).rstrip("/")

    @property
    def staff(self) -> frozenset[Address]:
        return frozenset(Address.parse(str(x), DEFAULT_CHANNEL) for x in self.staff_ids)

    @property
    def staff_chat(self) -> Address | None:
        return None if self.staff_chat_id is None else Address.parse(str(self.staff_chat_id), DEFAULT_CHANNEL)

    @property
    def hears(self) -> bool:
        """Voice notes are transcribed (LEGALAID_ASR_URL is set)."""
        return self.asr_url is not None

    @property
    def speaks(self) -> bool:
        """Answers can be read aloud (LEGALAID_TTS_URL is set)."""
        return self.tts_url is not None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "legalaid.sqlite3"

    @property
    def database(self) -> str:
        """The database to open: LEGALAID_DATABASE_URL, or the SQLite file in the data folder."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.db_path}"

    @property
    def bands(self):
        from policy.points import Bands

        return Bands.parse(self.rating_bands)

    @property
    def slot_rules(self):
        from policy.slots import SlotRules, parse_windows

        return SlotRules(
            windows=parse_windows(self.visit_windows),
            capacity=self.visit_capacity,
            min_notice_days=self.min_notice_days,
            horizon_days=self.booking_horizon_days,
        )


_TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")


class ConfigError(Exception):
    """Invalid configuration, with one line that names the variable."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = first["loc"][0] if first["loc"] else "?"
        variable = _variable_name(str(field))
        raise ConfigError(f"invalid configuration {variable}: {first['msg']}") from None


def _variable_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    if info is not None and isinstance(info.validation_alias, AliasChoices):
        return str(info.validation_alias.choices[0])
    return field
