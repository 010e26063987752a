"""Write an outbox row for every change that affects what search may show."""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from search.documents import document_for_model
from search.outbox import enqueue


def _enqueue_page(page, action):
    document = document_for_model(page.specific_class or type(page))
    if document is not None:
        enqueue(document.content_type_name, [page.pk], action)


def _enqueue_subtree(page):
    """A move or a permission change can affect every page below it."""
    from search.documents import DOCUMENTS

    for document in DOCUMENTS.values():
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
    from search.documents import DOCUMENTS

    for document in DOCUMENTS.values():
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
