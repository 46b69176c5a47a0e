"""Settings for the tuoyu platform.

Everything comes from environment variables with safe defaults for the demo. With
``TUOYU_ENV=production`` the platform refuses to start on the demo secrets.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TUOYU_VAR_DIR", BASE_DIR / "var"))

TUOYU_ENV = os.environ.get("TUOYU_ENV", "demo")

DEMO_SECRET_KEY = "demo-only-secret-key-not-for-production"
# Field encryption and the blind index use their own keys, never the Django secret, so
# rotating sessions does not make personal data unreadable. Both are 32 bytes, base64.
DEMO_FIELD_KEY = "ZGVtby1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy0hISE="
DEMO_INDEX_KEY = "ZGVtby1vbmx5LWluZGV4LWtleS0zMi1ieXRlcy0hISE="

SECRET_KEY = os.environ.get("TUOYU_SECRET_KEY", DEMO_SECRET_KEY)
TUOYU_FIELD_KEY = os.environ.get("TUOYU_FIELD_KEY", DEMO_FIELD_KEY)
TUOYU_INDEX_KEY = os.environ.get("TUOYU_INDEX_KEY", DEMO_INDEX_KEY)

if TUOYU_ENV == "production":
    for name, value, demo in (
        ("TUOYU_SECRET_KEY", SECRET_KEY, DEMO_SECRET_KEY),
        ("TUOYU_FIELD_KEY", TUOYU_FIELD_KEY, DEMO_FIELD_KEY),
        ("TUOYU_INDEX_KEY", TUOYU_INDEX_KEY, DEMO_INDEX_KEY),
    ):
        if not value or value == demo:
            raise ImproperlyConfigured(f"{name} must be set in production: not empty, not the demo value.")

DEBUG = os.environ.get("TUOYU_DEBUG", "1" if TUOYU_ENV != "production" else "0") == "1"
ALLOWED_HOSTS = os.environ.get("TUOYU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "auditlog",
    "axes",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "tuoyu.common",
    "tuoyu.accounts",
    "tuoyu.registry",
    "tuoyu.indicators",
    "tuoyu.planning",
    "tuoyu.portal",
    "tuoyu.enrollment",
    "tuoyu.supervision",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tuoyu.urls"
WSGI_APPLICATION = "tuoyu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tuoyu.common.context_processors.platform",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tuoyu.sqlite3'}",
        conn_max_age=int(os.environ.get("TUOYU_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "indicators:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Five wrong passwords lock the username for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("TUOYU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = os.environ.get("TUOYU_AXES_ENABLED", "1") == "1"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = TUOYU_ENV == "production"
CSRF_COOKIE_SECURE = TUOYU_ENV == "production"

AUDITLOG_INCLUDE_ALL_MODELS = False

# National rules (托育机构设置标准(试行) 2019); numbers are configuration.
TUOYU_STANDARDS = {
    "class_rules": {
        "infant": {"max_children": 10, "children_per_caregiver": 3},
        "toddler": {"max_children": 15, "children_per_caregiver": 5},
        "older": {"max_children": 20, "children_per_caregiver": 7},
        "mixed": {"max_children": 18, "children_per_caregiver": 5},
    },
    "family_point_max_children": 5,
    "family_point_children_per_carer": 3,
}

# Which staff roles count for the certification rate and which certificates qualify each.
TUOYU_CERTIFICATION = {
    "caregiver": ["baoyushi", "yuyingyuan", "childcare_1x", "teacher_qualification"],
    "teacher": ["baoyushi", "yuyingyuan", "childcare_1x", "teacher_qualification"],
    "health": ["health_care_training"],
}

# How a plan run is computed: "thread" (in a background thread of the web process, with
# progress shown) or "inline" (within the request; tests).
TUOYU_PLAN_RUNS = os.environ.get("TUOYU_PLAN_RUNS", "thread")

# Text messages: the backend class by dotted path. The console backend prints each message
# (the demo's verification codes) on the server's standard output; a real gateway is a class
# with the interface of tuoyu.common.sms.SmsBackend.
TUOYU_SMS_BACKEND = os.environ.get("TUOYU_SMS_BACKEND", "tuoyu.common.sms.ConsoleBackend")

# Verification codes sent by SMS (parents' sign-up and password reset): 6 digits.
TUOYU_PHONE_CODE_TTL_SECONDS = 10 * 60  # valid for
TUOYU_PHONE_CODE_MAX_ATTEMPTS = 5  # wrong tries, then the code is dead
TUOYU_PHONE_CODE_RESEND_SECONDS = 60  # no new code for the same phone and purpose within
TUOYU_PHONE_CODE_DAILY_LIMIT = 10  # codes per phone in any 24 hours

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TUOYU_LOG_LEVEL", "WARNING")},
}

# Safety supervision (tuoyu.supervision): deadlines and time limits, configurable per city.
TUOYU_SUPERVISION: dict[str, Any] = {
    "publish_within_days": 20,  # inspection results public within (when not set by the plan)
    "rectification_days": {"critical": 7, "major": 15, "minor": 30},  # order deadline by severity
    "incident_report_hours": {"serious": 2, "minor": 24},  # report within, else late
    "attachment_max_bytes": 10 * 1024 * 1024,
    "attachment_types": ["image/jpeg", "image/png", "application/pdf"],
}
