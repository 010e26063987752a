"""Forms and figures in the reader's conventions (issue 11, item 13): countries sorted by
their localised names, money, dates, currency and language names from Babel, the empty
choice of a select translated. kx_platform.formatting and the kx_format tag library."""

import datetime
import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.template import Context, Template
from django.utils import translation

from experts.exchange_forms import ExchangeRequestForm
from experts.exchanges import create_request, transition
from experts.forms import ExpertProfileForm, LanguageForm
from experts.models import ExchangeRecord
from kx_platform.formatting import (
    EMPTY_CHOICE_LABEL,
    collation_key,
    country_choices,
    currency_name,
    format_date,
    format_date_range,
    format_money,
    language_name,
)
from kx_platform.models import Country, Pillar
from tests.conftest import signed_in
from tests.expert_factories import ExpertProfileFactory
from tests.factories import UserFactory

LANGUAGES = ["ar", "fr", "es", "en"]


def ExchangeRecordAdminForm(**kwargs):  # noqa: N802 - stands for the admin's form class
    """The moderators' record form as the admin builds it (experts.wagtail_hooks)."""
    from experts.wagtail_hooks import ExchangeRecordViewSet

    form_class = ExchangeRecordViewSet.edit_handler.bind_to_model(ExchangeRecord).get_form_class()
    return form_class(for_user=UserFactory(is_superuser=True), **kwargs)


# Normalise the spaces and direction marks CLDR puts around figures.
SPACES = re.compile("[\u00a0\u202f\u200f\u200e]")


def plain(text):
    return SPACES.sub(" ", text)


def options(select):
    return [(o.get("value", ""), o.get_text(strip=True)) for o in select.find_all("option")]


# --- sorting names --------------------------------------------------------------------
def test_accented_names_sort_with_their_letter_and_spanish_n_tilde_after_n():
    assert sorted(["Espagne", "Égypte", "Danemark", "Zambie"], key=collation_key) == [
        "Danemark",
        "Égypte",
        "Espagne",
        "Zambie",
    ]
    words = ["oso", "ñandú", "nube"]
    assert sorted(words, key=lambda w: collation_key(w, "es")) == ["nube", "ñandú", "oso"]
    assert sorted(words, key=lambda w: collation_key(w, "fr")) == ["ñandú", "nube", "oso"]


def test_arabic_names_sort_by_their_letters_whatever_the_hamza():
    # Ethiopia (ا), Azerbaijan (أ), Armenia (أ), Aruba (آ), Eritrea (إ): by the letters that
    # follow the alef, not by the alef's code point (أ and آ would all come first).
    with translation.override("ar"):
        codes = [code for code, _name in country_choices(empty=False)]
    assert codes.index("ET") < codes.index("AZ") < codes.index("AM") < codes.index("ER")


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_country_select_is_sorted_by_the_readers_names(language):
    with translation.override(language):
        forms = {
            "expert profile": ExpertProfileForm()["country"],
            "exchange request": ExchangeRequestForm()["requesting_country"],
        }
        for where, field in forms.items():
            select = BeautifulSoup(str(field), "html.parser").select_one("select")
            named = [(value, label) for value, label in options(select) if value]
            assert len(named) >= 240, where
            labels = [label for _value, label in named]
            assert labels == sorted(labels, key=lambda n: collation_key(n, language)), where
            assert (
                dict(named)["FR"]
                == {
                    "ar": "فرنسا",
                    "fr": "France",
                    "es": "Francia",
                    "en": "France",
                }[language]
            )
    if language == "fr":
        position = {label: i for i, label in enumerate(labels)}
        assert position["Danemark"] < position["Égypte"] < position["Espagne"]


@pytest.mark.django_db
def test_practice_facets_break_ties_by_the_readers_names(client):
    from tests.factories import PracticeFactory

    for code in ("EG", "ES", "DK"):
        PracticeFactory(countries=[code])
    html = client.get("/fr/practices/").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    labels = [
        label.get_text(" ", strip=True).rsplit(" (", 1)[0]
        for label in soup.select(
            "label[for$='-country-EG'], label[for$='-country-ES'], label[for$='-country-DK']"
        )
    ]
    assert labels[:3] == ["Danemark", "Égypte", "Espagne"]


# --- money, dates, names ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€12,500.50"), ("fr", "12 500,50 €"), ("es", "12.500,50 €"), ("ar", "12,500.50 €")],
)
def test_money_is_written_as_the_reader_writes_it(language, expected):
    assert plain(format_money(Decimal("12500.50"), "EUR", language)).strip() == expected
    with translation.override(language):
        rendered = Template("{% load kx_format %}{{ value|money:'EUR' }}").render(
            Context({"value": Decimal("12500.50")})
        )
    assert plain(rendered).strip() == expected


@pytest.mark.parametrize(
    ("language", "single", "span"),
    [
        ("en", "March 1, 2024", "Mar 1 – 10, 2024"),
        ("fr", "1 mars 2024", "1–10 mars 2024"),
        ("es", "1 de marzo de 2024", "1–10 mar 2024"),
        ("ar", "1 مارس 2024", "1–10 مارس 2024"),
    ],
)
def test_dates_are_written_as_the_reader_writes_them(language, single, span):
    start, end = datetime.date(2024, 3, 1), datetime.date(2024, 3, 10)
    assert plain(format_date(start, language=language)) == single
    assert plain(format_date_range(start, end, language)).replace("\u2009", " ") in {
        span,
        span.replace("–", " – "),
    }


