"""Run the follow-up reminders sweep by hand: ``send_reminders [--dry-run] [--today DATE]``."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from projects.models import Project
from reminders.digests import GROUPS, DigestSendError, describe_planned
from reminders.services import reminders_sweep

LINE_LABELS = {
    "action_overdue": "overdue",
    "action_escalated": "escalated",
    "action_due_soon": "due soon",
    "signoff_awaited": "sign-off",
    "condition_missed": "reverted",
    "acceptance_expired": "expired",
}


class Command(BaseCommand):
    help = (
        "Send today's reminder digests (one per person per day). --dry-run prints who would "
        "get what and sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the digests; record and send nothing."
        )
        parser.add_argument(
            "--today", help="Run as on this date (YYYY-MM-DD, site time) instead of today."
        )
        parser.add_argument(
            "--hour",
            type=int,
            choices=range(24),
            metavar="0-23",
            help="Run as at this hour of the day (site time); default: the current hour.",
        )

    def handle(self, *args, dry_run=False, today=None, hour=None, **options):
        now = timezone.localtime()
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError(f"--today must be a date like 2026-11-26: {error}") from error
            now = now.replace(year=day.year, month=day.month, day=day.day)
        if hour is not None:
            now = now.replace(hour=hour, minute=0, second=0, microsecond=0)
        when = f"{now:%A %d %B %Y, %H:%M}"
        if dry_run:
            self.stdout.write(f"Reminder sweep as at {when} (dry run: nothing recorded or sent)")
            result = reminders_sweep(now=now, dry_run=True)
            self._print_plan(result, now)
            return
        try:
            result = reminders_sweep(now=now)
        except DigestSendError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Reminder sweep as at {when}: {result.digests_sent} digest(s) sent with "
                f"{result.reminders_recorded} reminder(s); {result.held} held back; "
                f"{len(result.reverted)} conditional go decision(s) reverted."
            )
        )

    def _print_plan(self, result, now):
        if not result.planned:
            self.stdout.write("Nobody has anything due: no digest would be sent.")
            return
        described = describe_planned(result.planned, now=now)
        names = dict(
            Project.objects.filter(
                pk__in={line["project_id"] for _, lines in described for line in lines}
            ).values_list("pk", "name")
        )
        order = {key: index for index, (key, _) in enumerate(GROUPS)}
        due = 0
        for digest, lines in described:
            person = digest.recipient
            state = f"held: {digest.held}" if digest.held else "would be sent"
            if not lines:
                state += " (resend of an unsent digest)"
            self.stdout.write(f"\n{person.email} ({person.full_name}): {len(lines)} — {state}")
            due += 0 if digest.held else 1
            project_id = None
            for line in sorted(
                lines, key=lambda x: (names[x["project_id"]], order[x["group"]], x["sort"])
            ):
                if line["project_id"] != project_id:
                    project_id = line["project_id"]
                    self.stdout.write(f"  [{names[project_id]}]")
                self.stdout.write(
                    f"  {LINE_LABELS[line['kind']]:<10} {line['title']} — {line['detail']}"
                )
                self.stdout.write(f"  {'':<10} {line['url']}")
        self.stdout.write(
            f"\n{due} digest(s) would be sent now; {len(result.planned) - due} held back."
        )
