"""The member's own data: download it as JSON, or delete the account (experts.account_data)."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from experts.account_data import delete_account, export_user_data, may_delete_account


@login_required
@require_GET
def account_data(request):
    data = export_user_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="kx-account-data.json"'
    response["Cache-Control"] = "no-store"
    return response


class DeleteAccountForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Your username"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Your password"), widget=forms.PasswordInput, strip=False
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("username") != self.user.get_username():
            raise forms.ValidationError(_("Type your username exactly as it is."))
        if not self.user.check_password(cleaned.get("password") or ""):
            raise forms.ValidationError(_("The password is not correct."))
        return cleaned


@login_required
def account_delete(request):
    allowed = may_delete_account(request.user)
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST":
        if not allowed:
            messages.error(
                request,
                _(
                    "Moderators and administrators cannot delete their own account; "
                    "ask another administrator."
                ),
            )
        elif form.is_valid():
            delete_account(request.user)
            logout(request)
            messages.success(request, _("Your account was deleted."))
            return redirect(reverse("wagtail_serve", args=[""]))
        else:
            messages.error(request, _("Your account was not deleted."))
    return render(request, "experts/account_delete.html", {"form": form, "allowed": allowed})
