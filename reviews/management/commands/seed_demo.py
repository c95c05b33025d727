from django.core.management import call_command
from django.core.management.base import BaseCommand

from reviews import demo
from risks.demo import seed_risks


class Command(BaseCommand):
    help = "Create (idempotently) demo users, one per role, and a demo project."

    def handle(self, *args, **options):
        call_command("load_checklist", stdout=self.stdout)
        seeded = demo.seed_people_and_project()
        demo.seed_reviews(seeded)
        seed_risks(seeded)
        demo.seed_workshops_and_decisions(seeded)
        self.stdout.write(self.style.SUCCESS(f"Demo project: {seeded['project']}"))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for email, role in demo.logins():
            self.stdout.write(f"  {email:<32} {role}")
        self.stdout.write("Open http://127.0.0.1:8000 and log in with one of them.")
