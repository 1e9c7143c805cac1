"""factory_boy factories. Reference rows (regions, providers, services) come from
`load_reference_data`; these make the rows a test needs beyond them."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clients.models import Household, Person, Region
from clients.nik import make_nik
from desks.models import Desk, DeskAssignment

PASSWORD = "Correct-horse-2026"
_serial = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    password = factory.django.Password(PASSWORD)


def user_with_role(role: str, **kwargs):
    user = UserFactory(**kwargs)
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return user


def officer(*, username: str, provider, desk_code: str | None = None, starts_on=None, ends_on=None):
    user = user_with_role("desk_officer", username=username)
    DeskAssignment.objects.create(
        user=user,
        provider=provider,
        desk=Desk.objects.get(code=desk_code) if desk_code else None,
        starts_on=starts_on or datetime.date(2020, 1, 1),
        ends_on=ends_on,
    )
    return user


def village(code: str = "64.03.05.1004") -> Region:
    return Region.objects.get(code=code)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    kk_number = factory.Sequence(lambda n: f"640305010120{n:04d}")
    address = "Jl. Pemuda No. 1"
    rt = "004"
    rw = "002"
    village = factory.LazyFunction(village)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    full_name = "Siti Aminah"
    sex = "P"
    birth_date = datetime.date(1985, 3, 12)
    relationship = Person.Relationship.HEAD
    nik = factory.LazyAttribute(
        lambda o: make_nik(kecamatan_code="64.03.05", birth_date=o.birth_date, sex=o.sex, serial=next(_serial))
    )


def confirmed_app(user):
    """The user's authenticator app (django-otp TOTP device), made if they have none: a session
    holding its id (``django_otp.DEVICE_ID_SESSION_KEY``) has passed the second factor."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
