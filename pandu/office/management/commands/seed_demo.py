import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clients import demo as clients_demo
from clients.models import Household
from pandu.office import demo, reports
from referrals import demo as referrals_demo
from verivali import demo as verivali_demo


class Command(BaseCommand):
    help = "Create one demo user per role (printed) and realistic demo data for every page. Not for production."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Only add demo data when there are no households yet.")
        parser.add_argument("--households", type=int, default=60, help="How many demo households (default 60).")
        parser.add_argument("--dry-run", action="store_true", help="Build everything, then roll it back.")
        parser.add_argument(
            "--keep-demo-passwords",
            action="store_true",
            help="Do not ask demo accounts to change their password at first login, and mark the head, "
            "administrator and data officer exempt from the second factor (browser tests, training rooms).",
        )

    def handle(self, *args, if_empty=False, households=60, dry_run=False, keep_demo_passwords=False, **options):
        today = timezone.localdate()
        rng = random.Random(2026)
        with transaction.atomic():
            users = demo.seed_users(
                today=today, force_password_change=not keep_demo_passwords, second_factor_exempt=keep_demo_passwords
            )
            made = referrals = 0
            if not (if_empty and Household.objects.exists()):
                created = clients_demo.seed(today=today, households=households, rng=rng)
                made = len(created)
                clients_demo.seed_complaints(households=created, data_officer=users["data"], front_desk=users["loket"])
                clients_demo.seed_duplicates(households=created)
                verivali_demo.seed(today=today, users=users, rng=rng)
                referrals = referrals_demo.seed(today=today, rng=rng, users=users, cases=max(20, households))
                clients_demo.seed_programmes(households=created, today=today, front_desk=users["loket"])
                demo.seed_eligibility_rules()
                reports.report_make(month=reports.last_month())  # last month's draft, for the head to read
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(demo.logins_text(second_factor_exempt=keep_demo_passwords))
        self.stdout.write(("dry run, nothing saved: " if dry_run else "") + f"demo households created={made} referrals={referrals}")
