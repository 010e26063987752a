"""Seed data for the shared taxonomy, read by data migrations and by tests.

Pillar names are the official wording of the UN Global Counter-Terrorism Strategy
(A/RES/60/288, annex) in each language.
"""

import csv
from pathlib import Path

PILLARS = [
    {
        "number": 1,
        "short_name_en": "Conditions conducive",
        "short_name_ar": "الظروف المؤدية",
        "short_name_fr": "Conditions propices",
        "short_name_es": "Condiciones propicias",
        "name_en": "Measures to address the conditions conducive to the spread of terrorism",
        "name_ar": "التدابير الرامية إلى معالجة الظروف المؤدية إلى انتشار الإرهاب",
        "name_fr": "Mesures visant à éliminer les conditions propices à la propagation du terrorisme",
        "name_es": "Medidas para hacer frente a las condiciones que propician la propagación del terrorismo",
        "description_en": "Prolonged unresolved conflicts, lack of rule of law, violations of human rights, "
        "discrimination, political exclusion and socio-economic marginalisation: education, dialogue, "
        "youth, development and victims' solidarity.",
        "description_ar": "النزاعات التي طال أمدها دون حل، وغياب سيادة القانون، وانتهاكات حقوق الإنسان، والتمييز، "
        "والإقصاء السياسي والتهميش الاجتماعي والاقتصادي: التعليم والحوار والشباب والتنمية والتضامن مع الضحايا.",
        "description_fr": "Conflits prolongés, absence d'état de droit, violations des droits de l'homme, "
        "discrimination, exclusion politique et marginalisation socio-économique : éducation, dialogue, "
        "jeunesse, développement et solidarité avec les victimes.",
        "description_es": "Conflictos prolongados sin resolver, falta de estado de derecho, violaciones de los "
        "derechos humanos, discriminación, exclusión política y marginación socioeconómica: educación, "
        "diálogo, juventud, desarrollo y solidaridad con las víctimas.",
    },
    {
        "number": 2,
        "short_name_en": "Prevent and combat",
        "short_name_ar": "منع الإرهاب ومكافحته",
        "short_name_fr": "Prévenir et combattre",
        "short_name_es": "Prevenir y combatir",
        "name_en": "Measures to prevent and combat terrorism",
        "name_ar": "تدابير منع الإرهاب ومكافحته",
        "name_fr": "Mesures visant à prévenir et combattre le terrorisme",
        "name_es": "Medidas para prevenir y combatir el terrorismo",
        "description_en": "Denying terrorists the means to carry out attacks: financing, travel, weapons, "
        "border security, law enforcement and judicial cooperation, protection of critical infrastructure.",
        "description_ar": "حرمان الإرهابيين من وسائل تنفيذ الهجمات: التمويل والسفر والأسلحة وأمن الحدود والتعاون "
        "في إنفاذ القانون والتعاون القضائي وحماية البنية التحتية الحيوية.",
        "description_fr": "Priver les terroristes des moyens de commettre des attentats : financement, "
        "déplacements, armes, sécurité des frontières, coopération policière et judiciaire, protection des "
        "infrastructures critiques.",
        "description_es": "Negar a los terroristas los medios para cometer atentados: financiación, viajes, "
        "armas, seguridad fronteriza, cooperación policial y judicial, protección de infraestructuras críticas.",
    },
    {
        "number": 3,
        "short_name_en": "Capacity-building",
        "short_name_ar": "بناء القدرات",
        "short_name_fr": "Renforcement des capacités",
        "short_name_es": "Fortalecimiento de la capacidad",
        "name_en": "Measures to build States' capacity to prevent and combat terrorism and to strengthen "
        "the role of the United Nations system in this regard",
        "name_ar": "التدابير الرامية إلى بناء قدرات الدول على منع الإرهاب ومكافحته وتعزيز دور منظومة الأمم "
        "المتحدة في هذا الصدد",
        "name_fr": "Mesures destinées à étoffer les moyens dont les États disposent pour prévenir et "
        "combattre le terrorisme et à renforcer le rôle joué en ce sens par le système des Nations Unies",
        "name_es": "Medidas destinadas a aumentar la capacidad de los Estados para prevenir el terrorismo "
        "y luchar contra él, y a fortalecer el papel del sistema de las Naciones Unidas a ese respecto",
        "description_en": "Technical assistance, training, sharing of expertise and South-South cooperation "
        "that let States implement their counter-terrorism obligations.",
        "description_ar": "المساعدة التقنية والتدريب وتبادل الخبرات والتعاون فيما بين بلدان الجنوب لتمكين الدول "
        "من الوفاء بالتزاماتها في مجال مكافحة الإرهاب.",
        "description_fr": "Assistance technique, formation, partage d'expertise et coopération Sud-Sud "
        "permettant aux États de s'acquitter de leurs obligations en matière de lutte antiterroriste.",
        "description_es": "Asistencia técnica, capacitación, intercambio de conocimientos y cooperación "
        "Sur-Sur que permiten a los Estados cumplir sus obligaciones en la lucha contra el terrorismo.",
    },
    {
        "number": 4,
        "short_name_en": "Human rights and rule of law",
        "short_name_ar": "حقوق الإنسان وسيادة القانون",
        "short_name_fr": "Droits de l'homme et état de droit",
        "short_name_es": "Derechos humanos y estado de derecho",
        "name_en": "Measures to ensure respect for human rights for all and the rule of law as the "
        "fundamental basis of the fight against terrorism",
        "name_ar": "التدابير الرامية إلى ضمان احترام حقوق الإنسان للجميع وسيادة القانون بوصفه الركيزة "
        "الأساسية لمكافحة الإرهاب",
        "name_fr": "Mesures garantissant le respect des droits de l'homme pour tous et la primauté du droit "
        "en tant que base fondamentale de la lutte antiterroriste",
        "name_es": "Medidas para asegurar el respeto universal de los derechos humanos y del estado de "
        "derecho como base fundamental de la lucha contra el terrorismo",
        "description_en": "Counter-terrorism that complies with international law, human rights, refugee "
        "and humanitarian law; accountable institutions and support for victims.",
        "description_ar": "مكافحة للإرهاب تمتثل للقانون الدولي وحقوق الإنسان وقانون اللاجئين والقانون الإنساني؛ "
        "ومؤسسات خاضعة للمساءلة ودعم للضحايا.",
        "description_fr": "Une lutte antiterroriste conforme au droit international, aux droits de l'homme, "
        "au droit des réfugiés et au droit humanitaire ; des institutions responsables et le soutien aux "
        "victimes.",
        "description_es": "Una lucha contra el terrorismo conforme al derecho internacional, los derechos "
        "humanos, el derecho de los refugiados y el derecho humanitario; instituciones responsables y apoyo "
        "a las víctimas.",
    },
]

