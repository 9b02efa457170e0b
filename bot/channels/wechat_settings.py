"""WECHAT_* settings, read only when the WeChat channel starts (the other commands never need them)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from bot.channels.wechat_protocol import aes_key
from common.config import EnvModel, env


class WeChatSettings(EnvModel):
    """WECHAT_* variables, read only when the WeChat channel starts (the other commands never need them)."""

    token: SecretStr = Field(..., **env("WECHAT_TOKEN"))
    app_id: str = Field(..., min_length=1, **env("WECHAT_APP_ID"))
    app_secret: SecretStr = Field(..., **env("WECHAT_APP_SECRET"))
    # Set: safe mode (安全模式), every message encrypted. Unset: plain mode (明文模式).
    encoding_aes_key: SecretStr | None = Field(None, **env("WECHAT_ENCODING_AES_KEY"))
    api_base_url: str = Field("https://api.weixin.qq.com", **env("WECHAT_API_BASE_URL"))
    # WeChat waits 5 s for a passive reply; past this the reply goes by customer-service message.
    reply_deadline_seconds: float = Field(4.0, gt=0, le=4.5, **env("WECHAT_REPLY_DEADLINE_SECONDS"))
    deliver_every_seconds: float = Field(5.0, gt=0, le=300, **env("WECHAT_DELIVER_EVERY_SECONDS"))

    @field_validator("encoding_aes_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            aes_key(value.get_secret_value())
            return value
        return None

    @field_validator("api_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")
