"""Tokens of the agencies' systems: ``api_token create --provider CODE [--expires-days N]``
(the token alone on the last line: shown once, stored only as its hash), ``api_token list``,
``api_token revoke <id or prefix>``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from api import services
from api.models import ApiToken
from desks.models import Provider


class Command(BaseCommand):
    help = "Create, list or revoke the API tokens of agency systems (one provider each)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="A new token for a provider; printed once, on the last line.")
        create.add_argument("--provider", required=True, help="The provider's code, e.g. DINKES.")
        create.add_argument("--expires-days", type=int, default=None, help="Valid this many days (default: no end).")
        create.add_argument("--note", default="", help="What the token is for (which system, who holds it).")
        create.add_argument("--dry-run", action="store_true", help="Check the provider; make nothing.")
        listing = sub.add_parser("list", help="Every token: id, prefix, provider, state, dates.")
        listing.add_argument("--provider", default=None)
        revoke = sub.add_parser("revoke", help="Revoke a token at once (the next call with it gets 401).")
        revoke.add_argument("token", help="The token's id or the start of its prefix (as `list` shows).")
        revoke.add_argument("--dry-run", action="store_true", help="Say which token; revoke nothing.")

    def handle(self, *args, subcommand, **options):
        try:
            return getattr(self, f"_{subcommand}")(**options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _provider(self, code: str) -> Provider:
        provider = Provider.objects.filter(code__iexact=code.strip()).first()
        if provider is None:
            codes = ", ".join(Provider.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No provider with the code {code!r}. Known: {codes}")
        return provider

    def _create(self, *, provider, expires_days, note, dry_run, **_):
        provider = self._provider(provider)
        if dry_run:
            self.stdout.write(f"would create a token for {provider.code} ({provider.name}); nothing made")
            return
        with transaction.atomic():
            new = services.token_create(provider=provider, expires_days=expires_days, note=note)
        expiry = f"expires {timezone.localtime(new.token.expires_at):%Y-%m-%d %H:%M}" if new.token.expires_at else "no expiry"
        self.stdout.write(f"token id={new.token.pk} prefix={new.token.prefix} for {provider.code} ({provider.name}), "
                          f"{expiry}. It is shown once: give it to the agency's system now.")
        self.stdout.write(new.secret)

    def _list(self, *, provider, **_):
        tokens = ApiToken.objects.select_related("provider").order_by("provider__code", "-created_at")
        if provider:
            tokens = tokens.filter(provider=self._provider(provider))
        count = 0
        for token in tokens:
            count += 1
            used = f"{timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            expires = f"{timezone.localtime(token.expires_at):%Y-%m-%d}" if token.expires_at else "-"
            self.stdout.write(f"{token.pk:>5}  {token.prefix}  {token.provider.code:<12} {token.state:<8} "
                              f"created {timezone.localtime(token.created_at):%Y-%m-%d}  expires {expires}  "
                              f"last used {used}  {token.note}")
        self.stdout.write(f"tokens={count}")

    def _revoke(self, *, token, dry_run, **_):
        found = services.token_find(token)
        if dry_run:
            self.stdout.write(f"would revoke token id={found.pk} prefix={found.prefix} of {found.provider.code}")
            return
        was = found.revoked_at
        found = services.token_revoke(token=found)
        state = "was already revoked" if was else "revoked"
        self.stdout.write(f"token id={found.pk} prefix={found.prefix} of {found.provider.code} {state}")
