"""factory_boy factories for every model the tests create."""

import datetime

import factory
from django.utils import timezone

from accounts.models import Membership, Role, User
from reviews.models import Project

DEMO_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(DEMO_PASSWORD)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    customer = factory.Faker("company")
    go_live_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    scopes = factory.LazyFunction(lambda: ["finance_operations"])
    created_by = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.CONTRIBUTOR
