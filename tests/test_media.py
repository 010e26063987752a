"""Media through Django's storages: only image renditions are served at MEDIA_URL from the
local disk (originals, documents, expert photos and guidebook PDFs never), documents only
through Wagtail's view, the guidebook PDF reads its images through the storage (so a
bucket works as well as the disk), and KX_MEDIA_S3_BUCKET switches to django-storages' S3
backend with private, signed, never-overwritten files."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from kx_platform.checks import media_storage_is_complete
from kx_platform.media_storage import default_storage_config, image_sources, media_problems
from practices.guidebook_content import build_content
from practices.guidebook_pdf import render_pdf
from tests.expert_factories import ExpertProfileFactory, image_bytes
from tests.factories import PracticeFactory
from tests.guidebook_factories import make_edition

ROOT = Path(__file__).resolve().parents[1]
IN_MEMORY = {
    "default": {
        "BACKEND": "django.core.files.storage.InMemoryStorage",
        # A bucket's kind of URL: absolute, on another host, with a signature-like query.
        "OPTIONS": {"base_url": "https://bucket.example.net/kx/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def wagtail_image(name="chart.png", size=(120, 80), color=(20, 120, 200)):
    return get_image_model().objects.create(
        title="A chart", file=ImageFile(io.BytesIO(image_bytes("PNG", size, color)), name=name)
    )


def body(response):
    return b"".join(response.streaming_content)


# --- the media view ------------------------------------------------------------------
@pytest.mark.django_db
def test_a_rendition_is_served_with_its_type_and_a_long_cache(client, settings):
    assert settings.DEBUG is False  # as in production
    image = wagtail_image()
    rendition = image.get_rendition("max-60x60|format-webp")
    assert rendition.url.startswith("/media/images/") and rendition.url.endswith(".webp")
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response["Cache-Control"]
    data = body(response)
    with rendition.file.open("rb") as stored:
        assert data == stored.read()
    assert client.head(rendition.url).status_code == 200
    assert client.post(rendition.url).status_code == 405
    again = client.get(rendition.url, headers={"if-modified-since": response["Last-Modified"]})
    assert again.status_code == 304


@pytest.mark.django_db
def test_the_page_shows_renditions_that_the_media_view_serves(client):
    image = wagtail_image()
    practice = PracticeFactory(
        title="Prison mentors with a chart",
        approach=[("image", {"image": image, "caption": "Results", "alt_text": "A chart"})],
    )
    html = client.get(practice.url).content.decode()
    tag = re.search(r'<img [^>]*alt="A chart"[^>]*>', html)[0]
    src = re.search(r'src="([^"]+)"', tag)[1]
    assert src.startswith("/media/images/")
    assert image.file.url not in html  # never the original
    assert client.get(src)["Content-Type"] == "image/webp"


@pytest.mark.django_db
def test_the_original_of_an_image_is_not_served(client):
    image = wagtail_image("private-original.png")
    assert image.file.name.startswith("original_images/")
    assert default_storage.exists(image.file.name)
    assert client.get(image.file.url).status_code == 404


@pytest.mark.django_db
def test_an_expert_photo_is_not_served_at_media_url_only_through_its_view(client, member):
    profile = ExpertProfileFactory(visibility={"photo": "members"})
    profile.photo.save("me.png", ContentFile(image_bytes()), save=True)
    assert default_storage.exists(profile.photo.name)
    assert client.get(f"/media/{profile.photo.name}").status_code == 404
    assert client.get(f"/en/experts/{profile.pk}/photo/").status_code == 404  # members only
    client.force_login(member)
    assert client.get(f"/media/{profile.photo.name}").status_code == 404
    assert client.get(f"/en/experts/{profile.pk}/photo/").status_code == 200


@pytest.mark.django_db
def test_documents_and_guidebook_pdfs_are_not_served_at_media_url(client):
    document = get_document_model().objects.create(
        title="Report", file=ContentFile(b"%PDF-1.4 report", name="report.pdf")
    )
    assert document.file.name.startswith("documents/")
    assert client.get(f"/media/{document.file.name}").status_code == 404
    name = default_storage.save("guidebook/draft-1-en-abc-v2.pdf", ContentFile(b"%PDF-1.4"))
    assert client.get(f"/media/{name}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/media/images/../original_images/{original}",
        "/media/images/%2e%2e/original_images/{original}",
        "/media/images/..%2foriginal_images%2f{original}",
        "/media/images/%2e%2e%2foriginal_images%2f{original}",
        "/media/images//{original}",
        "/media/images/./{rendition}",
        "/media/images\\{rendition}",
        "/media/./images/{rendition}",
        "/media//etc/passwd",
        "/media/images/{rendition}/",
        "/media/images/drawing.svg",
        "/media/images/missing.webp",
    ],
)
def test_traversal_odd_names_and_other_types_are_refused(client, path):
    image = wagtail_image()
    rendition = image.get_rendition("max-60x60|format-webp")
    default_storage.save("images/drawing.svg", ContentFile(b"<svg onload='alert(1)'/>"))
    url = path.format(
        original=image.file.name.rsplit("/", 1)[1], rendition=rendition.file.name.split("/")[1]
    )
    response = client.get(url, follow=True)
    assert response.status_code == 404
    assert not response.get("Content-Type", "").startswith("image/")


@pytest.mark.django_db
def test_a_directory_is_not_listed(client):
    wagtail_image().get_rendition("max-60x60")
    assert client.get("/media/images/", follow=True).status_code == 404
    assert client.get("/media/", follow=True).status_code == 404


# --- documents: Wagtail's view only ----------------------------------------------------
@pytest.mark.django_db
def test_documents_link_to_wagtails_view_which_sends_them_safely(client):
    Document = get_document_model()
    pdf = Document.objects.create(title="Report", file=ContentFile(b"%PDF-1.4", name="r.pdf"))
    text = Document.objects.create(title="Notes", file=ContentFile(b"<b>hi</b>", name="n.txt"))
    assert pdf.url == f"/documents/{pdf.pk}/r.pdf"  # never /media/documents/...
    response = client.get(pdf.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    response = client.get(text.url)
    assert response["Content-Disposition"].startswith("attachment")  # only PDFs inline
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_document_of_a_private_collection_needs_a_sign_in(client, member):
    root = Collection.get_first_root_node()
    private = root.add_child(name="Internal reports")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = get_document_model().objects.create(
        title="Internal", collection=private, file=ContentFile(b"%PDF-1.4 x", name="internal.pdf")
    )
    response = client.get(document.url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(f"/media/{document.file.name}").status_code == 404
    client.force_login(member)
    assert body(client.get(document.url)) == b"%PDF-1.4 x"


# --- the guidebook PDF reads images through the storage --------------------------------
def pdf_images(data):
    """The distinct images of a PDF (WeasyPrint's pages share one resource dictionary)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return list({image.data: image for page in reader.pages for image in page.images}.values())


@pytest.mark.django_db
def test_the_pdf_embeds_an_image_read_from_a_storage_that_is_not_the_disk(settings):
    settings.STORAGES = IN_MEMORY
    settings.MEDIA_ROOT = "/nonexistent-kx-media"  # nothing may be read from a disk
    image = wagtail_image(size=(300, 200), color=(250, 180, 0))
    practice = PracticeFactory(
        title="Prison mentors with a chart",
        approach=[("image", {"image": image, "caption": "Results", "alt_text": "A chart"})],
    )
    edition = make_edition([("Conditions", [practice])], publish=False)
    content = build_content(edition)
    html = json.dumps(content)
    assert "https://bucket.example.net/kx/images/" in html  # the storage's own URL
    assert not Path(settings.MEDIA_ROOT).exists()

    images = pdf_images(render_pdf(content))
    assert len(images) == 1
    embedded = images[0].image
    assert embedded.size == (300, 200)
    assert embedded.convert("RGB").getpixel((150, 100)) == pytest.approx((250, 180, 0), abs=8)


@pytest.mark.django_db
def test_the_pdf_leaves_out_originals_photos_and_other_sites(settings):
    settings.STORAGES = IN_MEMORY
    image = wagtail_image()
    photo = default_storage.save("experts/photos/abc.png", ContentFile(image_bytes()))
    sources = [
        default_storage.url(image.file.name),  # an original
        default_storage.url(photo),
        f"/media/{photo}",
        "https://bucket.example.net/kx/images/../experts/photos/abc.png",
        "https://example.org/tracker.png",
        "file:///etc/passwd",
    ]
    practice = PracticeFactory(
        title="Practice with foreign images",
        challenge="".join(f'<p>x<img src="{src}" alt=""></p>' for src in sources),
    )
    edition = make_edition([("Conditions", [practice])], publish=False)
    content = build_content(edition)
    html = json.dumps(content)
    assert all(src in html for src in sources)  # they reach the PDF's HTML...
    assert pdf_images(render_pdf(content)) == []  # ...and none is fetched


@pytest.mark.django_db
def test_the_pdf_embeds_a_rendition_from_the_local_disk_too():
    image = wagtail_image(size=(90, 90))
    practice = PracticeFactory(
        title="Prison mentors with a chart",
        approach=[("image", {"image": image, "caption": "", "alt_text": "A chart"})],
    )
    edition = make_edition([("Conditions", [practice])], publish=False)
    assert len(pdf_images(render_pdf(build_content(edition)))) == 1


# --- S3 by settings --------------------------------------------------------------------
S3_ENV = {
    "KX_MEDIA_S3_BUCKET": "kx-media",
    "KX_MEDIA_S3_ENDPOINT_URL": "http://minio.internal:9000",
    "KX_MEDIA_S3_REGION": "eu-west-3",
    "KX_MEDIA_S3_ACCESS_KEY_ID": "minio-access",
    "KX_MEDIA_S3_SECRET_ACCESS_KEY": "minio-secret",
    "KX_MEDIA_S3_ADDRESSING_STYLE": "path",
}


def test_local_disk_is_the_default():
    assert default_storage_config({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert image_sources(default_storage_config({})) == []
    assert media_problems({}) == []


def test_a_bucket_gives_the_s3_storage_private_signed_and_never_overwritten():
    config = default_storage_config(S3_ENV)
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert config["OPTIONS"] == {
        "bucket_name": "kx-media",
        "endpoint_url": "http://minio.internal:9000",
        "region_name": "eu-west-3",
        "access_key": "minio-access",
        "secret_key": "minio-secret",
        "addressing_style": "path",
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": 3600,
        "location": "",
    }
    assert "http://minio.internal:9000" in image_sources(config)
    assert media_problems(S3_ENV) == []

    from storages.backends.s3 import S3Storage

    storage = S3Storage(**config["OPTIONS"])  # signing a URL needs no network
    url = storage.url("images/chart.max-960x720.format-webp.webp")
    assert url.startswith("http://minio.internal:9000/kx-media/images/chart.max-960x720")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=3600" in url


def test_production_settings_switch_to_the_bucket_from_the_environment(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KX_MEDIA_S3_")},
        "DJANGO_SETTINGS_MODULE": "kx_platform.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "kx.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'never-opened.sqlite3'}",
        "EMAIL_HOST": "smtp.example.org",
        "DEFAULT_FROM_EMAIL": "KX <kx@example.org>",
        "KX_BASE_URL": "https://kx.example.org",
        **S3_ENV,
        "KX_MEDIA_S3_CUSTOM_DOMAIN": "media.kx.example.org",
    }
    script = """
import json
import django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import Resolver404, resolve
url = default_storage.url("images/a.webp")
try:
    mounted = resolve("/media/images/a.webp").url_name
except Resolver404:
    mounted = None
print(json.dumps({
    "storage": settings.STORAGES["default"],
    "class": type(default_storage._wrapped).__name__,
    "img": settings.SECURE_CSP["img-src"],
    "docs": settings.WAGTAILDOCS_SERVE_METHOD,
    "url": url,
    "mounted": mounted,
}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert result["storage"]["OPTIONS"]["bucket_name"] == "kx-media"
    assert result["storage"]["OPTIONS"]["default_acl"] == "private"
    assert result["class"] == "S3Storage"
    assert "https://media.kx.example.org" in result["img"]
    assert result["docs"] == "serve_view"
    assert result["url"] == "https://media.kx.example.org/images/a.webp"
    assert result["mounted"] is None  # no media view: the bucket's URLs are used


@pytest.mark.parametrize(
    "env, check_id, words",
    [
        ({"KX_MEDIA_S3_ENDPOINT_URL": "http://minio:9000"}, "kx.E010", "KX_MEDIA_S3_BUCKET"),
        (
            {"KX_MEDIA_S3_BUCKET": "kx", "KX_MEDIA_S3_ACCESS_KEY_ID": "a"},
            "kx.E011",
            "KX_MEDIA_S3_SECRET_ACCESS_KEY",
        ),
        ({"KX_MEDIA_S3_BUCKET": "kx"}, "kx.E012", "no credentials"),
        (
            {**S3_ENV, "KX_MEDIA_S3_ENDPOINT_URL": "minio:9000"},
            "kx.E013",
            "KX_MEDIA_S3_ENDPOINT_URL",
        ),
        ({**S3_ENV, "KX_MEDIA_S3_QUERYSTRING_EXPIRE": "1h"}, "kx.E014", "number of seconds"),
        ({**S3_ENV, "KX_MEDIA_S3_QUERYSTRING_AUTH": "false"}, "kx.W010", "not signed"),
    ],
    ids=["no-bucket", "half-keys", "no-credentials", "endpoint", "expire", "unsigned"],
)
def test_a_half_made_bucket_configuration_is_reported(env, check_id, words):
    problems = media_problems(env)
    assert [p[0] for p in problems] == [check_id]
    assert words in problems[0][1]


def test_credentials_may_come_from_a_role_instead_of_keys():
    assert media_problems({"KX_MEDIA_S3_BUCKET": "kx", "KX_MEDIA_S3_USE_ROLE": "true"}) == []
    web_identity = {"AWS_ROLE_ARN": "arn:aws:iam::1:role/kx", "AWS_WEB_IDENTITY_TOKEN_FILE": "/t"}
    assert media_problems({"KX_MEDIA_S3_BUCKET": "kx", **web_identity}) == []
    aws_keys = {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}
    assert media_problems({"KX_MEDIA_S3_BUCKET": "kx", **aws_keys}) == []


@pytest.mark.django_db
def test_manage_py_check_stops_on_a_bucket_without_credentials(monkeypatch, settings, tmp_path):
    for name in list(os.environ):
        if name.startswith(("KX_MEDIA_S3_", "AWS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws/credentials
    monkeypatch.setenv("KX_MEDIA_S3_BUCKET", "kx-media")
    errors = media_storage_is_complete(None)
    assert [e.id for e in errors] == ["kx.E012"]
    assert "KX_MEDIA_S3_ACCESS_KEY_ID" in errors[0].hint
    settings.SILENCED_SYSTEM_CHECKS = ["kx.E002"]
    with pytest.raises(SystemCheckError, match="kx.E012"):
        call_command("check")
