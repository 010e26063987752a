"""Posts rendered before mentions were left-to-right isolates (issue 11, item 12) get
their HTML again from their Markdown, so "@name" reads the right way round on Arabic
pages. Only posts with a mention are touched; the rendering is the one posting uses."""

from django.db import migrations


def rerender_mentions(apps, schema_editor):
    from kx_platform.sanitize import render_markdown

    Post = apps.get_model("forum", "Post")
    for post in Post.objects.filter(body_html__contains='<span class="mention">').iterator():
        post.body_html = str(render_markdown(post.body))
        post.save(update_fields=["body_html"])


class Migration(migrations.Migration):
    dependencies = [("forum", "0004_posts_outlive_their_authors")]

    operations = [migrations.RunPython(rerender_mentions, migrations.RunPython.noop)]
