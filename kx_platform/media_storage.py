"""Where uploaded media live: the local disk (MEDIA_ROOT) by default, or a bucket of S3 or
of an S3-compatible server (MinIO, Ceph, Garage...) through django-storages when
KX_MEDIA_S3_BUCKET is set, so that several hosts share the same files.

Read by the settings (`default_storage_config`), so nothing here touches Django's settings
at import time. The bucket is private: every object is written with the "private" ACL,
never overwritten (a second upload of the same name gets a new name), and its URLs are
signed and expire (querystring auth), so that a file's address alone does not open it to
anyone who learns it. Documents and expert photos are served by views that check who asks
(Wagtail's document view, experts.views.profile_photo), whatever the storage.

Environment (only KX_MEDIA_S3_BUCKET is required to switch):

    KX_MEDIA_S3_BUCKET              the bucket
    KX_MEDIA_S3_ENDPOINT_URL        an S3-compatible server, e.g. http://minio:9000
    KX_MEDIA_S3_REGION              the region (e.g. eu-west-3)
    KX_MEDIA_S3_ACCESS_KEY_ID       credentials; without them, boto3's own chain
    KX_MEDIA_S3_SECRET_ACCESS_KEY   (AWS_ACCESS_KEY_ID..., a profile, a web identity role)
    KX_MEDIA_S3_USE_ROLE            "true": credentials come from the machine's role
                                    (an EC2 instance profile), which the checks cannot see
    KX_MEDIA_S3_LOCATION            a prefix inside the bucket (e.g. "kx/media")
    KX_MEDIA_S3_CUSTOM_DOMAIN       a CDN's domain: its URLs are NOT signed (a warning says so)
    KX_MEDIA_S3_QUERYSTRING_AUTH    "false" to give unsigned URLs (a warning says so)
    KX_MEDIA_S3_QUERYSTRING_EXPIRE  lifetime of a signed URL in seconds (default 3600)
    KX_MEDIA_S3_ADDRESSING_STYLE    "path" for servers without virtual-host buckets (MinIO)
    KX_MEDIA_S3_SIGNATURE_VERSION   e.g. "s3v4"

The system checks of kx_platform.checks refuse a half-made configuration (media_problems).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

S3_BACKEND = "storages.backends.s3.S3Storage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
PREFIX = "KX_MEDIA_S3_"

# Environment variables that show boto3 where credentials come from, besides keys.
ROLE_VARIABLES = (
    ("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"),  # a web identity role (EKS, IRSA)
    ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",),  # an ECS task role
    ("AWS_CONTAINER_CREDENTIALS_FULL_URI",),
    ("AWS_PROFILE",),
    ("AWS_S3_SESSION_PROFILE",),
)


def _flag(value, default):
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def _get(environ, name):
    return environ.get(PREFIX + name, "").strip()


def default_storage_config(environ=None):
    """STORAGES["default"] for this environment: local files unless a bucket is named."""
    environ = os.environ if environ is None else environ
    bucket = _get(environ, "BUCKET")
    if not bucket:
        return {"BACKEND": LOCAL_BACKEND}
    expire = _get(environ, "QUERYSTRING_EXPIRE")  # a malformed value: media_problems says so
    options = {
        "bucket_name": bucket,
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": _flag(environ.get(PREFIX + "QUERYSTRING_AUTH"), True),
        "querystring_expire": int(expire) if expire.isdigit() else 3600,
        "location": _get(environ, "LOCATION").strip("/"),
    }
    optional = {
        "endpoint_url": "ENDPOINT_URL",
        "region_name": "REGION",
        "access_key": "ACCESS_KEY_ID",
        "secret_key": "SECRET_ACCESS_KEY",
        "custom_domain": "CUSTOM_DOMAIN",
        "addressing_style": "ADDRESSING_STYLE",
        "signature_version": "SIGNATURE_VERSION",
    }
    for option, name in optional.items():
        if value := _get(environ, name):
            options[option] = value
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def uses_s3(storages):
    return storages["default"]["BACKEND"] == S3_BACKEND


def _has_credentials(environ):
    if _get(environ, "ACCESS_KEY_ID") and _get(environ, "SECRET_ACCESS_KEY"):
        return True
    if environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY"):
        return True
    if environ.get("AWS_S3_ACCESS_KEY_ID") and environ.get("AWS_S3_SECRET_ACCESS_KEY"):
        return True
    if _flag(environ.get(PREFIX + "USE_ROLE"), False):
        return True
    if any(all(environ.get(name) for name in group) for group in ROLE_VARIABLES):
        return True
    shared = environ.get("AWS_SHARED_CREDENTIALS_FILE")
    if not shared and environ.get("HOME"):
        shared = Path(environ["HOME"]) / ".aws" / "credentials"
    return bool(shared) and Path(shared).is_file()


def media_problems(environ=None):
    """What is wrong with the media storage's environment: [(check id, message, hint)],
    errors kx.E01x and warnings kx.W01x. Read by the system checks (kx_platform.checks)."""
    environ = os.environ if environ is None else environ
    problems = []
    named = sorted(
        name
        for name, value in environ.items()
        if name.startswith(PREFIX) and name != PREFIX + "BUCKET" and value.strip()
    )
    if not _get(environ, "BUCKET"):
        if named:
            problems.append(
                (
                    "kx.E010",
                    f"{', '.join(named)} set but KX_MEDIA_S3_BUCKET is not: media would stay "
                    "on the local disk, which the other hosts do not see.",
                    "Set KX_MEDIA_S3_BUCKET to the bucket's name, or unset the other "
                    "KX_MEDIA_S3_ variables to keep media on the local disk.",
                )
            )
        return problems
    key, secret = _get(environ, "ACCESS_KEY_ID"), _get(environ, "SECRET_ACCESS_KEY")
    if bool(key) != bool(secret):
        missing = "KX_MEDIA_S3_SECRET_ACCESS_KEY" if key else "KX_MEDIA_S3_ACCESS_KEY_ID"
        problems.append(
            (
                "kx.E011",
                f"{missing} is not set: the media bucket's credentials are incomplete.",
                "Set both KX_MEDIA_S3_ACCESS_KEY_ID and KX_MEDIA_S3_SECRET_ACCESS_KEY.",
            )
        )
    elif not _has_credentials(environ):
        problems.append(
            (
                "kx.E012",
                "KX_MEDIA_S3_BUCKET is set but no credentials for it are: every upload and "
                "every signed media URL would fail.",
                "Set KX_MEDIA_S3_ACCESS_KEY_ID and KX_MEDIA_S3_SECRET_ACCESS_KEY (or boto3's "
                "AWS_ variables, a profile, a web identity role), or KX_MEDIA_S3_USE_ROLE=true "
                "when the machine's role grants access to the bucket.",
            )
        )
    endpoint = _get(environ, "ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(
                (
                    "kx.E013",
                    f"KX_MEDIA_S3_ENDPOINT_URL is not an http(s) address: {endpoint!r}.",
                    "Give the server's address with its scheme, e.g. https://s3.example.org.",
                )
            )
    if _get(environ, "QUERYSTRING_EXPIRE") and not _get(environ, "QUERYSTRING_EXPIRE").isdigit():
        problems.append(
            (
                "kx.E014",
                "KX_MEDIA_S3_QUERYSTRING_EXPIRE is not a number of seconds.",
                "Set it to e.g. 3600, or unset it.",
            )
        )
    unsigned = []
    if _get(environ, "CUSTOM_DOMAIN"):
        unsigned.append("KX_MEDIA_S3_CUSTOM_DOMAIN")
    if not _flag(environ.get(PREFIX + "QUERYSTRING_AUTH"), True):
        unsigned.append("KX_MEDIA_S3_QUERYSTRING_AUTH=false")
    if unsigned:
        problems.append(
            (
                "kx.W010",
                f"With {' and '.join(unsigned)} media URLs are not signed: anyone who learns "
                "the address of a file in the bucket can read it.",
                "Keep signed URLs, or make sure the domain serves only public files (image "
                "renditions under images/), never documents/, experts/ or original_images/.",
            )
        )
    return problems


def image_sources(config):
    """The origins the site's pages load media images from, for the CSP's img-src: none
    besides the site's own with local storage; the bucket's (or its CDN's) with S3."""
    if config["BACKEND"] != S3_BACKEND:
        return []
    options = config["OPTIONS"]
    if domain := options.get("custom_domain"):
        return [f"https://{domain}"]
    bucket = options["bucket_name"]
    if endpoint := options.get("endpoint_url"):
        parts = urlsplit(endpoint)
        # Path style (endpoint/bucket/name) or virtual-host style (bucket.endpoint/name).
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{bucket}.{parts.netloc}"]
    sources = [f"https://{bucket}.s3.amazonaws.com"]
    if region := options.get("region_name"):
        sources.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return sources
