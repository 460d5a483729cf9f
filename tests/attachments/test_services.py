"""attachment_add / attachment_remove: limits, sniffing, names, storage and clean-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from convene.accounts.services import account_delete
from convene.attachments import selectors
from convene.attachments.models import Attachment
from convene.attachments.services import attachment_add, attachment_remove, clean_filename
from convene.core.errors import Conflict, InvalidInput, TooLarge, Unprocessable, UnsupportedType
from convene.core.portability import community_export
from convene.discussions.models import Follow
from convene.discussions.services import thread_hide
from convene.notifications.models import Notification

from .files import PDF, docx_bytes, pdf, png, png_bytes, upload

pytestmark = pytest.mark.django_db


def _stored(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def test_a_pdf_is_written_under_media_root_with_a_random_name(world, parents, media):
    added = attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=pdf("Agenda.pdf"))
    files = _stored(media)
    assert len(files) == 1
    assert files[0].read_bytes() == PDF
    assert files[0].parent == media / "attachments"
    assert added.key in files[0].name and "Agenda" not in files[0].name
    assert len(added.key) >= 32
    assert (added.filename, added.kind, added.content_type, added.size) == (
        "Agenda.pdf",
        "pdf",
        "application/pdf",
        len(PDF),
    )


def test_keys_differ_for_the_same_file(world, parents, media):
    one = attachment_add(parent=parents["project"], uploader=world.users["coordinator"], file=pdf())
    two = attachment_add(parent=parents["project"], uploader=world.users["coordinator"], file=pdf())
    assert one.key != two.key and one.stored_name != two.stored_name


def test_a_png_renamed_pdf_is_refused(world, parents, media):
    with pytest.raises(UnsupportedType) as refused:
        attachment_add(
            parent=parents["session"], uploader=world.users["coordinator"], file=upload("agenda.pdf", png_bytes())
        )
    assert "PDF" in refused.value.message and "PNG" in refused.value.message
    assert refused.value.status == 415
    assert _stored(media) == [] and not Attachment.objects.exists()


def test_the_clients_content_type_is_ignored(world, parents, media):
    claimed = upload("notes.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, content_type="text/plain")
    with pytest.raises(UnsupportedType):
        attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=claimed)


def test_html_is_not_taken_even_as_text(world, parents, media):
    with pytest.raises(UnsupportedType) as refused:
        attachment_add(
            parent=parents["session"],
            uploader=world.users["coordinator"],
            file=upload("page.html", b"<script>alert(1)</script>"),
        )
    assert ".html" in refused.value.message


def test_office_files_are_told_by_their_entries(world, parents, media):
    added = attachment_add(
        parent=parents["response"], uploader=world.users["coordinator"], file=upload("paper.docx", docx_bytes())
    )
    assert added.kind == "docx"
    with pytest.raises(UnsupportedType):  # a Word document is not a spreadsheet
        attachment_add(
            parent=parents["response"], uploader=world.users["coordinator"], file=upload("sheet.xlsx", docx_bytes())
        )
    with pytest.raises(UnsupportedType):  # a bare zip is nothing we take
        attachment_add(
            parent=parents["response"],
            uploader=world.users["coordinator"],
            file=upload("paper.docx", b"PK\x03\x04" + b"\x00" * 40),
        )


def test_text_kinds_come_from_the_extension(world, parents, media):
    added = attachment_add(
        parent=parents["thread"],
        uploader=world.users["member"],
        file=upload("rota.csv", "name,shift\nAnn,早\n".encode()),
    )
    assert added.kind == "csv" and added.content_type.startswith("text/csv")


def test_a_name_without_extension_gets_the_right_one(world, parents, media):
    added = attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=upload("minutes", PDF))
    assert added.filename == "minutes.pdf"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.pdf", "system.pdf"),
        ("/abs/path/agenda.pdf", "agenda.pdf"),
        ("a\u202egnp.pdf", "agnp.pdf"),
        ('bad"; name.pdf', "bad__ name.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("x" * 400 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_names_are_cleaned(sent, kept):
    assert clean_filename(sent) == kept


def test_path_traversal_never_leaves_the_media_folder(world, parents, media):
    added = attachment_add(
        parent=parents["session"], uploader=world.users["coordinator"], file=upload("../../../outside.pdf", PDF)
    )
    assert added.filename == "outside.pdf"
    assert [p.parent for p in _stored(media)] == [media / "attachments"]
    assert not (media.parent / "outside.pdf").exists()


def test_oversize_is_refused_with_the_limit(world, parents, media, settings):
    settings.CONVENE_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(TooLarge) as refused:
        attachment_add(
            parent=parents["session"], uploader=world.users["coordinator"], file=upload("big.pdf", PDF + b"0" * 2000)
        )
    assert refused.value.status == 413
    assert "big.pdf" in refused.value.message and "1000" in refused.value.message.replace("\xa0", " ")
    assert _stored(media) == []


def test_empty_file_is_refused(world, parents, media):
    with pytest.raises(InvalidInput):
        attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=upload("a.pdf", b""))


def test_types_follow_the_setting(world, parents, media, settings):
    settings.CONVENE_ATTACHMENT_TYPES = ["pdf"]
    with pytest.raises(UnsupportedType) as refused:
        attachment_add(parent=parents["project"], uploader=world.users["coordinator"], file=png(), alt_text="A chart")
    assert "Accepted: PDF." in refused.value.message


def test_images_need_alt_text(world, parents, media):
    with pytest.raises(Unprocessable) as refused:
        attachment_add(parent=parents["project"], uploader=world.users["coordinator"], file=png(), alt_text="  ")
    assert refused.value.field == "alt_text" and refused.value.status == 422
    added = attachment_add(
        parent=parents["project"], uploader=world.users["coordinator"], file=png(), alt_text="Bed chart, May"
    )
    assert added.is_image and added.alt_text == "Bed chart, May"


def test_a_hidden_thread_takes_no_files(world, parents, media):
    thread_hide(thread=parents["thread"], actor=world.users["coordinator"], reason="Off topic")
    with pytest.raises(Conflict):
        attachment_add(parent=parents["thread"], uploader=world.users["member"], file=pdf())


def test_only_the_four_parent_kinds(world, media):
    with pytest.raises(InvalidInput):
        attachment_add(parent=world.private, uploader=world.users["coordinator"], file=pdf())


def test_remove_deletes_the_file_after_commit(world, parents, media, django_capture_on_commit_callbacks):
    added = attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=pdf())
    assert len(_stored(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(attachment=added, actor=world.users["coordinator"])
    assert _stored(media) == []


def test_a_rolled_back_removal_keeps_the_file(world, parents, media, django_capture_on_commit_callbacks):
    added = attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=pdf())
    pk = added.pk
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        attachment_remove(attachment=added, actor=world.users["coordinator"])
        transaction.set_rollback(True)
    assert callbacks == []
    assert Attachment.objects.filter(pk=pk).exists() and len(_stored(media)) == 1


def test_deleting_the_parent_removes_its_files(world, parents, media, django_capture_on_commit_callbacks):
    attachment_add(parent=parents["project"], uploader=world.users["coordinator"], file=pdf())
    attachment_add(parent=parents["thread"], uploader=world.users["member"], file=pdf())
    assert len(_stored(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        parents["project"].delete()
    assert len(_stored(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        parents["thread"].delete()
    assert _stored(media) == []


def test_leaving_keeps_the_file_and_forgets_the_uploader(world, parents, media):
    member = world.users["member"]
    added = attachment_add(parent=parents["thread"], uploader=member, file=pdf("my notes.pdf"))
    assert selectors.personal_data(member)["attachments"][0]["filename"] == "my notes.pdf"
    account_delete(user=member)
    added.refresh_from_db()
    assert added.uploaded_by is None and len(_stored(media)) == 1
    assert selectors.uploader_name(added) == "A former member"


def test_anonymous_responses_never_name_the_uploader(world, parents, media):
    added = attachment_add(parent=parents["anonymous"], uploader=world.users["coordinator"], file=pdf())
    assert selectors.uploader_name(added) is None
    assert selectors.as_dict(added)["uploaded_by"] is None
    assert selectors.community_metadata(world.private)[0]["uploaded_by"] is None
    named = attachment_add(parent=parents["response"], uploader=world.users["coordinator"], file=pdf())
    assert selectors.uploader_name(named) == world.users["coordinator"].display_name


def test_a_file_in_a_thread_reaches_its_followers(world, parents, media):
    thread = parents["thread"]
    Follow.objects.create(user=world.users["coordinator"], thread=thread)
    Follow.objects.create(user=world.users["member"], thread=thread)
    attachment_add(parent=thread, uploader=world.users["member"], file=pdf("swap list.pdf"))
    told = Notification.objects.filter(kind="discussion.reply")
    assert [n.recipient_id for n in told] == [world.users["coordinator"].pk]  # not the uploader
    assert "swap list.pdf" in told[0].text and told[0].url.endswith("#attachments")


def test_community_export_lists_file_metadata_not_bytes(world, parents, media):
    attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=pdf("Agenda.pdf"))
    attachment_add(parent=parents["thread"], uploader=world.users["member"], file=pdf("Swaps.pdf"))
    exported = community_export(world.private)
    listed = exported["attachments"]
    assert sorted(a["filename"] for a in listed) == ["Agenda.pdf", "Swaps.pdf"]
    assert all(
        set(a) == {"filename", "size", "content_type", "alt_text", "attached_to", "uploaded_by", "created_at"}
        for a in listed
    )
    assert "key" not in str(listed) and PDF.decode() not in str(exported)
    assert community_export(world.public)["attachments"] == []


def test_personal_data_download_lists_ones_uploads(world, parents, media, client):
    member = world.users["member"]
    attachment_add(parent=parents["thread"], uploader=member, file=pdf("Mine.pdf"))
    attachment_add(parent=parents["session"], uploader=world.users["coordinator"], file=pdf("Theirs.pdf"))
    client.force_login(member)
    data = client.get("/me/data.json").json()
    assert [a["filename"] for a in data["attachments"]] == ["Mine.pdf"]
