"""Benchmark of the guidebook PDF: `python -m bench.guidebook`.

On a throwaway SQLite database it generates practices (bench.generate, texts of the
demo practices), builds an Arabic edition of --practices practices (Arabic versions
first, the rest in their original languages, as an Arabic edition shows them) in four
chapters, publishes it (which freezes its content), then times, --runs times each:

* freezing the content (reading the practices, rendering their rich text);
* making the PDF with WeasyPrint (HTML to PDF: layout, Arabic shaping, fonts);
* the PDF view on a cold cache (build + store: the bench runs with the test settings, so
  the build is inline; on a server it runs in a background thread after the publication
  and readers get "being prepared" meanwhile) and on a warm cache (served from storage).

Target: the Arabic PDF of an edition of 100 practices in at most 30 s.
"""

import argparse
import io
import sys
from statistics import median

from bench import common

TARGET_S = 30.0
DEFAULT_PRACTICES = 100
CHAPTERS = 4


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.guidebook", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--practices", type=int, default=DEFAULT_PRACTICES)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each step")
    parser.add_argument("--language", default="ar", help="the edition's language")
    parser.add_argument("--seed", type=int, default=20_250_601)
    parser.add_argument("--target-s", type=float, default=TARGET_S)
    return parser.parse_args(argv)


def build_edition(generator, practices, language):
    from wagtail.models import Locale

    from kx_platform.models import Pillar
    from practices.models import (
        GoodPracticePage,
        GuidebookChapter,
        GuidebookIndexPage,
        GuidebookPage,
        GuidebookSelection,
    )

    generator.grow_to(max(practices * 6, 200))
    pages = list(GoodPracticePage.objects.live().select_related("locale").order_by("pk"))
    chosen = [p for p in pages if p.locale.language_code == language]
    chosen += [p for p in pages if p.locale.language_code != language]
    seen, unique = set(), []
    for page in chosen:
        if page.translation_key not in seen:
            seen.add(page.translation_key)
            unique.append(page)
    unique = unique[:practices]
    locale = Locale.objects.get(language_code=language)
    edition = GuidebookPage(
        title="دليل الممارسات الجيدة" if language == "ar" else "Guidebook of good practices",
        slug="bench-edition",
        locale=locale,
        year=2026,
        edition_number=1,
        foreword="<p>" + "تمهيد. " * 80 + "</p>",
        introduction="<p>" + "مقدمة. " * 80 + "</p>",
        live=False,
    )
    pillars = list(Pillar.objects.order_by("number"))
    per_chapter = -(-len(unique) // CHAPTERS)
    chapters = []
    for number in range(CHAPTERS):
        chapter = GuidebookChapter(
            title=f"{pillars[number].roman}. {pillars[number].short_name_ar}",
            pillar=pillars[number],
            introduction="<p>" + "مقدمة الفصل. " * 40 + "</p>",
        )
        chapter.selections = [
            GuidebookSelection(practice=p)
            for p in unique[number * per_chapter : (number + 1) * per_chapter]
        ]
        chapters.append(chapter)
    edition.chapters = chapters
    GuidebookIndexPage.objects.get(locale=locale).add_child(instance=edition)
    edition.save_revision().publish()
    edition.refresh_from_db()
    languages = {}
    for page in unique:
        languages[page.locale.language_code] = languages.get(page.locale.language_code, 0) + 1
    return edition, languages


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    common.setup_django()

    import pypdf
    from django.core.files.storage import default_storage
    from django.test import Client

    from bench.generate import PracticeGenerator
    from practices.guidebook_content import build_content
    from practices.guidebook_pdf import PDF_DIR, render_pdf

    print("… generating practices and the edition", file=sys.stderr, flush=True)
    edition, languages = build_edition(
        PracticeGenerator(seed=args.seed), args.practices, args.language
    )
    content = build_content(edition)
    entries = sum(len(c["entries"]) for c in content["chapters"])
    client = Client()
    url = f"{edition.url}pdf/"

    timings = {"freeze": [], "pdf": [], "view_cold": [], "view_warm": []}
    data = b""
    for run in range(args.runs):
        print(f"… run {run + 1}/{args.runs}", file=sys.stderr, flush=True)
        with common.Stopwatch() as watch:
            content = build_content(edition)
        timings["freeze"].append(watch.seconds)
        with common.Stopwatch() as watch:
            data = render_pdf(content)
        timings["pdf"].append(watch.seconds)
        for name in default_storage.listdir(PDF_DIR)[1] if default_storage.exists(PDF_DIR) else []:
            default_storage.delete(f"{PDF_DIR}/{name}")
        with common.Stopwatch() as watch:
            response = client.get(url)
            body = b"".join(response.streaming_content)
        assert response.status_code == 200 and body.startswith(b"%PDF"), response.status_code
        timings["view_cold"].append(watch.seconds)
        with common.Stopwatch() as watch:
            response = client.get(url)
            b"".join(response.streaming_content)
        timings["view_warm"].append(watch.seconds)

    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    rows = [
        [label, f"{median(timings[key]):.2f}", f"{max(timings[key]):.2f}"]
        for key, label in [
            ("freeze", "Freeze the content (build_content)"),
            ("pdf", "Make the PDF (WeasyPrint)"),
            ("view_cold", "PDF view, cold cache (build + store + serve)"),
            ("view_warm", "PDF view, warm cache"),
        ]
    ]
    print("\n## Guidebook PDF\n")
    print("\n".join(common.environment_lines()))
    mix = ", ".join(f"{code} {count}" for code, count in sorted(languages.items()))
    print(
        f"- Edition: {args.language}, {entries} practices in {CHAPTERS} chapters "
        f"(versions shown: {mix}); PDF: {pages} pages, {len(data) / 1024 / 1024:.1f} MiB\n"
    )
    print(common.markdown_table(["Step", "Median s", "Max s"], rows, align="lrr"))
    worst = max(timings["view_cold"])
    verdict = "met" if worst <= args.target_s else "MISSED"
    print(
        f"\nTarget: PDF of {entries} practices ≤ {args.target_s:.0f} s: {verdict} "
        f"(slowest cold view {worst:.1f} s)."
    )
    return 0 if worst <= args.target_s else 1


if __name__ == "__main__":
    sys.exit(main())
