from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cutover.demo import seed_cutover
from decisions.demo import seed_decisions
from notifications.demo import settle_demo_notifications
from projects import demo as people_demo
from reviews.demo import seed_reviews, seed_workshops
from risks.demo import seed_risks
from support.demo import seed_support
from webhooks.demo import seed_webhooks


class Command(BaseCommand):
    help = "Create (idempotently) demo users, one per role, and a demo project."

    def handle(self, *args, **options):
        call_command("load_checklist", stdout=self.stdout)
        seeded = people_demo.seed_people_and_project()
        seed_reviews(seeded)
        seed_risks(seeded)
        seed_workshops(seeded)
        seed_cutover(seeded)
        seed_support(seeded)
        seed_decisions(seeded)
        seed_webhooks(seeded)
        settle_demo_notifications(seeded["project"])
        self.stdout.write(self.style.SUCCESS(f"Demo project: {seeded['project']}"))
        self.stdout.write(f"Demo logins (password for all: {people_demo.DEMO_PASSWORD}):")
        for email, role in people_demo.logins():
            self.stdout.write(f"  {email:<32} {role}")
        self.stdout.write(f"Open {settings.SITE_URL} and log in with one of them.")