REGIONS = [
    {
        "slug": "africa",
        "sort_order": 1,
        "is_global_south": True,
        "name_en": "Africa",
        "name_ar": "أفريقيا",
        "name_fr": "Afrique",
        "name_es": "África",
    },
    {
        "slug": "asia-pacific",
        "sort_order": 2,
        "is_global_south": True,
        "name_en": "Asia and the Pacific",
        "name_ar": "آسيا والمحيط الهادئ",
        "name_fr": "Asie et Pacifique",
        "name_es": "Asia y el Pacífico",
    },
    {
        "slug": "arab-states",
        "sort_order": 3,
        "is_global_south": True,
        "name_en": "Middle East and Arab States",
        "name_ar": "الشرق الأوسط والدول العربية",
        "name_fr": "Moyen-Orient et États arabes",
        "name_es": "Oriente Medio y Estados Árabes",
    },
    {
        "slug": "latin-america-caribbean",
        "sort_order": 4,
        "is_global_south": True,
        "name_en": "Latin America and the Caribbean",
        "name_ar": "أمريكا اللاتينية ومنطقة البحر الكاريبي",
        "name_fr": "Amérique latine et Caraïbes",
        "name_es": "América Latina y el Caribe",
    },
    {
        "slug": "europe-north-america",
        "sort_order": 9,
        "is_global_south": False,
        "name_en": "Europe, North America and other partners",
        "name_ar": "أوروبا وأمريكا الشمالية وشركاء آخرون",
        "name_fr": "Europe, Amérique du Nord et autres partenaires",
        "name_es": "Europa, América del Norte y otros socios",
    },
]