@pytest.mark.parametrize(
    ("language", "euro", "arabic"),
    [
        ("en", "Euro", "Arabic"),
        ("fr", "euro", "arabe"),
        ("es", "euro", "árabe"),
        ("ar", "يورو", "العربية"),
    ],
)
def test_currency_and_language_names_are_in_the_readers_language(language, euro, arabic):
    assert currency_name("EUR", language) == euro
    assert language_name("ar", language) == arabic


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_currency_select_names_currencies_in_the_readers_language(language):
    with translation.override(language):
        select = BeautifulSoup(
            str(ExchangeRecordAdminForm()["currency"]), "html.parser"
        ).select_one("select")
        choices = dict(options(select))
        assert choices["EUR"] == f"{currency_name('EUR')} (EUR)"
        assert choices[""] == str(EMPTY_CHOICE_LABEL)
        labels = [label for value, label in options(select) if value]
        assert labels == sorted(labels, key=lambda n: collation_key(n, language))
    assert {"fr": "franc CFA (BCEAO) (XOF)", "ar": "فرنك غرب أفريقي (XOF)"}.get(
        language, choices["XOF"]
    ) == choices["XOF"]


@pytest.mark.django_db
def test_the_currency_select_still_refuses_an_unknown_code():
    form = ExchangeRecordAdminForm(data={"currency": "QQQ", "value": "100"})
    form.is_valid()
    assert "Unknown currency" in str(form.errors.get("currency", ""))


# --- the empty choice -------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_public_form_offers_an_untranslated_empty_choice(language):
    with translation.override(language):
        expected = str(EMPTY_CHOICE_LABEL)
        rendered = {
            "expert profile": str(ExpertProfileForm().as_div()),
            "spoken language": str(LanguageForm().as_div()),
            "exchange request": str(ExchangeRequestForm().as_div()),
        }
    for where, html in rendered.items():
        assert "---------" not in html, where
        empty = [
            o.get_text(strip=True)
            for o in BeautifulSoup(html, "html.parser").select("option")
            if o.get("value", "") == ""
        ]
        assert empty and set(empty) == {expected}, where
    if language == "fr":  # Wagtail's French, until the platform's catalogue has its own
        assert expected != "- Select an option -"


@pytest.mark.django_db
def test_the_apply_page_has_no_dashes_for_an_empty_choice():
    client = signed_in(UserFactory(username="applicant"))
    for language in LANGUAGES:
        html = client.get(f"/{language}/experts/apply/").content.decode()
        assert "---------" not in html, language


# --- pages ------------------------------------------------------------------------------
@pytest.fixture
def completed(db):
    profile = ExpertProfileFactory()
    requester = UserFactory(username="requester")
    request = create_request(
        requester,
        profile,
        topic="Prison dialogue",
        support_kind="training",
        requesting_country=Country.objects.get(code="JO"),
        language="ar",
        start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2024, 3, 10),
        message="A training course.",
    )
    transition(request, profile.user, "accepted", share_email=True)
    transition(request, requester, "completed")
    record = ExchangeRecord.objects.get()
    record.value, record.currency = Decimal("12500.50"), "EUR"
    record.pillar = Pillar.objects.get(number=1)
    record.save()
    return {"request": request, "record": record, "requester": requester}


@pytest.mark.parametrize(
    ("language", "money", "language_shown"),
    [
        ("en", "€12,500.50", "Arabic"),
        ("fr", "12 500,50 €", "arabe"),
        ("es", "12.500,50 €", "árabe"),
        ("ar", "12,500.50 €", "العربية"),
    ],
)
def test_record_and_request_pages_use_the_readers_conventions(
    completed, language, money, language_shown
):
    client = signed_in(completed["requester"])
    record_page = client.get(f"/{language}/exchanges/records/{completed['record'].pk}/")
    assert record_page.status_code == 200
    text = plain(BeautifulSoup(record_page.content, "html.parser").get_text(" "))
    assert money in text
    assert currency_name("EUR", language) in text
    assert (
        plain(format_date_range(datetime.date(2024, 3, 1), datetime.date(2024, 3, 10), language))
        in text
    )

    request_page = client.get(f"/{language}/experts/requests/{completed['request'].pk}/")
    assert request_page.status_code == 200
    soup = BeautifulSoup(request_page.content, "html.parser")
    shown = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
        for dt in soup.select("dl dt")
    }
    with translation.override(language):
        label = translation.gettext("Preferred language")
    assert shown[label] == language_shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dashboard_writes_reported_values_in_the_readers_conventions(
    client, completed, language
):
    html = client.get(f"/{language}/exchanges/dashboard/").content.decode()
    text = plain(BeautifulSoup(html, "html.parser").get_text(" "))
    assert plain(format_money(Decimal("12500.50"), "EUR", language)) in text
    assert f"{currency_name('EUR', language)} (EUR)" in text
