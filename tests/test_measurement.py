"""Measuring South-South exchanges (SDG 17.3.1): records, their confirmation by the
recipient side, the public dashboard of aggregates and its exports, the moderators'
record-level export, and where a practice was adapted or replicated."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from experts.exchange_records import review
from experts.exchanges import create_request, transition
from experts.measurement import bar_chart, dashboard, parse_filters
from experts.models import ExchangeRecord, ExchangeRecordReview
from kx_platform.models import Country, Pillar, Theme
from tests.conftest import signed_in
from tests.expert_factories import ExpertProfileFactory
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/en/exchanges/dashboard/"


def make_record(provider="KE", recipient="JO", **fields):
    values = {
        "provider_country": Country.objects.get(code=provider),
        "recipient_country": Country.objects.get(code=recipient),
        "support_kind": "knowledge_sharing",
        "modality": "bilateral",
        "pillar": Pillar.objects.get(number=1),
        "start_date": datetime.date(2025, 3, 1),
        "end_date": datetime.date(2025, 3, 10),
    }
    values.update(fields)
    record = ExchangeRecord(**values)
    record.full_clean()
    record.save()
    return record


def errors_of(**fields):
    values = {
        "provider_country_id": "KE",
        "recipient_country_id": "JO",
        "support_kind": "knowledge_sharing",
        "start_date": datetime.date(2025, 3, 1),
        "end_date": datetime.date(2025, 3, 10),
    }
    values.update(fields)
    with pytest.raises(ValidationError) as caught:
        ExchangeRecord(**values).full_clean()
    return caught.value.message_dict


# --- Bad input, at the model ----------------------------------------------------------------


def test_a_record_with_an_unknown_country_is_rejected():
    assert "Unknown country code: XX." in errors_of(provider_country_id="XX")["provider_country"]
    assert "recipient_country" in errors_of(recipient_country_id="ZZ")


def test_the_recipient_must_differ_from_the_provider():
    errors = errors_of(recipient_country_id="KE")
    assert errors["recipient_country"] == [
        "The recipient country must differ from the provider country."
    ]


def test_the_end_cannot_come_before_the_start():
    errors = errors_of(end_date=datetime.date(2025, 2, 1))
    assert errors["end_date"] == ["The end date cannot be before the start date."]


def test_a_negative_value_is_rejected():
    assert errors_of(value=Decimal("-5"), currency="USD")["value"] == [
        "The value cannot be negative."
    ]


def test_a_value_that_is_not_a_number_is_rejected():
    assert "value" in errors_of(value="ten thousand", currency="USD")


def test_a_value_needs_a_known_currency():
    assert errors_of(value=Decimal("100"))["currency"] == [
        "Give the currency of the value (an ISO 4217 code)."
    ]
    assert errors_of(value=Decimal("100"), currency="ABC")["currency"] == [
        "Unknown currency “ABC”: use an ISO 4217 code such as USD."
    ]
    assert errors_of(currency="USD")["value"] == ["Give the value, or leave the currency empty."]


def test_a_practice_use_needs_a_practice():
    assert "practice" in errors_of(practice_use="adapted")


def test_the_database_refuses_a_value_without_currency():
    make_record()
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRecord.objects.update(value=Decimal("10"), currency="")


def test_a_valid_record_with_value_themes_and_practice():
    practice = PracticeFactory()
    record = make_record(
        value=Decimal("25000.50"), currency="XOF", practice=practice, practice_use="adapted"
    )
    record.themes.set([Theme.objects.create(name="Prison deradicalisation")])
    assert record.status == "pending" and record.is_counted


# --- Bad input, in the moderators' admin form --------------------------------------------


def admin_form(**overrides):
    data = {
        "provider_country": "KE",
        "recipient_country": "JO",
        "modality": "bilateral",
        "support_kind": "technical_cooperation",
        "pillar": "",
        "start_date": "2025-03-01",
        "end_date": "2025-03-10",
        "value": "",
        "currency": "",
        "practice": "",
        "practice_use": "",
        "expert": "",
    }
    data.update(overrides)
    return data


ADD_URL = "/admin/snippets/experts/exchangerecord/add/"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"recipient_country": "KE"}, "The recipient country must differ"),
        ({"recipient_country": "XX"}, "Select a valid choice"),
        ({"end_date": "2025-02-01"}, "The end date cannot be before the start date."),
        ({"value": "-3", "currency": "USD"}, "The value cannot be negative."),
        ({"value": "lots", "currency": "USD"}, "Enter a number."),
        ({"value": "100", "currency": ""}, "Give the currency of the value"),
        ({"value": "100", "currency": "QQQ"}, "Unknown currency “QQQ”"),
    ],
)
def test_the_admin_form_redisplays_bad_input_with_a_message(moderator_client, overrides, message):
    response = moderator_client.post(ADD_URL, admin_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExchangeRecord.objects.exists()


def test_moderators_enter_a_record_in_the_admin(moderator_client):
    response = moderator_client.post(ADD_URL, admin_form(value="1200", currency="usd"))
    assert response.status_code == 302, response.content.decode()[:3000]
    record = ExchangeRecord.objects.get()
    assert (record.value, record.currency, record.status) == (Decimal("1200"), "USD", "pending")


# --- Confirmation by the recipient side -------------------------------------------------------


@pytest.fixture
def completed(db):
    """A completed request from a Jordanian member to a Kenyan expert, and its record."""
    requester = UserFactory(username="amman")
    profile = ExpertProfileFactory()
    req = create_request(
        requester,
        profile,
        topic="Prison reintegration",
        support_kind="training",
        requesting_country=Country.objects.get(code="JO"),
        language="en",
        message="A training course.",
    )
    transition(req, profile.user, "accepted", share_email=True)
    transition(req, requester, "completed")
    return {"requester": requester, "profile": profile, "record": ExchangeRecord.objects.get()}


def test_the_requester_confirms_the_record(completed):
    record, requester = completed["record"], completed["requester"]
    client = signed_in(requester)
    url = f"/en/exchanges/records/{record.pk}/"
    assert record.pk in [r.pk for r in client.get("/en/exchanges/records/").context["records"]]
    response = client.post(url, {"status": "confirmed", "reason": ""})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.status_by) == ("confirmed", requester)
    assert record.status_at is not None
    entry = ExchangeRecordReview.objects.get()
    assert (entry.record, entry.actor, entry.status) == (record, requester, "confirmed")
    # The request page leads there.
    page = client.get(record.request.get_absolute_url()).content.decode()
    assert url in page


def test_a_dispute_needs_a_reason(completed):
    record = completed["record"]
    client = signed_in(completed["requester"])
    response = client.post(f"/en/exchanges/records/{record.pk}/", {"status": "disputed"})
    assert response.status_code == 400
    assert "a dispute needs a reason" in response.content.decode()
    record.refresh_from_db()
    assert record.status == "pending"
    with pytest.raises(ValidationError):
        review(record, completed["requester"], "disputed", "   ")


def test_a_focal_point_of_the_recipient_country_disputes(completed):
    record = completed["record"]
    focal = ExpertProfileFactory(country=Country.objects.get(code="JO"), is_focal_point=True)
    reason = "كانت الدورة تدريبية وليست مساعدة تقنية"
    response = signed_in(focal.user).post(
        f"/en/exchanges/records/{record.pk}/", {"status": "disputed", "reason": reason}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.status_reason) == ("disputed", reason)


@pytest.mark.parametrize("who", ["provider_expert", "stranger", "other_focal_point", "moderator"])
def test_only_the_recipient_side_may_confirm(completed, who, moderator):
    record = completed["record"]
    user = {
        "provider_expert": completed["profile"].user,
        "stranger": UserFactory(),
        "other_focal_point": ExpertProfileFactory(
            country=Country.objects.get(code="KE"), is_focal_point=True
        ).user,
        "moderator": moderator,
    }[who]
    response = signed_in(user).post(f"/en/exchanges/records/{record.pk}/", {"status": "confirmed"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        review(record, user, "confirmed")
    record.refresh_from_db()
    assert record.status == "pending" and not ExchangeRecordReview.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, completed):
    response = client.post(
        f"/en/exchanges/records/{completed['record'].pk}/", {"status": "confirmed"}
    )
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- The dashboard ------------------------------------------------------------------------------


@pytest.fixture
def records(db):
    """Africa → Arab States twice (one disputed), Arab States → Latin America, Asia →
    Africa in 2024 with a value, and a triangular exchange from Latin America."""
    made = [
        make_record("KE", "JO"),
        make_record("NG", "EG", support_kind="technical_cooperation"),
        make_record("MA", "CO", pillar=Pillar.objects.get(number=2)),
        make_record(
            "ID",
            "KE",
            start_date=datetime.date(2024, 11, 5),
            end_date=datetime.date(2025, 1, 5),
            value=Decimal("5000"),
            currency="USD",
            support_kind="financial",
        ),
        make_record("BR", "PE", modality="triangular", pillar=None),
    ]
    ExchangeRecord.objects.filter(pk=made[1].pk).update(status="disputed")
    return made


def figures(response):
    return json.loads(response.content)


def test_the_dashboard_counts_pending_and_confirmed_records(client, records):
    data = figures(client.get("/en/exchanges/dashboard.json"))
    assert data["records"] == {"counted": 4, "confirmed": 0, "pending": 4, "disputed": 1}
    tables = data["tables"]
    pillars = {row["key"]: row["count"] for row in tables["by_pillar"]["rows"]}
    assert pillars == {"1": 2, "2": 1, "3": 0, "4": 0, "": 1}
    regions = {row["key"]: row["counts"] for row in tables["by_region"]["rows"]}
    assert regions["africa"] == [1, 1]  # Kenya provides to Jordan, receives from Indonesia
    assert regions["arab-states"] == [1, 1]
    flows = {
        row["key"]: dict(zip(tables["flows"]["columns"], row["counts"], strict=True))
        for row in tables["flows"]["rows"]
    }
    assert flows["africa"]["arab-states"] == 1  # the disputed Nigeria → Egypt is left out
    assert flows["asia-pacific"]["africa"] == 1
    assert flows["latin-america-caribbean"]["latin-america-caribbean"] == 1
    kinds = {row["key"]: row["count"] for row in tables["by_kind"]["rows"]}
    assert kinds == {
        "knowledge_sharing": 3,
        "technical_cooperation": 0,
        "financial": 1,
        "in_kind": 0,
    }
    assert {row["key"]: row["count"] for row in tables["over_time"]["rows"]} == {
        "2024": 1,
        "2025": 3,
    }
    assert tables["values"] == {"USD": "5000.00"}
    modalities = {row["key"]: row["count"] for row in tables["by_modality"]["rows"]}
    assert modalities["triangular"] == 1


def test_filters_by_year_pillar_and_region(client, records):
    data = figures(client.get("/en/exchanges/dashboard.json?year=2025&region=africa"))
    assert data["filters"] == {"year": 2025, "pillar": None, "region": "africa"}
    assert data["records"]["counted"] == 1  # Kenya → Jordan; Indonesia → Kenya began in 2024
    quarters = {row["key"]: row["count"] for row in data["tables"]["over_time"]["rows"]}
    assert quarters == {"2025-Q1": 1, "2025-Q2": 0, "2025-Q3": 0, "2025-Q4": 0}
    data = figures(client.get("/en/exchanges/dashboard.json?pillar=2"))
    assert data["records"]["counted"] == 1
    assert [row["key"] for row in data["tables"]["by_pillar"]["rows"]] == ["2"]


def test_the_page_shows_charts_with_tables_and_says_what_is_counted(client, records):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Records the recipient side disputes (1)" in body
    svgs = re.findall(r"<svg[^>]*>", body)
    assert len(svgs) == 7
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert body.count("<desc id=") == 7
    assert body.count("<caption>") >= 7
    # The charts need no script and no inline style (the site's own scripts are files).
    assert 'style="' not in body and not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert "dashboard.csv" in body and "dashboard.json" in body


def test_unknown_filter_values_give_a_message_not_an_error(client, records):
    response = client.get(DASHBOARD + "?year=twenty&pillar=9&region=atlantis")
    assert response.status_code == 200
    body = response.content.decode()
    assert "is not a year" in body and "no pillar" in body and "no region" in body
    assert response.context["board"]["counted_total"] == 4  # the bad filters were ignored
    bad = client.get("/en/exchanges/dashboard.json?region=atlantis")
    assert bad.status_code == 400 and "atlantis" in bad.json()["error"]
    assert client.get("/en/exchanges/dashboard.csv?year=1").status_code == 400


def test_the_csv_export_holds_the_aggregates(client, records):
    response = client.get("/en/exchanges/dashboard.csv?pillar=1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == ["table", "row", "column", "value"]
    assert ["flows", "africa", "arab-states", "1"] in rows
    assert ["by_pillar", "1", "count", "2"] in rows


def test_the_dashboard_follows_new_records(client, records):
    before = figures(client.get("/en/exchanges/dashboard.json"))["records"]["counted"]
    make_record("TN", "SN")
    after = figures(client.get("/en/exchanges/dashboard.json"))["records"]["counted"]
    assert after == before + 1


def test_the_dashboard_issues_a_fixed_number_of_queries(client, records):
    from django.core.cache import cache

    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD + "?pillar=1").status_code == 200
        return len(captured)

    few = queries()
    for i in range(30):
        make_record(
            "KE",
            "PE",
            start_date=datetime.date(2020 + i % 6, 1, 1),
            end_date=datetime.date(2020 + i % 6, 2, 1),
        )
    assert queries() == few


def test_practices_are_counted_by_pillar_and_region(client, records):
    PracticeFactory(pillars=[1], countries=["KE"])
    PracticeFactory(pillars=[1, 2], countries=["JO"])
    data = figures(client.get("/en/exchanges/dashboard.json"))
    practices = data["tables"]["practices"]
    counts = {
        row["key"]: dict(zip(practices["columns"], row["counts"], strict=True))
        for row in practices["rows"]
    }
    assert counts["1"]["africa"] == 1 and counts["1"]["arab-states"] == 1
    assert counts["2"]["arab-states"] == 1


def test_bars_are_mirrored_right_to_left():
    table = {"key": "by_kind", "title": "t", "rows": [{"label": "a", "count": 2}]}
    ltr, rtl = bar_chart(table, rtl=False), bar_chart(table, rtl=True)
    bar_ltr, bar_rtl = ltr["groups"][0]["bars"][0], rtl["groups"][0]["bars"][0]
    assert bar_ltr["x"] + bar_ltr["width"] + bar_rtl["x"] == ltr["width"]
    assert ltr["groups"][0]["label_x"] == 4 and rtl["groups"][0]["label_x"] == rtl["width"] - 4
    assert bar_rtl["value_x"] < bar_rtl["x"] and bar_ltr["value_x"] > bar_ltr["x"]


def test_the_arabic_dashboard_draws_right_to_left(client, records):
    body = client.get("/ar/exchanges/dashboard/").content.decode()
    assert 'dir="rtl"' in body and 'direction="rtl"' in body


def test_parse_filters_keeps_known_values():
    filters = parse_filters({"year": "2025", "pillar": "4", "region": "africa"})
    assert filters.errors == [] and filters.as_params() == {
        "year": "2025",
        "pillar": "4",
        "region": "africa",
    }
    assert dashboard(filters)["counted_total"] == 0


# --- Privacy -------------------------------------------------------------------------------------


def test_public_figures_name_no_one(client, completed):
    record, profile = completed["record"], completed["profile"]
    review(record, completed["requester"], "disputed", "Sentinel-Reason-5e1c")
    secrets = [
        profile.display_name,
        profile.email,
        profile.user.email,
        completed["requester"].email,
        completed["requester"].get_full_name(),
        "Sentinel-Reason-5e1c",
        "Prison reintegration",
    ]
    for url in (DASHBOARD, "/en/exchanges/dashboard.csv", "/en/exchanges/dashboard.json"):
        body = client.get(url).content.decode()
        for secret in secrets:
            assert secret not in body, (url, secret)


# --- Moderators' record-level export ------------------------------------------------------


EXPORT_URL = "/admin/experts/exchange-records/export.csv"


def test_moderators_export_every_record(moderator_client, records):
    ExchangeRecord.objects.filter(pk=records[1].pk).update(status_reason="=HYPERLINK(1)")
    response = moderator_client.get(EXPORT_URL)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "provider_country", "provider_region"]
    assert len(rows) == 1 + len(records)
    assert "'=HYPERLINK(1)" in [cell for row in rows for cell in row]


def test_members_cannot_export_records(records):
    response = signed_in(UserFactory()).get(EXPORT_URL)
    assert response.status_code in (302, 403)


# --- Practice pages ------------------------------------------------------------------------


def test_a_practice_page_shows_where_it_was_adapted_or_replicated(client):
    practice = PracticeFactory(title="Community policing councils", countries=["JO"])
    make_record("JO", "TN", practice=practice, practice_use="adapted")
    make_record(
        "JO",
        "PE",
        practice=practice,
        practice_use="replicated",
        start_date=datetime.date(2024, 5, 1),
        end_date=datetime.date(2024, 6, 1),
    )
    disputed = make_record("JO", "IQ", practice=practice, practice_use="adapted")
    ExchangeRecord.objects.filter(pk=disputed.pk).update(status="disputed")
    body = client.get(practice.url).content.decode()
    assert "Adapted or replicated in" in body
    assert "Tunisia, 2025: Adapted" in body and "Peru, 2024: Replicated" in body
    assert "Iraq" not in body


def test_a_practice_page_without_records_has_no_section(client):
    practice = PracticeFactory()
    assert "Adapted or replicated in" not in client.get(practice.url).content.decode()
