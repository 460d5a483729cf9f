"""Notifications in the community export and import: each travels with its own recipient only,
without the generic reference or the operators' failure note."""

from __future__ import annotations

import pytest

from convene.core.portability import ImportRefused, community_export, community_import
from convene.notifications import services
from convene.notifications.models import Notification
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_communitys_notifications_travel_with_their_recipient():
    home, elsewhere = CommunityFactory(slug="home"), CommunityFactory(slug="elsewhere")
    member = MembershipFactory(community=home).user
    stranger = UserFactory()
    services.notify(recipients=[member], kind="team.published", obj=home, text="Yours", url="/x/", community=home)
    services.notify(recipients=[stranger], kind="team.published", text="Not here", community=elsewhere)
    Notification.objects.filter(recipient=member).update(mail_failed="bounce: 550")
    data = community_export(home)
    rows = [o for o in data["objects"] if o["model"] == "notifications.notification"]
    assert len(rows) == 1
    fields = rows[0]["fields"]
    assert fields["text"] == "Yours" and fields["recipient"] == member.pk
    assert not {"content_type", "object_id", "mail_failed"} & set(fields)
    assert community_import(data, slug="copy", name="Copy") > 0
    copied = Notification.objects.get(community__slug="copy")
    assert copied.recipient_id == member.pk and copied.text == "Yours" and copied.object_id is None
    assert copied.mailed_at == Notification.objects.get(community=home).mailed_at  # not mailed again


def test_an_import_refuses_a_notification_for_someone_outside_the_file():
    home = CommunityFactory(slug="home2")
    member = MembershipFactory(community=home).user
    services.notify(recipients=[member], kind="team.published", text="Yours", community=home)
    data = community_export(home)
    row = next(o for o in data["objects"] if o["model"] == "notifications.notification")
    row["fields"]["recipient"] = UserFactory().pk  # someone the file does not hold
    with pytest.raises(ImportRefused):
        community_import(data, slug="copy2", name="Copy")
