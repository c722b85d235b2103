"""Gongzhi settings, read from the environment.

Every value that can come from the environment is parsed here and fails fast
with a clear message when it is malformed, so a bad deployment stops at start-up
instead of misbehaving later.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Environment variable {name} is required.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env_str("GONGZHI_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment; on a single machine without one, a
    random key kept in DATA_DIR (created once, readable by the owner only)."""
    key = os.environ.get("SECRET_KEY")
    if key is None:
        path = DATA_DIR / "secret_key"
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(50))
        key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
    return key


SECRET_KEY = _secret_key()


def _key_file(name: str, count: int = 1) -> str:
    """A comma-separated list of base64 keys from a file in DATA_DIR, created
    once with one random 32-byte key (for the demo, development and tests)."""
    path = DATA_DIR / name
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(",".join(_new_key() for _ in range(count)))
    return path.read_text().strip()


def _new_key() -> str:
    import base64

    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _field_keys() -> tuple[list[bytes], bytes, bool]:
    """Field-encryption keys (newest first) and the blind-index key, from the
    environment; on a single machine without them, keys kept in DATA_DIR.
    The third value says whether they came from files (flagged by the deploy
    check)."""
    from gongzhi.core.crypto import parse_key

    from_files = "FIELD_ENCRYPTION_KEYS" not in os.environ
    raw = os.environ.get("FIELD_ENCRYPTION_KEYS") or _key_file("field_encryption_keys")
    keys = [parse_key(k, name="FIELD_ENCRYPTION_KEYS") for k in raw.split(",") if k.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one key.")
    bidx_raw = os.environ.get("FIELD_BLIND_INDEX_KEY") or _key_file("field_blind_index_key")
    bidx = parse_key(bidx_raw, name="FIELD_BLIND_INDEX_KEY")
    if bidx in keys:
        raise ImproperlyConfigured("FIELD_BLIND_INDEX_KEY must differ from the encryption keys.")
    return keys, bidx, from_files or "FIELD_BLIND_INDEX_KEY" not in os.environ


FIELD_ENCRYPTION_KEYS, FIELD_BLIND_INDEX_KEY, FIELD_KEYS_FROM_FILES = _field_keys()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.org",
    "gongzhi.cases",
    "gongzhi.intake",
    "gongzhi.party",
    "gongzhi.cobuild",
    "gongzhi.volunteering",
    "gongzhi.insights",
    "gongzhi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongzhi.accounts.middleware.AuditDenialMiddleware",
    "gongzhi.accounts.middleware.SessionPolicyMiddleware",
    "gongzhi.web.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gongzhi.web.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.web.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite is the embedded default; PostgreSQL is production. DATABASE_URL wins.
_database_url = os.environ.get("DATABASE_URL", "")
if _database_url:
    try:
        _db = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if _db["ENGINE"] not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL or SQLite.")
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "gongzhi.sqlite3",
        # Seconds a connection is kept between requests (0: one per request).
        # Opening one costs ~1.4 ms of CPU and a cold page cache (bench/load).
        "CONN_MAX_AGE": env_int("SQLITE_CONN_MAX_AGE", 0, minimum=0),
    }

if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on the busy timeout instead of deadlocking on
    # a lock upgrade ("database is locked").
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA cache_size=-65536;"
            ),
        }
    )
    # Tests use a file, not memory, so that WAL and locking behave as in use.
    # The pid keeps two concurrent runs in one checkout apart.
    _db["TEST"] = {"NAME": str(DATA_DIR / f"test_gongzhi_{os.getpid()}.sqlite3")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue (huey) ----------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "gongzhi",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2, minimum=1), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gongzhi",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2, minimum=1), "worker_type": "thread"},
    }

# --- Accounts --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# The first loads the signed-in user with its division in one query
# (gongzhi/accounts/backends.py); ModelBackend checks passwords.
AUTHENTICATION_BACKENDS = [
    "gongzhi.accounts.backends.ScopedUserBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gongzhi.accounts.password_validation.CharacterClassesValidator"},
]
SESSION_COOKIE_HTTPONLY = True

# --- Security policy (GB/T 22239-2019 level 3) ------------------------------
# The audit log is kept at least 180 days (网络安全法 art. 21); a shorter
# setting stops start-up.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180, minimum=180)
LOGIN_MAX_FAILURES = 5
LOGIN_LOCKOUT_SECONDS = 15 * 60
# Attempts per client address per minute before 429 (brute force over names).
LOGIN_RATE_LIMIT = env_int("LOGIN_RATE_LIMIT", 20, minimum=1)
PASSWORD_MAX_AGE_DAYS = 90
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 15 * 60, minimum=60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 8 * 3600, minimum=300)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_SAMESITE = "Lax"
# Pending second-factor step after a correct password.
TOTP_PENDING_SECONDS = 300

# New reports per resident account per minute before 429 (web, app, API).
CASE_SUBMIT_RATE_LIMIT = env_int("CASE_SUBMIT_RATE_LIMIT", 30, minimum=1)
# Rate-limit counters without Redis: one SQLite file shared by every process of
# this machine (gongzhi.core.ratelimit); tests use one file per test process.
RATE_LIMIT_DB = Path(env_str("RATE_LIMIT_DB", str(DATA_DIR / "ratelimit.sqlite3")))

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Maps ------------------------------------------------------------------
# Empty means "no tile layer": the maps still draw the grid polygons.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

# --- Security --------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
# Served over HTTPS (SECURE_COOKIES=true): redirect plain HTTP and send HSTS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# nginx in front (docs/operations.md): it terminates TLS, sets
# X-Forwarded-Proto, and overwrites X-Real-IP with the client's address; only
# then is X-Real-IP believed (core.ratelimit.request_ip).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
