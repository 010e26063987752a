"""Demo South-South exchange records, so that the measurement dashboard has something to
show: 40 records across the four regions of the South, 2023 to 2026, every kind of
support and modality, some valued, some linked to demo practices the recipient adapted or
replicated. The focal points of the recipient countries confirm some and dispute one,
through experts.exchange_records.review() like any user. Idempotent.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from experts.exchange_records import review
from experts.models import (
    ConfirmationStatus,
    ExchangeRecord,
    ExchangeRequest,
    ExpertProfile,
    ProfileStatus,
)
from kx_platform.models import Country, Pillar, Theme
from practices.models import GoodPracticePage

K, T, F, I = "knowledge_sharing", "technical_cooperation", "financial", "in_kind"  # noqa: E741
B, TR, R, IR = "bilateral", "triangular", "regional", "interregional"

# provider, recipient, year, month, kind, modality, pillar, theme, value, practice, use
RECORDS = [
    ("KE", "SO", 2023, 2, K, R, 1, "Local prevention networks", None, None, ""),
    (
        "MA",
        "ML",
        2023,
        3,
        K,
        IR,
        1,
        "Religious leaders",
        None,
        "ma-imam-morchidat-training-africa",
        "replicated",
    ),
    (
        "ID",
        "PH",
        2023,
        5,
        K,
        R,
        1,
        "Prison deradicalisation and reintegration",
        None,
        "id-prison-disengagement-former-combatant-mentors",
        "adapted",
    ),
    ("CO", "PE", 2023, 6, T, R, 4, "Victims of terrorism", None, None, ""),
    ("SN", "NE", 2023, 8, T, R, 2, "Terrorist financing", ("12000", "XOF"), None, ""),
    ("JO", "IQ", 2023, 9, K, R, 2, "Community policing", None, None, ""),
    ("EG", "LY", 2023, 10, K, R, 1, "Counter-narratives", None, None, ""),
    ("MY", "ID", 2023, 11, T, R, 2, "Online radicalisation", None, None, ""),
    ("NG", "TD", 2023, 12, I, R, 3, "Border security", ("45000", "USD"), None, ""),
    ("MX", "HT", 2024, 1, K, TR, 3, "Community policing", None, None, ""),
    (
        "JO",
        "IQ",
        2024,
        2,
        K,
        B,
        2,
        "Community policing",
        None,
        "jo-community-police-prevention-councils",
        "adapted",
    ),
    (
        "CO",
        "NE",
        2024,
        3,
        K,
        IR,
        1,
        "Returning foreign fighters",
        None,
        "co-reintegration-ex-combatants-sahel",
        "adapted",
    ),
    ("AE", "MR", 2024, 4, T, IR, 2, "Terrorist financing", ("80000", "USD"), None, ""),
    ("KE", "UG", 2024, 5, K, R, 1, "Youth", None, None, ""),
    ("PK", "LK", 2024, 6, K, R, 4, "Victims of terrorism", None, None, ""),
    ("TN", "LB", 2024, 7, K, R, 1, "Education", None, None, ""),
    ("ID", "KE", 2024, 8, K, IR, 1, "Prison deradicalisation and reintegration", None, None, ""),
    ("BR", "PY", 2024, 9, T, R, 2, "Terrorist financing", None, None, ""),
    ("DZ", "MR", 2024, 10, I, B, 3, "Border security", ("30000", "EUR"), None, ""),
    (
        "PE",
        "CO",
        2024,
        11,
        K,
        R,
        4,
        "Victims of terrorism",
        None,
        "pe-victims-registry-memory-education",
        "inspired",
    ),
    ("NE", "TD", 2025, 1, K, R, 1, "Returning foreign fighters", None, None, ""),
    ("MA", "SN", 2025, 2, K, IR, 1, "Religious leaders", None, None, ""),
    (
        "KE",
        "TZ",
        2025,
        3,
        K,
        R,
        1,
        "Community policing",
        None,
        "ke-county-action-plans-community-policing",
        "replicated",
    ),
    ("PH", "MY", 2025, 4, K, R, 4, "Gender and women's participation", None, None, ""),
    ("EC", "CO", 2025, 5, T, B, 4, "Criminal justice", None, None, ""),
    ("SN", "ML", 2025, 6, F, R, 3, "Education", ("250000", "XOF"), None, ""),
    ("CO", "JO", 2025, 7, K, IR, 1, "Youth", None, None, ""),
    ("EG", "NG", 2025, 8, K, IR, 1, "Counter-narratives", None, None, ""),
    ("IN", "BD", 2025, 9, T, R, 3, "Critical infrastructure", None, None, ""),
    ("CL", "PE", 2025, 10, T, TR, 3, "Critical infrastructure", None, None, ""),
    ("JO", "LB", 2025, 11, K, R, 2, "Community policing", None, None, ""),
    ("AE", "JO", 2025, 12, F, R, 2, "Terrorist financing", ("150000", "USD"), None, ""),
    ("MY", "PH", 2026, 1, K, R, 1, "Online radicalisation", None, None, ""),
    (
        "NE",
        "BF",
        2026,
        2,
        K,
        R,
        1,
        "Returning foreign fighters",
        None,
        "ne-goudoumaria-defectors-reintegration",
        "adapted",
    ),
    ("MX", "GT", 2026, 3, K, R, 1, "Online radicalisation", None, None, ""),
    ("KE", "ID", 2026, 4, K, IR, 2, "Community policing", None, None, ""),
    ("TN", "MR", 2026, 5, T, R, 2, "Criminal justice", None, None, ""),
    ("PA", "HN", 2026, 6, I, R, 2, "Border security", ("20000", "USD"), None, ""),
    ("LK", "NP", 2026, 7, K, R, 4, "Victims of terrorism", None, None, ""),
    ("ID", "MR", 2026, 8, K, IR, 1, "Religious leaders", None, None, ""),
]

DISPUTED = ("AE", "JO", 2025)  # the recipient disputes how this flow is characterised
DISPUTE_REASON = (
    "لم يكن دعمًا ماليًا: كانت ورشة تدريبية لوحدة التحريات المالية، أي بناء قدرات لا تمويل."
)


class ExchangeRecordDemoLoader:
    def __init__(self, member, stdout=None):
        self.member = member
        self.stdout = stdout

    @transaction.atomic
    def load(self):
        if ExchangeRecord.objects.filter(request__isnull=True).exists():
            return 0
        focal_points = {
            p.country_id: p.user
            for p in ExpertProfile.objects.filter(
                is_focal_point=True, status=ProfileStatus.APPROVED
            ).select_related("user")
        }
        pillars = {p.number: p for p in Pillar.objects.all()}
        made = []
        for i, row in enumerate(RECORDS):
            provider, recipient, year, month, kind, modality, pillar, theme, value, key, use = row
            start = datetime.date(year, month, 1 + i % 20)
            record = ExchangeRecord(
                provider_country=Country.objects.get(code=provider),
                recipient_country=Country.objects.get(code=recipient),
                modality=modality,
                support_kind=kind,
                pillar=pillars.get(pillar),
                start_date=start,
                end_date=start + datetime.timedelta(days=5 + (i * 7) % 60),
                value=Decimal(value[0]) if value else None,
                currency=value[1] if value else "",
                practice=self.practice(key),
                practice_use=use if key else "",
            )
            if record.practice is None:
                record.practice_use = ""
            record.full_clean()
            record.save()
            record.themes.set(Theme.objects.filter(name=theme))
            made.append(record)
            reviewer = focal_points.get(recipient)
            if reviewer is None:
                continue
            if (provider, recipient, year) == DISPUTED:
                review(record, reviewer, ConfirmationStatus.DISPUTED, DISPUTE_REASON)
            elif i % 3 != 2:
                review(record, reviewer, ConfirmationStatus.CONFIRMED)
        # The demo member confirms the records of its completed requests.
        for req in ExchangeRequest.objects.filter(requester=self.member, record__isnull=False):
            review(req.record, self.member, ConfirmationStatus.CONFIRMED)
        if self.stdout:
            self.stdout.write(f"Demo exchange records: {len(made)} created.")
        return len(made)

    def practice(self, key):
        if not key:
            return None
        return GoodPracticePage.objects.filter(slug=slugify(key), live=True).order_by("pk").first()
