"""factory-boy factories shared by the whole suite."""

import factory
from django.contrib.auth.hashers import make_password

from convene.accounts.models import User
from convene.communities.models import Community, GlossaryTerm, Membership, Role

PASSWORD = "a-long-test-password"
_HASH = make_password(PASSWORD)  # hashing once keeps the suite fast


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password = _HASH

    @factory.post_generation
    def name(obj, create, extracted, **kwargs):
        obj.profile.display_name = extracted or obj.email.split("@")[0].replace(".", " ").title()
        obj.profile.save()


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    domain = "A shared practice"
    visibility = "public"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    community = factory.SubFactory(CommunityFactory)
    term = factory.Sequence(lambda n: f"term {n}")
    definition = "What it means here."
