"""Text messages (短信) to mobile phones, through a pluggable backend.

``settings.TUOYU_SMS_BACKEND`` names the backend class by dotted path, like Django's
``EMAIL_BACKEND``. Two ship with the platform:

* :class:`ConsoleBackend` (the default) writes each message as one line to standard output,
  so the operator of the demo reads verification codes in the server's console;
* :class:`LocmemBackend` keeps messages in the module's :data:`outbox` (tests).

A real gateway (an operator's SMS service) is a class with the :class:`SmsBackend`
interface: constructed without arguments, ``send`` delivers one message or raises.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

CONSOLE_BACKEND = "tuoyu.common.sms.ConsoleBackend"
LOCMEM_BACKEND = "tuoyu.common.sms.LocmemBackend"


class SmsBackend(Protocol):
    """What a gateway implements. ``phone`` is a normalised 11-digit mainland number;
    ``message`` is the full text, signature included. Failures raise (any exception): the
    caller's transaction is then rolled back and the code is not stored."""

    def send(self, *, phone: str, message: str) -> None: ...


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    message: str
    sent_at: dt.datetime


outbox: list[SmsMessage] = []
"""Messages sent through :class:`LocmemBackend`, oldest first."""


def outbox_clear() -> None:
    outbox.clear()


class ConsoleBackend:
    """One line per message on standard output, like Django's console e-mail backend."""

    _lock = threading.Lock()

    def send(self, *, phone: str, message: str) -> None:
        line = f"[SMS {timezone.now().isoformat(timespec='seconds')}] to {phone}: {message}\n"
        with self._lock:
            sys.stdout.write(line)
            sys.stdout.flush()


class LocmemBackend:
    """Appends to :data:`outbox`; nothing leaves the process."""

    def send(self, *, phone: str, message: str) -> None:
        outbox.append(SmsMessage(phone=phone, message=message, sent_at=timezone.now()))


def backend_name() -> str:
    return str(getattr(settings, "TUOYU_SMS_BACKEND", CONSOLE_BACKEND))


def backend_is_console() -> bool:
    return backend_name() == CONSOLE_BACKEND


def sms_send(*, phone: str, message: str) -> None:
    """Send ``message`` to ``phone`` through the configured backend."""
    backend: SmsBackend = import_string(backend_name())()
    backend.send(phone=phone, message=message)
