"""Forms of the login pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from clientela.users import selectors

if TYPE_CHECKING:
    from django.forms.boundfield import BoundField

    from clientela.users.models import Role, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail and password do not match an active account."),
    }


# Administration in the product -----------------------------------------------------------
class TeamChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        from clientela.users.models import Team

        super().__init__(
            queryset=Team.objects.order_by("name"),
            required=False,
            empty_label=_("No team"),
            label=_("Team"),
            **kwargs,
        )


class RoleChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        from clientela.users.models import Role

        super().__init__(queryset=Role.objects.order_by("name"), label=_("Role"), **kwargs)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    team = TeamChoiceField()
    role = RoleChoiceField()


class AccessForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    team = TeamChoiceField()
    role = RoleChoiceField()


class DeactivateForm(forms.Form):
    successor: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Hand their records over to"),
        empty_label=_("Choose a colleague"),
    )

    def __init__(self, *args: Any, leaving: User, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        # self.fields holds a copy of the field declared above.
        cast("forms.ModelChoiceField[User]", self.fields["successor"]).queryset = (
            selectors.active().exclude(pk=leaving.pk).order_by("full_name", "email")
        )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("New team"), max_length=80)


class RoleForm(forms.Form):
    """A role's name, a scope per record type and action, its capabilities."""

    name = forms.CharField(label=_("Name"), max_length=80)
    require_two_factor = forms.BooleanField(
        label=_("Everyone in this role must use two-factor login"), required=False
    )

    def __init__(self, *args: Any, role: Role | None = None, **kwargs: Any) -> None:
        from clientela.core import permissions

        super().__init__(*args, **kwargs)
        current = role.permissions if role is not None else {}
        if role is not None:
            self.fields["name"].initial = role.name
            self.fields["require_two_factor"].initial = bool(current.get("require_two_factor"))
        scope_choices = [
            (permissions.NONE, _("None")),
            (permissions.OWN, _("Own")),
            (permissions.TEAM, _("Team")),
            (permissions.ALL, _("All")),
        ]
        self.matrix: list[tuple[str, list[str]]] = []
        for record_type in permissions.record_types():
            row = []
            for action in permissions.ACTIONS:
                name = f"{record_type}__{action}"
                self.fields[name] = forms.ChoiceField(
                    choices=scope_choices,
                    label=f"{record_type} {action}",
                    initial=current.get("records", {})
                    .get(record_type, {})
                    .get(action, permissions.NONE),
                )
                row.append(name)
            self.matrix.append((record_type, row))
        granted = set(current.get("capabilities", []))
        self.capability_names: list[str] = []
        for capability in permissions.CAPABILITIES:
            name = f"can__{capability}"
            self.fields[name] = forms.BooleanField(
                label=permissions.CAPABILITY_LABELS.get(capability, capability),
                required=False,
                initial=capability in granted,
            )
            self.capability_names.append(name)

    def matrix_rows(self) -> list[tuple[object, list[BoundField]]]:
        from clientela.core import permissions

        return [
            (permissions.record_type_label(record_type), [self[n] for n in names])
            for record_type, names in self.matrix
        ]

    def capability_fields(self) -> list[BoundField]:
        return [self[name] for name in self.capability_names]

    def permissions_value(self) -> dict:
        from clientela.core import permissions

        data = self.cleaned_data
        return {
            "records": {
                record_type: {
                    action: data[f"{record_type}__{action}"] for action in permissions.ACTIONS
                }
                for record_type in permissions.record_types()
            },
            "capabilities": [
                capability for capability in permissions.CAPABILITIES if data[f"can__{capability}"]
            ],
            "require_two_factor": data["require_two_factor"],
        }


# One's own account -------------------------------------------------------------------------
class LanguageForm(forms.Form):
    """The language picker of the user menu and the login page."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
