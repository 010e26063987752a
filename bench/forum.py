"""Benchmark of the forum's thread page: `python -m bench.forum`.

On a throwaway SQLite database it writes one public thread per size of --sizes (default
50 and 500 posts) by 40 authors (half of them approved experts, with a roster name and a
profile link), each post a realistic Markdown message (paragraphs, a quote, a list, a
link, a mention) rendered once through kx_platform.sanitize as the forum does on save.
Then it times GET /en/forum/t/<id>/ with Django's test client (server time, in-process):

* every post of the thread on one page (KX_FORUM_POSTS_PER_PAGE set to the thread's
  size): the worst case, the whole thread in one response;
* the default page size (100 posts per page), first page;

for an anonymous reader and for a signed-in vetted expert (who gets the per-post edit,
flag and accept controls). The number of SQL queries per request is printed for each
size: it must be the same at 50 and at 500 posts.
"""

import argparse
import random
import sys

from bench import common

DEFAULT_SIZES = (50, 500)
TARGET_P95_MS = 100.0
AUTHORS = 40

PARAGRAPHS = [
    "In our programme the first contact with a detainee is made by a social worker, not by a "
    "religious scholar; trust comes before theology.",
    "Families were involved from the first month. Where they were not, people who left "
    "prison returned to the same networks within a year.",
    "برامج إعادة الإدماج تحتاج إلى متابعة بعد الإفراج لمدة سنتين على الأقل، مع دعم مهني ونفسي.",
    "Le suivi après la libération est le maillon faible : sans emploi, la réinsertion échoue.",
    "La evaluación independiente nos mostró que la reincidencia bajó del 30 % al 12 %.",
]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.forum", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: sorted({int(x) for x in s.split(",") if x.strip()}),
        default=list(DEFAULT_SIZES),
        help="comma-separated numbers of posts per thread (default 50,500)",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests first")
    parser.add_argument("--seed", type=int, default=20_250_601)
    parser.add_argument("--target-ms", type=float, default=TARGET_P95_MS)
    parser.add_argument("--keep-db", action="store_true", help="keep the temporary database")
    args = parser.parse_args(argv)
    if not args.sizes or min(args.sizes) < 1 or args.requests < 1 or args.warmup < 0:
        parser.error("sizes and --requests must be positive, --warmup at least 0")
    return args


def make_authors():
    from django.contrib.auth import get_user_model

    from experts.models import ExpertProfile
    from kx_platform.models import Country

    User = get_user_model()
    kenya = Country.objects.get(code="KE")
    authors = []
    for n in range(AUTHORS):
        user = User.objects.create_user(f"bench_author_{n}", f"a{n}@bench.invalid", "x")
        if n % 2 == 0:
            ExpertProfile.objects.create(
                user=user,
                display_name=f"Expert Author {n}",
                professional_title="Prison reintegration officer",
                country=kenya,
                email=f"a{n}@bench.invalid",
                status="approved",
            )
        authors.append(user)
    return authors


def message(rng, number, authors):
    mention = authors[rng.randrange(len(authors))].username
    parts = [
        rng.choice(PARAGRAPHS),
        f"> {rng.choice(PARAGRAPHS)}",
        "- family visits\n- vocational training\n- follow-up after release",
        f"See https://www.un.org/counterterrorism/ and the **report** of step {number}, "
        f"as @{mention} said.",
    ]
    return "\n\n".join(parts)


def make_thread(size, authors, rng):
    from experts.forum.models import Category, Post, PostState, Thread
    from experts.forum.posting import body_hash
    from kx_platform.sanitize import render_markdown

    thread = Thread.objects.create(
        category=Category.objects.get(slug="general"),
        title=f"Lessons from prison reintegration ({size} posts)",
        author=authors[0],
        language="en",
        is_visible=True,
    )
    posts = []
    for number in range(1, size + 1):
        body = message(rng, number, authors)
        posts.append(
            Post(
                thread=thread,
                author=authors[(number - 1) % len(authors)],
                number=number,
                body=body,
                body_html=render_markdown(body),
                body_hash=body_hash(body),
                language=rng.choice(["en", "en", "ar", "fr", "es"]),
                state=PostState.PUBLISHED,
            )
        )
    Post.objects.bulk_create(posts, batch_size=500)
    last = Post.objects.filter(thread=thread).order_by("-number").first()
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=size - 1, last_posted_at=last.created_at, accepted_answer=last
    )
    return thread


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    workdir = common.setup_django(keep=args.keep_db)

    from django.conf import settings
    from django.test import Client

    rng = random.Random(args.seed)
    authors = make_authors()
    anonymous = Client()
    expert = Client()
    expert.force_login(authors[2])
    runs = {}
    for size in args.sizes:
        print(f"… thread of {size:,} posts: writing", file=sys.stderr, flush=True)
        thread = make_thread(size, authors, rng)
        url = f"/en/forum/t/{thread.pk}/"
        print(f"… thread of {size:,} posts: measuring", file=sys.stderr, flush=True)
        run = {}
        for label, per_page in (("all posts on one page", size), ("default page (100)", 100)):
            settings.KX_FORUM_POSTS_PER_PAGE = per_page
            for who, client in (("anonymous", anonymous), ("vetted expert", expert)):
                html = client.get(url).content.decode()
                shown = html.count('<li class="post')
                run[(label, who)] = (
                    common.measure(
                        client, [url], name=url, requests=args.requests, warmup=args.warmup
                    ),
                    shown,
                )
        runs[size] = run

    print("\n## Forum thread page\n")
    print("\n".join(common.environment_lines()))
    print(f"- {args.requests} timed requests per row after {args.warmup} warm-up requests\n")
    rows = []
    for size, run in runs.items():
        for (label, who), (measured, shown) in run.items():
            rows.append(
                [
                    f"{size:,}",
                    label,
                    who,
                    shown,
                    common.ms(measured.median_ms),
                    common.ms(measured.p95_ms),
                    measured.queries_label(),
                ]
            )
    print(
        common.markdown_table(
            ["Posts", "Page", "Reader", "Posts shown", "Median ms", "p95 ms", "Queries"],
            rows,
            "rllrrrr",
        )
    )
    largest = max(runs)
    worst = max(m.p95_ms for m, _shown in runs[largest].values())
    counts = {
        key: {m.queries_label() for m, _ in [run[key]]} for run in runs.values() for key in run
    }
    constant = all(
        len({runs[size][key][0].queries_label() for size in runs}) == 1 for key in counts
    )
    print(
        f"\nTarget p95 ≤ {args.target_ms:.0f} ms at {largest:,} posts: "
        f"{'met' if worst <= args.target_ms else 'MISSED'} (worst p95 {worst:.1f} ms). "
        f"Queries per request the same at every size: {'yes' if constant else 'NO'}."
    )
    if args.keep_db:
        print(f"\nDatabase kept in {workdir}", file=sys.stderr)
    return 0 if worst <= args.target_ms and constant else 1


if __name__ == "__main__":
    sys.exit(main())
