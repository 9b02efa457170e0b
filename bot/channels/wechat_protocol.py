"""The WeChat Official Account message protocol: signatures, safe-mode crypto, XML in and out.

Written against the official "消息加解密" description (the same scheme wechatpy implements):
  signature      = sha1 of the sorted, concatenated token, timestamp, nonce;
  msg_signature  = the same over token, timestamp, nonce and the Encrypt text;
  Encrypt        = base64(AES-256-CBC(key, iv=key[:16], PKCS#7 to 32 bytes of
                   16 random bytes + 4-byte big-endian length + message + appid)),
  where key = base64 of the 43-character EncodingAESKey plus "=".
XML is parsed with defusedxml and any DOCTYPE is refused, so entity tricks (XXE, billion laughs)
fail at once instead of reading files or eating memory. The one shape WeChat sends (<xml> and flat
fields, each CDATA or plain text) is read by a strict pattern first, without building a parser per
request; anything else (a DOCTYPE, an entity, an attribute, a nested field, a stray character) goes
to defusedxml, so both readings agree wherever the pattern answers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import DefusedXmlException

BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16
MAX_TEXT_BYTES = 2048  # a text message's limit, in UTF-8 bytes
# Characters XML 1.0 cannot carry at all, even in CDATA.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class ProtocolError(Exception):
    """A request that is not a well-formed, authentic WeChat message."""


class SignatureError(ProtocolError):
    """A signature that does not match: the request is not from WeChat (or not for us)."""


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_ok(expected_parts: tuple[str, ...], signature: str) -> bool:
    """Constant-time comparison of a received signature with the one the parts give."""
    return hmac.compare_digest(sign(*expected_parts).encode(), signature.encode("utf-8", "replace"))


class WeChatCrypto:
    """Safe mode (安全模式): encrypt replies, check and decrypt incoming messages."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str):
        self.token = token
        self.app_id = app_id
        self.key = aes_key(encoding_aes_key)

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        random16 = os.urandom(16) if random16 is None else random16
        body = message.encode("utf-8")
        plain = random16 + struct.pack(">I", len(body)) + body + self.app_id.encode("utf-8")
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError("Encrypt is not base64") from None
        if not data or len(data) % 16:
            raise ProtocolError("Encrypt has a bad length")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad or len(plain) - pad < 20:
            raise ProtocolError("bad padding")
        content = plain[16 : len(plain) - pad]
        (length,) = struct.unpack(">I", content[:4])
        message, app_id = content[4 : 4 + length], content[4 + length :]
        if len(message) != length or not hmac.compare_digest(app_id, self.app_id.encode("utf-8")):
            raise ProtocolError("message is not for this app")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("message is not UTF-8") from None

    def open_message(self, encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """The inner XML of an encrypted message, after checking its msg_signature."""
        if not signature_ok((self.token, timestamp, nonce, encrypt), msg_signature):
            raise SignatureError("bad msg_signature")
        return self.decrypt(encrypt)

    def seal_reply(self, reply_xml: str, timestamp: str, nonce: str, random16: bytes | None = None) -> str:
        """The encrypted envelope WeChat expects as a passive reply in safe mode."""
        encrypt = self.encrypt(reply_xml, random16)
        signature = sign(self.token, timestamp, nonce, encrypt)
        return (
            f"<xml>\n<Encrypt>{cdata(encrypt)}</Encrypt>\n"
            f"<MsgSignature>{cdata(signature)}</MsgSignature>\n"
            f"<TimeStamp>{int(timestamp)}</TimeStamp>\n"
            f"<Nonce>{cdata(nonce)}</Nonce>\n</xml>"
        )


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey; ValueError if it is not one."""
    if len(encoding_aes_key) != 43:
        raise ValueError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("EncodingAESKey is not base64") from None
    if len(key) != 32:
        raise ValueError("EncodingAESKey must decode to 32 bytes")
    return key


# One field of the flat shape: <Name><![CDATA[…]]></Name> or <Name>text</Name>. Only XML's own
# whitespace between fields (Python's \s would take characters an XML parser refuses there).
_FIELD = re.compile(r"[ \t\n]*<([A-Za-z][A-Za-z0-9_]*)>(?:<!\[CDATA\[(.*?)\]\]>|([^<&\]]*))</\1>", re.S)
_END = re.compile(r"[ \t\n]*</xml>[ \t\n]*")


def _flat_fields(body: bytes | str) -> dict[str, str] | None:
    """The fields of a message in WeChat's flat shape, or None: not that shape, let the parser judge."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        return None
    # \r: a parser turns line ends into \n; characters XML cannot carry: a parser refuses them.
    if not text.startswith("<xml>") or "\r" in text or _NOT_XML.search(text):
        return None
    fields: dict[str, str] = {}
    at = len("<xml>")
    while (field := _FIELD.match(text, at)) is not None:
        cdata, plain = field.group(2, 3)
        if cdata is not None and "]]>" in cdata:  # ran across sections or fields: not one CDATA
            return None
        fields[field.group(1)] = plain if cdata is None else cdata
        at = field.end()
    return fields if _END.fullmatch(text, at) else None


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The top-level fields of a WeChat <xml> message; ProtocolError for anything else."""
    fields = _flat_fields(body)
    if fields is not None:
        return fields
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise ProtocolError(f"unreadable XML ({type(exc).__name__})") from None
    if root.tag != "xml":
        raise ProtocolError("root element is not <xml>")
    return {child.tag: (child.text or "") for child in root if isinstance(child.tag, str)}


def cdata(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply_xml(to_user: str, from_user: str, content: str, create_time: int) -> str:
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, broken between lines where possible."""
    if utf8_len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in _fit_lines(text.split("\n"), limit):
        candidate = f"{current}\n{line}" if current else line
        if utf8_len(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            pieces.append(current.strip("\n"))
        current = line
    if current.strip():
        pieces.append(current.strip("\n"))
    return pieces


def _fit_lines(lines: list[str], limit: int) -> list[str]:
    """Lines longer than the limit cut into pieces that fit, at character boundaries."""
    fitted: list[str] = []
    for line in lines:
        while utf8_len(line) > limit:
            cut = len(line.encode("utf-8")[:limit].decode("utf-8", "ignore"))
            fitted.append(line[:cut])
            line = line[cut:]
        fitted.append(line)
    return fitted
