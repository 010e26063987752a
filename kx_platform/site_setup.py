"""Make sure every fresh database has the page tree, locales and page permissions.

Groups and taxonomy come from migrations; the page tree needs the real page classes
(treebeard paths, translations), so it is built after `migrate` by this idempotent
post_migrate handler: a home page per language, a practice index and a guidebook under
each, and the Experts group's right to create practices there.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from kx_platform.site_texts import english_text, setup_text

EXPERTS = "Experts"
MODERATORS = "Moderators"


def content_language_codes():
    return [code for code, _label in settings.WAGTAIL_CONTENT_LANGUAGES]


def ensure_site_structure(sender=None, using="default", verbosity=1, **kwargs):
    from django.db import connections
    from wagtail.models import Locale

    tables = connections[using].introspection.table_names()
    if not {"practices_practiceindexpage", "practices_guidebookindexpage"} <= set(tables):
        return  # a partial migrate: the tree is built once every app is migrated
    with transaction.atomic(using=using):
        for code in content_language_codes():
            Locale.objects.using(using).get_or_create(language_code=code)
        home = _ensure_home()
        index = _ensure_practice_index(home)
        _ensure_translations(home)
        _ensure_translations(index)
        _ensure_translations(_ensure_guidebook_index(home))
        _ensure_expert_page_permissions(index)
        _ensure_moderation_workflow()


def _default_locale():
    from wagtail.models import Locale

    return Locale.objects.get(language_code=settings.LANGUAGE_CODE)


def _publish(page):
    page.save_revision().publish()


def _ensure_home():
    from wagtail.models import Page, Site

    from kx_platform.models import HomePage

    locale = _default_locale()
    home = HomePage.objects.filter(locale=locale, depth=2).first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(slug="home", locale=locale)
        _set_setup_texts(home, locale.language_code)
        # Wagtail's initial migration leaves a placeholder "Welcome" page on the slug we want.
        for placeholder in root.get_children().filter(slug="home").exact_type(Page):
            if not placeholder.get_children().exists():
                placeholder.delete()
        root.refresh_from_db()
        root.add_child(instance=home)
        _publish(home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "KX"
        site.save()
    return home


def _ensure_practice_index(home):
    from practices.models import PracticeIndexPage

    index = PracticeIndexPage.objects.child_of(home).first()
    if index is None:
        index = PracticeIndexPage(slug="practices")
        _set_setup_texts(index, home.locale.language_code)
        home.add_child(instance=index)
        _publish(index)
    return index


def _ensure_guidebook_index(home):
    from practices.models import GuidebookIndexPage

    guidebook = GuidebookIndexPage.objects.child_of(home).first()
    if guidebook is None:
        guidebook = GuidebookIndexPage(slug="guidebook")
        _set_setup_texts(guidebook, home.locale.language_code)
        home.add_child(instance=guidebook)
        _publish(guidebook)
    return guidebook


def _set_setup_texts(page, language_code):
    page.title = setup_text(page.setup_texts, "title", language_code)
    page.intro = setup_text(page.setup_texts, "intro", language_code)


def _ensure_translations(page):
    """A published copy of `page` in every content language, with its texts in that language;
    a copy an earlier set-up left with the English texts gets its own language's."""
    from wagtail.models import Locale

    for code in content_language_codes():
        locale = Locale.objects.get(language_code=code)
        existing = page.get_translations(inclusive=True).filter(locale=locale).first()
        if existing is None:
            copy = page.specific.copy_for_translation(locale)
            _set_setup_texts(copy, code)
            copy.save()
            _publish(copy)
        elif code != "en":
            _repair_english_texts(existing.specific, code)


def _repair_english_texts(page, language_code):
    """Replace the set-up's English title and intro left on a page of another language.
    Only the untouched English texts of a page without a pending draft are replaced: whatever
    a moderator wrote stays."""
    if page.has_unpublished_changes:
        return
    kind = page.setup_texts
    changed = False
    for field in ("title", "intro"):
        if getattr(page, field) == english_text(kind, field):
            translated = setup_text(kind, field, language_code)
            if translated != english_text(kind, field):
                setattr(page, field, translated)
                changed = True
    if changed:
        revision = page.save_revision()
        if page.live:
            revision.publish()


def _ensure_expert_page_permissions(index):
    from wagtail.models import GroupPagePermission

    experts, _created = Group.objects.get_or_create(name=EXPERTS)
    add_page = Permission.objects.get(content_type__app_label="wagtailcore", codename="add_page")
    for translated_index in index.get_translations(inclusive=True):
        GroupPagePermission.objects.get_or_create(
            group=experts, page=translated_index, permission=add_page
        )


def _ensure_moderation_workflow():
    """Wagtail ships a 'Moderators approval' workflow; make sure it gates every page."""
    from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage, WorkflowTask

    root = Page.get_first_root_node()
    moderators, _created = Group.objects.get_or_create(name=MODERATORS)
    existing = WorkflowPage.objects.filter(page=root).select_related("workflow").first()
    if existing and existing.workflow.active:
        return
    task, _created = GroupApprovalTask.objects.get_or_create(name="Moderators approval")
    if not task.groups.filter(pk=moderators.pk).exists():
        task.groups.add(moderators)
    workflow, _created = Workflow.objects.get_or_create(name="Moderators approval")
    workflow.active = True
    workflow.save()
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
