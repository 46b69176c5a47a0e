"""What the apps' API routers share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone


@contextmanager
def fields_renamed(rename: Callable[[str], str]) -> Iterator[None]:
    """A service names its own fields (``checklist``, ``choice_2``); the API names the
    body's (``checklist_id``, ``place_ids.1``). Messages of fields renamed to the same
    name are kept together."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed: dict[str, list[str]] = {}
        for field, messages in error.message_dict.items():
            name = field if field == NON_FIELD_ERRORS else rename(field)
            renamed.setdefault(name, []).extend(messages)
        raise ValidationError(renamed) from None


def aware(moment: dt.datetime) -> dt.datetime:
    """A time without a zone is Linhai time (settings.TIME_ZONE)."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
