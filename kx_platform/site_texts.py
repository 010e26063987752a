"""The titles and introductions of the pages the set-up creates, in every content language.

They are data, not only gettext messages: the page tree is built by a post_migrate handler,
and a `migrate` run before `compilemessages` (a fresh clone, a container image built in another
order) would otherwise write English text into the Arabic, French and Spanish pages for good.
A language without an entry here (one switched on by KX_EXTRA_LANGUAGES) falls back to its
gettext catalogue (the English texts are marked for it), then to English.
"""

from django.utils import translation
from django.utils.translation import gettext_noop

SETUP_PAGE_TEXTS = {
    "home": {
        "title": {
            "en": gettext_noop("Good practices from the South"),
            "ar": "ممارسات جيدة من بلدان الجنوب",
            "fr": "Bonnes pratiques des pays du Sud",
            "es": "Buenas prácticas de los países del Sur",
        },
        "intro": {
            "en": gettext_noop(
                "Experts and policymakers of Africa, Asia and the Pacific, the Arab States and "
                "Latin America and the Caribbean share what works in counter-terrorism and "
                "preventing violent extremism."
            ),
            "ar": "يتبادل الخبراء وصانعو السياسات في أفريقيا وآسيا والمحيط الهادئ والدول العربية "
            "وأمريكا اللاتينية ومنطقة البحر الكاريبي ما أثبت نجاعته في مجال مكافحة الإرهاب ومنع "
            "التطرف العنيف.",
            "fr": "Les experts et les décideurs d'Afrique, d'Asie et du Pacifique, des États "
            "arabes et d'Amérique latine et des Caraïbes mettent en commun ce qui fonctionne en "
            "matière de lutte contre le terrorisme et de prévention de l'extrémisme violent.",
            "es": "Los expertos y los responsables de formular políticas de África, Asia y el "
            "Pacífico, los Estados árabes y América Latina y el Caribe comparten lo que funciona "
            "en la lucha contra el terrorismo y la prevención del extremismo violento.",
        },
    },
    "practices": {
        "title": {
            "en": gettext_noop("Good practices"),
            "ar": "الممارسات الجيدة",
            "fr": "Bonnes pratiques",
            "es": "Buenas prácticas",
        },
        "intro": {
            "en": gettext_noop(
                "Practices tested, validated, adapted or scaled up by countries of the South, "
                "classified under the four pillars of the UN Global Counter-Terrorism Strategy. "
                "Filter them by pillar, region, country, theme and evidence stage."
            ),
            "ar": "ممارسات اختبرتها بلدان الجنوب أو أثبتت صحتها أو كيّفتها أو وسّعت نطاقها، "
            "مصنّفة وفق الركائز الأربع لاستراتيجية الأمم المتحدة العالمية لمكافحة الإرهاب. "
            "صفِّها حسب الركيزة والمنطقة والبلد والموضوع ومرحلة إثبات الفعالية.",
            "fr": "Des pratiques testées, validées, adaptées ou étendues par des pays du Sud, "
            "classées selon les quatre piliers de la Stratégie antiterroriste mondiale des "
            "Nations Unies. Filtrez-les par pilier, région, pays, thème et niveau de preuve.",
            "es": "Prácticas probadas, validadas, adaptadas o ampliadas por países del Sur, "
            "clasificadas según los cuatro pilares de la Estrategia Global de las Naciones "
            "Unidas contra el Terrorismo. Fíltrelas por pilar, región, país, tema y nivel de "
            "comprobación.",
        },
    },
    "guidebook": {
        "title": {
            "en": gettext_noop("Guidebook of good practices"),
            "ar": "دليل الممارسات الجيدة",
            "fr": "Guide de bonnes pratiques",
            "es": "Guía de buenas prácticas",
        },
        "intro": {
            "en": gettext_noop(
                "Each edition gathers a selection of good practices, chapter by pillar, "
                "reviewed by vetted experts and published by the moderators on the web and as a "
                "PDF."
            ),
            "ar": "تجمع كل طبعة مجموعة مختارة من الممارسات الجيدة، في فصل لكل ركيزة، يراجعها "
            "خبراء جرى التحقق منهم وينشرها المشرفون على الموقع وبصيغة PDF.",
            "fr": "Chaque édition rassemble une sélection de bonnes pratiques, un chapitre par "
            "pilier, relue par des experts vérifiés et publiée par les modérateurs en ligne et en "
            "PDF.",
            "es": "Cada edición reúne una selección de buenas prácticas, un capítulo por pilar, "
            "revisada por expertos verificados y publicada por los moderadores en la web y en "
            "PDF.",
        },
    },
}


def setup_text(kind, field, language_code):
    """The set-up text `field` ("title" or "intro") of page `kind` in `language_code`."""
    texts = SETUP_PAGE_TEXTS[kind][field]
    if language_code in texts:
        return texts[language_code]
    with translation.override(language_code):
        return translation.gettext(texts["en"])


def english_text(kind, field):
    """The English text, to recognise a page of another language that the set-up left in
    English."""
    return SETUP_PAGE_TEXTS[kind][field]["en"]
