"""Write an outbox row for every change that affects what search may show, and have
searches use the glossary as moderators change it."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from search.documents import document_for_model
from search.glossary import glossary_changed
from search.models import GlossaryConcept
from search.outbox import enqueue


def _enqueue_page(page, action):
    document = document_for_model(page.specific_class or type(page))
    if document is not None:
        enqueue(document.content_type_name, [page.pk], action)


def _enqueue_subtree(page):
    """A move or a permission change can affect every page below it."""
    from search.documents import page_documents

    for document in page_documents():
        model = document.get_model()
        ids = model.objects.filter(path__startswith=page.path).values_list("pk", flat=True)
        enqueue(document.content_type_name, ids, "index")


@receiver(page_published)
def on_publish(sender, instance, **kwargs):
    _enqueue_page(instance, "index")


@receiver(page_unpublished)
def on_unpublish(sender, instance, **kwargs):
    _enqueue_page(instance, "delete")


@receiver(post_page_move)
def on_move(sender, instance, **kwargs):
    _enqueue_subtree(instance)


@receiver(pre_delete, sender=Page)
def on_delete_tree(sender, instance, **kwargs):
    from search.documents import page_documents

    for document in page_documents():
        model = document.get_model()
        ids = model.objects.filter(path__startswith=instance.path).values_list("pk", flat=True)
        enqueue(document.content_type_name, ids, "delete")


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def on_view_restriction_change(sender, instance, **kwargs):
    try:
        page = instance.page
    except Page.DoesNotExist:
        return
    _enqueue_subtree(page)


# --- The expert roster ------------------------------------------------------------------
# Every change to what an expert document holds (the profile, its languages, links,
# themes, pillars, regions, its institution, a vetting decision, the privacy policy)
# re-indexes the profile; the drain indexes approved profiles and deletes the others.


def _enqueue_experts(ids, action="index"):
    from search.documents import ExpertDocument

    enqueue(ExpertDocument.content_type_name, ids, action)


def _connect_expert_signals():
    from experts.models import (
        ExpertLanguage,
        ExpertLink,
        ExpertProfile,
        ExpertTheme,
        Institution,
        PrivacyPolicy,
        ProfileStatus,
        VettingDecision,
    )

    def on_profile_save(sender, instance, **kwargs):
        _enqueue_experts([instance.pk])

    def on_profile_delete(sender, instance, **kwargs):
        _enqueue_experts([instance.pk], "delete")

    def on_part_change(sender, instance, **kwargs):
        profile_id = getattr(instance, "profile_id", None) or getattr(
            instance, "content_object_id", None
        )
        if profile_id:
            _enqueue_experts([profile_id])

    def on_m2m_change(sender, instance, action, reverse, model, pk_set, **kwargs):
        if not action.startswith("post_"):
            return
        if isinstance(instance, ExpertProfile):
            _enqueue_experts([instance.pk])
        elif reverse and model is ExpertProfile and pk_set:
            _enqueue_experts(pk_set)

    def on_institution_change(sender, instance, **kwargs):
        _enqueue_experts(instance.experts.values_list("pk", flat=True))

    def on_policy_change(sender, instance, created=False, **kwargs):
        if created and not instance.minimum_tiers:
            return  # the first load() stores the defaults: nothing changes
        approved = ExpertProfile.objects.filter(status=ProfileStatus.APPROVED)
        _enqueue_experts(approved.values_list("pk", flat=True))

    # The receivers are local functions: weak=False keeps them alive.
    uid = "search.experts"
    post_save.connect(on_profile_save, sender=ExpertProfile, weak=False, dispatch_uid=f"{uid}.save")
    post_delete.connect(
        on_profile_delete, sender=ExpertProfile, weak=False, dispatch_uid=f"{uid}.delete"
    )
    for model in (ExpertLanguage, ExpertLink, ExpertTheme, VettingDecision):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                on_part_change,
                sender=model,
                weak=False,
                dispatch_uid=f"{uid}.{model.__name__}.{name}",
            )
    for through in (
        ExpertProfile.pillars.through,
        ExpertProfile.regions.through,
        ExpertTheme,
    ):
        m2m_changed.connect(
            on_m2m_change, sender=through, weak=False, dispatch_uid=f"{uid}.m2m.{through.__name__}"
        )
    post_save.connect(
        on_institution_change, sender=Institution, weak=False, dispatch_uid=f"{uid}.inst"
    )
    # Before the delete: afterwards the profiles no longer point to the institution.
    pre_delete.connect(
        on_institution_change, sender=Institution, weak=False, dispatch_uid=f"{uid}.inst.delete"
    )
    post_save.connect(
        on_policy_change, sender=PrivacyPolicy, weak=False, dispatch_uid=f"{uid}.policy"
    )


_connect_expert_signals()


# --- The experts' forum -----------------------------------------------------------------
# A thread's documents hold its title, themes, category (visibility) and published posts:
# any change to one of them re-indexes the thread; the drain indexes visible threads and
# deletes the others.


def enqueue_discussions(ids, action="index"):
    from search.documents import DiscussionDocument

    enqueue(DiscussionDocument.content_type_name, ids, action)


def _connect_forum_signals():
    from experts.forum.models import Category, Post, Thread, ThreadTheme

    def on_thread_save(sender, instance, **kwargs):
        enqueue_discussions([instance.pk])

    def on_thread_delete(sender, instance, **kwargs):
        enqueue_discussions([instance.pk], "delete")

    def on_post_change(sender, instance, **kwargs):
        enqueue_discussions([instance.thread_id])

    def on_theme_change(sender, instance, **kwargs):
        enqueue_discussions([instance.content_object_id])

    def on_category_save(sender, instance, **kwargs):
        enqueue_discussions(instance.threads.values_list("pk", flat=True))

    uid = "search.forum"
    post_save.connect(on_thread_save, sender=Thread, weak=False, dispatch_uid=f"{uid}.thread")
    post_delete.connect(
        on_thread_delete, sender=Thread, weak=False, dispatch_uid=f"{uid}.thread.delete"
    )
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(on_post_change, sender=Post, weak=False, dispatch_uid=f"{uid}.post.{name}")
        signal.connect(
            on_theme_change, sender=ThreadTheme, weak=False, dispatch_uid=f"{uid}.theme.{name}"
        )
    post_save.connect(on_category_save, sender=Category, weak=False, dispatch_uid=f"{uid}.category")


_connect_forum_signals()


# --- The glossary -----------------------------------------------------------------------
# After commit, so a process rebuilding its glossary at once reads the committed concepts.


@receiver(post_save, sender=GlossaryConcept)
@receiver(post_delete, sender=GlossaryConcept)
def on_glossary_concept_change(sender, instance, **kwargs):
    transaction.on_commit(glossary_changed)
