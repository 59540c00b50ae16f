"""Every database constraint has a human message on its field.

Django's default message names the constraint («Begrensning "campaign_closes_after_it_opens"
er brutt.»), and a check constraint's error is never on a field. A model lists each of its
constraints in `constraint_messages` — name → (the field the message belongs on, or None for
the form as a whole; the message) — and takes this mixin, so model validation (and with it
every ModelForm) reports the message on its field. The messages live here, beside the model,
rather than as `violation_error_message` on the constraints, which would need a migration in
every app for text that never reaches the database.

tests/portal/test_constraint_messages.py checks that every constraint of every model in the
project has its message."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import router


class HumanConstraints:
    """Model mixin: the constraints' messages from `constraint_messages`, on their fields."""

    constraint_messages: ClassVar[dict[str, tuple[str | None, str]]] = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError:
            pass
        else:
            return
        using = router.db_for_write(self.__class__, instance=self)
        errors: dict = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    field, message = self.constraint_messages.get(constraint.name, (None, None))
                    if message is None:
                        errors = error.update_error_dict(errors)
                        continue
                    # A field the form does not show cannot carry the error: the form's own.
                    key = field if field and not (exclude and field in exclude) else (
                        NON_FIELD_ERRORS)
                    errors.setdefault(key, []).append(
                        ValidationError(message, code=constraint.name))
        if errors:
            raise ValidationError(errors)