# Members of the League of Arab States are grouped with the Middle East whatever
# their M49 sub-region (Mauritania, Somalia, Djibouti and Comoros sit in M49's Africa).
ARAB_LEAGUE = {
    "AE",
    "BH",
    "DJ",
    "DZ",
    "EG",
    "IQ",
    "JO",
    "KM",
    "KW",
    "LB",
    "LY",
    "MA",
    "MR",
    "OM",
    "PS",
    "QA",
    "SA",
    "SD",
    "SO",
    "SY",
    "TN",
    "YE",
}

SUBREGION_TO_REGION = {
    "Northern Africa": "arab-states",
    "Western Asia": "arab-states",
    "Eastern Africa": "africa",
    "Middle Africa": "africa",
    "Southern Africa": "africa",
    "Western Africa": "africa",
    "Central Asia": "asia-pacific",
    "Eastern Asia": "asia-pacific",
    "South-eastern Asia": "asia-pacific",
    "Southern Asia": "asia-pacific",
    "Melanesia": "asia-pacific",
    "Micronesia": "asia-pacific",
    "Polynesia": "asia-pacific",
    "Caribbean": "latin-america-caribbean",
    "Central America": "latin-america-caribbean",
    "South America": "latin-america-caribbean",
}
# Everything else (Europe, Northern America, Australia and New Zealand, Antarctica).
OTHER_REGION = "europe-north-america"


def country_regions():
    """Yield (iso_alpha2, region slug) for every country in the M49 table."""
    path = Path(__file__).parent / "data" / "m49_subregions.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["iso_alpha2"]
            if code in ARAB_LEAGUE:
                yield code, "arab-states"
            else:
                yield code, SUBREGION_TO_REGION.get(row["m49_subregion"], OTHER_REGION)


THEMES = [
    # (English canonical name, Arabic, French, Spanish)
    (
        "Prison deradicalisation and reintegration",
        "اجتثاث التطرف في السجون وإعادة الإدماج",
        "Déradicalisation en milieu carcéral et réinsertion",
        "Desradicalización en prisiones y reinserción",
    ),
    ("Youth", "الشباب", "Jeunesse", "Juventud"),
    ("Education", "التعليم", "Éducation", "Educación"),
    ("Counter-narratives", "الخطابات المضادة", "Contre-discours", "Contranarrativas"),
    (
        "Online radicalisation",
        "التطرف عبر الإنترنت",
        "Radicalisation en ligne",
        "Radicalización en línea",
    ),
    ("Community policing", "الشرطة المجتمعية", "Police de proximité", "Policía comunitaria"),
    ("Border security", "أمن الحدود", "Sécurité des frontières", "Seguridad fronteriza"),
    (
        "Terrorist financing",
        "تمويل الإرهاب",
        "Financement du terrorisme",
        "Financiación del terrorismo",
    ),
    ("Victims of terrorism", "ضحايا الإرهاب", "Victimes du terrorisme", "Víctimas del terrorismo"),
    (
        "Gender and women's participation",
        "النوع الاجتماعي ومشاركة المرأة",
        "Genre et participation des femmes",
        "Género y participación de las mujeres",
    ),
    (
        "Returning foreign fighters",
        "المقاتلون الأجانب العائدون",
        "Combattants étrangers de retour",
        "Combatientes extranjeros retornados",
    ),
    ("Criminal justice", "العدالة الجنائية", "Justice pénale", "Justicia penal"),
    (
        "Critical infrastructure",
        "البنية التحتية الحيوية",
        "Infrastructures critiques",
        "Infraestructuras críticas",
    ),
    ("Religious leaders", "القادة الدينيون", "Responsables religieux", "Líderes religiosos"),
    (
        "Local prevention networks",
        "شبكات الوقاية المحلية",
        "Réseaux locaux de prévention",
        "Redes locales de prevención",
    ),
]
