"""Telling a passing mail fault from a refusal for good, for every sender that records
what it sent (the reminder digests, calendar invitations)."""

from smtplib import SMTPRecipientsRefused, SMTPResponseException, SMTPSenderRefused


def is_permanent_refusal(error):
    """Whether a send error is the relay refusing this message or recipient for good (5xx),
    as opposed to a passing fault (connection refused or lost, a 4xx answer) worth a retry.

    A refused sender is the relay refusing every digest: it stops the sweep like an outage.
    A ValueError is an address Django cannot write into a message (sanitize_address).
    """
    if isinstance(error, ValueError):
        return True
    if isinstance(error, SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, SMTPSenderRefused):
        return False
    if isinstance(error, SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def mail_error_text(error):
    """The relay's answer for a log or a row, at most 2,000 characters."""
    if isinstance(error, SMTPRecipientsRefused):
        answers = "; ".join(
            f"{address}: {code} {_decoded(text)}"
            for address, (code, text) in error.recipients.items()
        )
        return f"Recipient refused ({answers})"[:2000]
    if isinstance(error, SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code} {_decoded(error.smtp_error)}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def _decoded(text):
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)
