"""Settings shared by every environment.

Everything is read from the environment with one django-environ ``env``.
With no variables set the site runs on the embedded default: SQLite, media
on local disk, Celery tasks run eagerly in-process. Each integration
(PostgreSQL, Redis, S3, social login) switches on when its variables are set.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from photoshop.hosts import AllowedHosts
from photoshop.settings import environment

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The deployed code's version (e.g. its git commit). Customers' kept pages (photoshop.pagecache) are
# kept per release; unset, a token made from the project's files' sizes and times stands for it.
RELEASE = env.str("RELEASE", default="")
# Development-only key; production.py requires SECRET_KEY from the environment.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-key-do-not-use-in-production")
# Microsites on line add their own host names (photoshop.hosts).
ALLOWED_HOSTS = AllowedHosts(env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]))
SITE_ID = 1
SITE_NAME = env.str("SITE_NAME", default="photoshop")
# The host name in e-mails (allauth); empty: the first plain host in ALLOWED_HOSTS.
SITE_DOMAIN = env.str("SITE_DOMAIN", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.instagram",
    "django_celery_results",
    "django_countries",
    "phonenumber_field",
    "csp",
    "photoshop",
    "privacy",
    "accounts",
    "photos",
    "orders",
    "promotions",
    "microsites",
]

MIDDLEWARE = [
    "microsites.middleware.MicrositeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "photoshop.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.LastActivityMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
    "accounts.middleware.AccountPagesNotCachedMiddleware",
    "photoshop.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "photoshop.urls"
WSGI_APPLICATION = "photoshop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "photoshop.context_processors.site",
                "photoshop.context_processors.csrf",
            ],
        },
    },
]

# Django's built-in form templates in Jinja2, the rest in Django's engine (photoshop/forms.py).
FORM_RENDERER = "photoshop.forms.FormRenderer"

# Database: SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; with WAL, synchronous=NORMAL
    # stays safe against corruption and makes each commit cheap, and a larger
    # checkpoint interval spares bulk work (the retention sweep) repeated checkpoints.
    # IMMEDIATE transactions take the write lock when they begin, so a transaction
    # that reads and then writes waits for another writer instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=10000;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "photoshop.cache.RedisCache"  # one client per pool, not one per call

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_ENGINE = "accounts.sessions"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"

# django-allauth: e-mail is the login, verified before first use.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's defaults, stated so that nobody turns them off by accident.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # Questions to customer service (accounts.views.contact).
    "contact": "5/h/ip",
    # Privacy requests from the public form (privacy.dsar_views).
    "privacy_request": "5/h/ip",
}
# The client's address for those limits: without a proxy the connection's own
# (production.py counts one proxy). TRUSTED_PROXY_COUNT is the number of proxies
# that append to X-Forwarded-For; TRUSTED_CLIENT_IP_HEADER (e.g. X-Real-IP) a
# header the proxy sets to the client's address, used instead when set.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
SOCIALACCOUNT_PROVIDERS = environment.social_providers(env)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# Internationalisation: Dutch first, then French and English.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's choice; sent on top-level navigation only (production.py adds Secure).
LANGUAGE_COOKIE_SAMESITE = "Lax"
# A year when the visitor accepts preference cookies, else for the visit only (privacy.cookies).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="BE")
PHONENUMBER_DB_FORMAT = "E164"
# Countries the shop delivers to; addresses are validated per country.
COUNTRIES_ONLY = env.list("SHIP_TO_COUNTRIES", default=["BE", "NL", "LU", "FR", "DE"])

# Static files (whitenoise) and media (local disk or private S3).
# Absolute: a microsite at /m/<slug>/ changes the script prefix that a relative one would take.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
STORAGES = environment.storages(env, BASE_DIR)

# E-mail: console in development, any SMTP/anymail backend through EMAIL_URL.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="photoshop <no-reply@photoshop.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: eager in-process without a broker; real workers when one is set.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Celery still opens a producer in eager mode; an in-memory broker never
    # connects and spares kombu's "No hostname was supplied" warning.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_STORE_EAGER_RESULT = True
# django-db (the admin's Celery Results), retrying through a database restart (photoshop/results.py).
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="photoshop.results:RetryingDatabaseBackend")
CELERY_RESULT_BACKEND_ALWAYS_RETRY = True
CELERY_RESULT_BACKEND_MAX_RETRIES = 20
CELERY_RESULT_BACKEND_MAX_SLEEP_BETWEEN_RETRIES_MS = 5000
CELERY_RESULT_EXTENDED = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_EXPIRES = 60 * 60 * 24 * 7
# Time limits (seconds, prefork workers): at the soft limit the task gets an
# exception it may clean up after; at the hard limit its process is replaced,
# so a hung task (a scan that never returns) does not hold a worker for ever.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=CELERY_TASK_SOFT_TIME_LIMIT + 60)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must be longer than CELERY_TASK_SOFT_TIME_LIMIT (seconds).")
# Tasks whose normal run differs from the default. One photo takes well under a
# second; the sweep and the location strip work in committed batches, so one
# stopped at its limit leaves consistent data and the next run carries on (a
# sweep stopped at the soft limit is recorded as failed and frees the lock).
CELERY_TASK_ANNOTATIONS = {
    "photos.process_photo": {"soft_time_limit": 2 * 60, "time_limit": 3 * 60},
    "privacy.retention_sweep": {"soft_time_limit": 60 * 60, "time_limit": 61 * 60},
    "photos.strip_locations": {"soft_time_limit": 60 * 60, "time_limit": 61 * 60},
    "privacy.clear_expired_sessions": {"soft_time_limit": 15 * 60, "time_limit": 16 * 60},
}
# How often the retention sweep runs, in minutes (a divisor of 60); it is cheap when nothing is due.
PRIVACY_SWEEP_INTERVAL_MINUTES = env.int("PRIVACY_SWEEP_INTERVAL_MINUTES", default=15)
if PRIVACY_SWEEP_INTERVAL_MINUTES not in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60):
    raise ImproperlyConfigured("PRIVACY_SWEEP_INTERVAL_MINUTES must divide an hour (e.g. 5, 10, 15, 30 or 60).")
# The one beat schedule of the platform; each app adds its periodic jobs here.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Every PRIVACY_SWEEP_INTERVAL_MINUTES: each sweep also handles what falls due
    # before the next, so an hour-based promise (STX-4, SMP-1) holds at any time of day.
    "privacy-retention-sweep": {
        "task": "privacy.retention_sweep",
        "schedule": crontab(minute=f"*/{PRIVACY_SWEEP_INTERVAL_MINUTES}"),
    },
    # SMP-9, ALB-3: erasures the owners asked for, within 48 hours (STX-4) even if a queued one was lost.
    "accounts-erase-requested": {
        "task": "accounts.erase_requested_accounts",
        "schedule": crontab(minute=f"*/{PRIVACY_SWEEP_INTERVAL_MINUTES}"),
    },
    # Data exports are downloadable for 7 days, then their files go.
    "privacy-remove-expired-exports": {"task": "privacy.remove_expired_exports", "schedule": crontab(minute=50)},
    # One notice, 30 days ahead, before the schedule ends an account or photos; sent in the morning.
    "privacy-retention-notices": {"task": "privacy.send_retention_notices", "schedule": crontab(hour=9, minute=30)},
    "sessions-clear-expired": {"task": "privacy.clear_expired_sessions", "schedule": crontab(hour=4, minute=0)},
    "privacy-close-unconfirmed-requests": {
        "task": "privacy.close_unconfirmed_requests",
        "schedule": crontab(hour=4, minute=20),
    },
    # Direct uploads whose token expired without a photo naming them.
    "photos-remove-abandoned-uploads": {"task": "photos.remove_abandoned_uploads", "schedule": crontab(minute=40)},
    # PIX-7: originals still carrying a location their owner does not (or no longer) consent to.
    "photos-strip-locations": {"task": "photos.strip_locations", "schedule": crontab(hour=3, minute=45)},
    # STX-7 service messages: carts left and orders unpaid for 24 hours, each reminded once.
    "orders-send-reminders": {"task": "orders.send_reminders", "schedule": crontab(minute=20)},
    # STX-7: a code left in a cart, reminded once within 3 days of its campaign's end.
    "promotions-send-code-reminders": {"task": "promotions.send_code_reminders", "schedule": crontab(minute=35)},
    # Unpaid orders end (and give their promo codes back): 7 days after placing, 48 hours after a failed payment.
    "orders-cancel-unpaid": {"task": "orders.cancel_unpaid", "schedule": crontab(minute="*/15")},
    # Tasks the broker could not take when they were written (photoshop.outbox).
    "outbox-relay": {"task": "photoshop.outbox_relay", "schedule": crontab()},
}
ORDERS_UNPAID_CANCEL_AFTER_HOURS = env.int("ORDERS_UNPAID_CANCEL_AFTER_HOURS", default=7 * 24)
ORDERS_FAILED_PAYMENT_CANCEL_AFTER_HOURS = env.int("ORDERS_FAILED_PAYMENT_CANCEL_AFTER_HOURS", default=48)

# Privacy engine: the retention preset in force (default, stampix, mystamp,
# smartphoto or pix), operator overrides, and what the policy page says.
# STX-5: the key of the hashes that keep deleted accounts' mobile numbers. Changing it
# makes the kept hashes unrecognisable; it defaults to the secret key.
PRIVACY_PHONE_HMAC_KEY = env.str("PRIVACY_PHONE_HMAC_KEY", default="") or SECRET_KEY
# How long before the schedule ends a person's account or photos they get one notice by e-mail.
PRIVACY_NOTICE_DAYS = env.int("PRIVACY_NOTICE_DAYS", default=30)
PRIVACY_RETENTION_PRESET = env.str("PRIVACY_RETENTION_PRESET", default="default")
PRIVACY_RETENTION_OVERRIDES: dict[str, dict] = env.json("PRIVACY_RETENTION_OVERRIDES", default={})
PRIVACY_RETENTION_EXTRA_RULES: list[dict] = env.json("PRIVACY_RETENTION_EXTRA_RULES", default=[])
PRIVACY_CONTROLLER = {
    "name": env.str("PRIVACY_CONTROLLER_NAME", default="Photoshop BV"),
    # The country is a code, so that each language's page names it in that language.
    "address": env.str("PRIVACY_CONTROLLER_ADDRESS", default="Grote Markt 1, 1000 Brussel"),
    "country": env.str("PRIVACY_CONTROLLER_COUNTRY", default="BE"),
    "company_number": env.str("PRIVACY_CONTROLLER_COMPANY_NUMBER", default="BE0403170701"),
    "email": env.str("PRIVACY_CONTROLLER_EMAIL", default="privacy@photoshop.example"),
    "dpo_email": env.str("PRIVACY_DPO_EMAIL", default="dpo@photoshop.example"),
}
# Processors and where they process (MYS-6); outside_eea marks a transfer.


def gettext_noop(message: str) -> str:
    """Mark a string for translation (makemessages) without touching Django's translation machinery.

    django.utils.translation.gettext_noop reads the settings, which are not
    loaded yet while this module runs.
    """
    return message


# Countries are codes: each language's page names them in its own language.
PRIVACY_PROCESSORS = env.json(
    "PRIVACY_PROCESSORS",
    default=[
        {
            "name": "Amazon Web Services EMEA SARL",
            "purpose": gettext_noop("hosting and photo storage"),
            "countries": ["IE"],
            "outside_eea": False,
            "safeguard": "",
        },
        {
            "name": "Stripe Payments Europe Ltd",
            "purpose": gettext_noop("online payments"),
            "countries": ["IE", "US"],
            "outside_eea": True,
            "safeguard": gettext_noop("EU-US Data Privacy Framework and standard contractual clauses"),
        },
        {
            "name": "Postmark (ActiveCampaign LLC)",
            "purpose": gettext_noop("sending e-mail"),
            "countries": ["US"],
            "outside_eea": True,
            "safeguard": gettext_noop("standard contractual clauses"),
        },
    ],
)
# Where customers may complain: the Belgian authority, and the Dutch one for
# customers in the Netherlands. Names and addresses are message ids, shown in
# each page's language.
PRIVACY_SUPERVISORY_AUTHORITIES = env.json(
    "PRIVACY_SUPERVISORY_AUTHORITIES",
    default=[
        {
            "name": gettext_noop("Data Protection Authority (Gegevensbeschermingsautoriteit, GBA)"),
            "address": gettext_noop("Drukpersstraat 35, 1000 Brussels"),
            "country": "BE",
            "url": "https://www.gegevensbeschermingsautoriteit.be",
            "audience": gettext_noop("customers in Belgium"),
        },
        {
            "name": gettext_noop("Dutch Data Protection Authority (Autoriteit Persoonsgegevens)"),
            "address": gettext_noop("Hoge Nieuwstraat 8, 2514 EL The Hague"),
            "country": "NL",
            "url": "https://www.autoriteitpersoonsgegevens.nl",
            "audience": gettext_noop("customers in the Netherlands"),
        },
    ],
)

# Photos: upload bounds, quota, print DPI limits (the print sizes are the shop's formats on sale), NSFW scanning.
PHOTOS_MAX_UPLOAD_BYTES = env.int("PHOTOS_MAX_UPLOAD_BYTES", default=40 * 1024 * 1024)
PHOTOS_MAX_PIXELS = env.int("PHOTOS_MAX_PIXELS", default=120_000_000)  # Pillow's bomb limit is set to this
PHOTOS_QUOTA_BYTES = env.int("PHOTOS_QUOTA_BYTES", default=5 * 1024**3)
# Visitors without an account: each new session would be a new owner with its own quota, so their
# uploads are bounded per client address (IPv6 per /64) in a rolling window, and in total.
PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS = env.int("PHOTOS_VISITOR_MAX_BYTES_PER_ADDRESS", default=1024**3)
PHOTOS_VISITOR_WINDOW_HOURS = env.int("PHOTOS_VISITOR_WINDOW_HOURS", default=24)
PHOTOS_VISITORS_TOTAL_BYTES = env.int("PHOTOS_VISITORS_TOTAL_BYTES", default=50 * 1024**3)
PHOTOS_WARN_DPI = 150  # below: the order flow warns
PHOTOS_MIN_DPI = 100  # below: the format is refused
PHOTOS_NSFW_SCANNER = env.str("PHOTOS_NSFW_SCANNER", default="photos.nsfw.NudeNetScanner")
PHOTOS_REKOGNITION_REGION = env.str("PHOTOS_REKOGNITION_REGION", default="eu-west-1")
# A flag holds the photo for review, never rejects it: a smooth synthetic gradient
# scored FEMALE_GENITALIA_EXPOSED 0.79 with nudenet here, hence thresholds above that.
PHOTOS_NSFW_THRESHOLDS = env.json(
    "PHOTOS_NSFW_THRESHOLDS",
    default={
        "FEMALE_GENITALIA_EXPOSED": 0.85,
        "MALE_GENITALIA_EXPOSED": 0.85,
        "FEMALE_BREAST_EXPOSED": 0.85,
        "ANUS_EXPOSED": 0.85,
        "BUTTOCKS_EXPOSED": 0.9,
        "Explicit Nudity": 0.8,
        "Explicit": 0.8,
        "Sexual Activity": 0.8,
        "Graphic Violence Or Gore": 0.8,
    },
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 200

# Security headers that hold everywhere (production.py adds HTTPS-only ones).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Payments (orders.payments): Stripe PaymentIntents with the Payment Element. Without a secret key the
# checkout says payments are unavailable. STRIPE_API_BASE points the SDK elsewhere (localstripe in tests).
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="orders.payments.StripeGateway")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
# The methods Belgian and Dutch shoppers use, passed explicitly as payment_method_types.
STRIPE_PAYMENT_METHOD_TYPES = env.list("STRIPE_PAYMENT_METHOD_TYPES", default=["card", "bancontact", "ideal"])
# Stripe signs each webhook with a timestamp; older deliveries are refused (replays).
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
STRIPE_JS_URL = "https://js.stripe.com/v3/"

# Statistics (optional): Google Analytics 4, loaded only after the visitor accepts statistics
# cookies (privacy.cookies; Consent Mode v2 signals from their choice). Unset: no analytics at all.
ANALYTICS_GA_MEASUREMENT_ID = env.str("ANALYTICS_GA_MEASUREMENT_ID", default="")
ANALYTICS_SCRIPT_URL = "https://www.googletagmanager.com/gtag/js"
_ANALYTICS_HOSTS = (
    ["https://www.googletagmanager.com", "https://*.google-analytics.com", "https://*.analytics.google.com"]
    if ANALYTICS_GA_MEASUREMENT_ID
    else []
)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, "https://js.stripe.com", *_ANALYTICS_HOSTS],
        "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_ANALYTICS_HOSTS, *env.list("CSP_IMG_SRC", default=[])],
        "font-src": [SELF],
        "connect-src": [SELF, "https://api.stripe.com", *_ANALYTICS_HOSTS, *env.list("CSP_CONNECT_SRC", default=[])],
        "form-action": [SELF, *environment.social_form_actions(SOCIALACCOUNT_PROVIDERS)],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
