"""The unread-notification count of the navigation and the "Request an exchange" box."""

from django import template

from experts.exchange_forms import ExchangeRequestForm
from experts.exchanges import is_own_target, is_requestable
from experts.models import ExpertProfile, Institution, Notification, ProfileStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context):
    """One COUNT query, only for signed-in users."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@register.inclusion_tag("experts/exchanges/_request_box.html", takes_context=True)
def exchange_request_box(context, target):
    """`target`: the visible_profile() dict of an expert, or an Institution."""
    request = context.get("request")
    user = getattr(request, "user", None)
    data = {"request": request, "shown": False, "anonymous": False}
    if isinstance(target, Institution):
        obj = target
        action_name, action_arg = "exchange_request_institution", target.slug
    else:
        obj = ExpertProfile.objects.filter(pk=target["id"], status=ProfileStatus.APPROVED).first()
        action_name, action_arg = "exchange_request_expert", target["id"]
    if obj is None or not is_requestable(obj):
        return data
    data.update(shown=True, action_name=action_name, action_arg=action_arg)
    if user is None or not user.is_authenticated:
        data["anonymous"] = True
    elif is_own_target(user, obj):
        data["shown"] = False
    else:
        data["form"] = ExchangeRequestForm(user=user)
    return data
