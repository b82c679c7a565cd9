"""Atlas authentication: RFC 7616 digest for API keys (as Atlas does it) and OAuth client-credentials tokens."""

import hashlib
import re
import secrets
import threading
import time

REALM = "MMS Public API"
_DIGEST_PARAM = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')


def md5_hex(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # nosec - RFC 7616 MD5 is what Atlas uses


def parse_digest(header_value):
    """Parse the parameters of an `Authorization: Digest ...` header into a dict."""
    params = {}
    for match in _DIGEST_PARAM.finditer(header_value):
        params[match.group(1).lower()] = match.group(2) if match.group(2) is not None else match.group(3)
    return params


def challenge_header(nonce, stale):
    return f'Digest realm="{REALM}", domain="", nonce="{nonce}", algorithm=MD5, qop="auth", stale={"true" if stale else "false"}'


class NonceStore:
    """Nonces we issued, when, and which nonce counts were already used (so a replayed nc is refused)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._nonces = {}

    def issue(self):
        nonce = secrets.token_hex(16)
        with self._lock:
            self._nonces[nonce] = (time.monotonic(), set())
        return nonce

    def check(self, nonce, nonce_count, lifetime):
        """Return 'ok', 'stale' (ours but expired, or nc replayed) or 'unknown'."""
        with self._lock:
            entry = self._nonces.get(nonce)
            if entry is None:
                return "unknown"
            issued, used = entry
            if time.monotonic() - issued > lifetime:
                del self._nonces[nonce]
                return "stale"
            if nonce_count in used:
                return "stale"
            used.add(nonce_count)
            return "ok"

    def clear(self):
        with self._lock:
            self._nonces.clear()


def verify_digest(params, method, password):
    """True when the digest response matches (MD5, qop=auth)."""
    ha1 = md5_hex(f"{params.get('username', '')}:{REALM}:{password}")
    ha2 = md5_hex(f"{method}:{params.get('uri', '')}")
    expected = md5_hex(f"{ha1}:{params.get('nonce', '')}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}")
    return secrets.compare_digest(expected, params.get("response", ""))


class TokenStore:
    """Bearer tokens issued to service accounts, each with its expiry time."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tokens = {}

    def issue(self, client_id, lifetime):
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (client_id, time.monotonic() + lifetime)
        return token

    def principal(self, token):
        """The client id owning a live token, or None."""
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None:
                return None
            if time.monotonic() >= entry[1]:
                del self._tokens[token]
                return None
            return entry[0]

    def revoke(self, token):
        with self._lock:
            return self._tokens.pop(token, None) is not None

    def clear(self):
        with self._lock:
            self._tokens.clear()
