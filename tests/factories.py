"""Factories for the tests (factory_boy)."""

from __future__ import annotations

import factory

from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Building, Division, GridMember

DEFAULT_PASSWORD = "Test-passw0rd-2026"


class GridFactory(factory.django.DjangoModelFactory):
    """A grid under an existing community (pass parent=<community>)."""

    class Meta:
        model = Division

    level = Level.GRID
    kind = Kind.GRID
    parent = factory.LazyFunction(lambda: Division.objects.get(code="340111002001"))
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{900 - n % 900:03d}")
    name = factory.LazyAttribute(lambda o: f"{o.parent.name}测试网格{o.code[-3:]}")
    population = 1200


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    grid = factory.SubFactory(GridFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.grid.code}{n % 10000:04d}")
    estate = "测试花园"
    name = factory.LazyAttribute(lambda o: f"测试花园{int(o.code[-4:])}栋")
    address = factory.LazyAttribute(lambda o: f"{o.grid.parent.name}测试花园")
    lng = 117.3
    lat = 31.8


class GridMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridMember

    grid = factory.SubFactory(GridFactory)
    name = "张伟"
    phone = "13855667788"


def make_user(code: str, *roles: str, username: str | None = None, **extra):
    from gongzhi.accounts.services import user_create

    return user_create(
        username=username or f"u{code}_{'_'.join(roles)}",
        password=DEFAULT_PASSWORD,
        division=Division.objects.get(code=code),
        roles=roles,
        **extra,
    )
