"""E-mail to residents when their feedback changes status (standard library ``smtplib``).

The message is written in the language the resident used, carries the tracking link and the
answer or reason, and nothing else from the item. Sending happens after the change is
committed; a failure is logged and never undoes the change.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.rules import format_tracking_code
from feedback.store import StatusChange
from feedback.web.labels import status_label


def status_change_message(change: StatusChange, link: str, sender: str) -> EmailMessage:
    with force_locale(change.language):
        code = format_tracking_code(change.tracking_code)
        status = status_label(change.status)
        message = EmailMessage()
        message["Subject"] = _("Your feedback %(code)s: %(status)s", code=code, status=status)
        message["From"] = sender
        message["To"] = change.email
        message["Message-ID"] = make_msgid(domain="open-budget-map")
        lines = [_("The status of your feedback %(code)s is now: %(status)s.", code=code, status=status), ""]
        if change.answer:
            lines += [_("The official answer:"), change.answer, ""]
        if change.reason:
            lines += [_("The reason:"), change.reason, ""]
        lines += [_("Follow your feedback here: %(link)s", link=link), "",
                  _("This message was sent because you left your e-mail address with your feedback "
                    "on the open budget map. Your address is never shown to the public.")]
        message.set_content("\n".join(lines))
    return message


def send_status_change(change: StatusChange, link: str) -> bool:
    """Send the e-mail; True if the server accepted it."""
    config = current_app.config
    message = status_change_message(change, link, config["MAIL_FROM"])
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]),
                          timeout=float(config["MAIL_TIMEOUT"])) as server:
            if config["MAIL_USE_TLS"]:
                server.starttls()
            if config["MAIL_USERNAME"]:
                server.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            server.send_message(message)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not e-mail the status change of feedback %s",
                                     format_tracking_code(change.tracking_code))
        return False
    return True
