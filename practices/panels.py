"""Guidance at the top of the practice form: which fields each tab requires before submitting.

Wagtail lets a draft be saved incomplete and only marks a tab once the server has refused the
form. An expert writing a first practice should know beforehand that the Classification tab
holds required fields too: this panel lists them per tab, and `practices/required_fields.js`
marks the tabs and stops a submission with empty required fields on a tab out of sight.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.panels import Panel

# Filled in by Wagtail itself (the slug follows the title): nothing for the author to do.
FILLED_IN_BY_WAGTAIL = frozenset({"slug"})


class RequiredFieldsPanel(Panel):
    """Lists the required fields of every tab of the model's edit handler."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "practices/admin/required_fields_panel.html"

        def is_shown(self):
            return bool(self.tabs)

        @property
        def tabs(self):
            if not hasattr(self, "_tabs"):
                self._tabs = required_fields_by_tab(self.panel.model, self.form)
            return self._tabs

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["tabs"] = self.tabs
            context["script_data"] = {
                "message": str(_("This field is required to submit the practice.")),
                "summary": str(
                    _("Some required fields are empty: they are marked below and on their tab.")
                ),
                "tabs": [
                    {"marker": tab["marker"], "fields": [f["name"] for f in tab["fields"]]}
                    for tab in self.tabs
                ],
            }
            return context


def required_fields_by_tab(model, form):
    """[{heading, marker, fields: [{name, label}]}] for each tab holding a required field."""
    extra_required = set(getattr(form, "required_rich_text", ()))
    root = model.get_edit_handler()
    tabs = []
    for tab in root.children:
        fields = []
        for name in tab.get_form_options().get("fields", []):
            field = form.fields.get(name)
            if field is None or name in FILLED_IN_BY_WAGTAIL:
                continue
            if field.required or name in extra_required or name in form.deferred_required_fields:
                fields.append({"name": name, "label": field.label or name})
        if fields:
            count = len(fields)
            tabs.append(
                {
                    "heading": tab.heading,
                    "marker": ngettext(
                        "%(count)d required field", "%(count)d required fields", count
                    )
                    % {"count": count},
                    "fields": fields,
                }
            )
    return tabs
