"""Pol.is interoperability in the engine: metadata columns, exports read from bytes and zips
(within limits), statements from a CSV, and the writer's Pol.is conventions."""

from __future__ import annotations

import io
import zipfile

import pytest

from convene.engines.polis_io import (
    PolisFormatError,
    ZipLimits,
    read_polis,
    read_polis_files,
    read_statement_rows,
    unzip_polis,
    write_polis,
)

COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    "1000,x,0,5,1,0,1,First\n"
    '2000,x,1,5,0,1,-1,"Second, with comma"\n'
    "3000,x,2,6,0,0,0,Third\n"
)
VOTES = "timestamp,datetime,comment-id,voter-id,vote\n10,a,0,5,1\n11,a,1,6,-1\n12,a,2,6,0\n"


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_columns_that_are_not_comment_ids_are_metadata():
    """Newer Pol.is exports add `xid` (and may add more) after `participant`."""
    pv = (
        "participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,extra\n"
        "5,abc,0,2,1,1,0,1,,x\n6,,1,1,2,0,1,,-1,y\n"
    )
    export = read_polis_files({"comments.csv": COMMENTS.encode(), "participants-votes.csv": pv.encode()})
    assert export.metadata_columns == ("xid", "extra")
    assert sorted(export.votes[:, :3].tolist()) == [[5, 0, 1], [6, 1, -1]]
    assert export.group_ids == {5: 0, 6: 1}


def test_comments_keep_moderation_authors_and_times():
    export = read_polis_files({"comments.csv": COMMENTS.encode(), "votes.csv": VOTES.encode()})
    assert export.moderation == {0: 1, 1: -1, 2: 0} and export.moderated_out == (1,)
    assert export.authors == {0: 5, 1: 5, 2: 6} and export.created == {0: 1000, 1: 2000, 2: 3000}


def test_zip_at_the_root_or_in_a_folder_and_other_files_ignored():
    data = _zip({"conv/comments.csv": COMMENTS.encode(), "conv/votes.csv": VOTES.encode(), "conv/summary.csv": b"x"})
    files = unzip_polis(data)
    assert sorted(files) == ["comments.csv", "votes.csv"]
    assert read_polis_files(files).votes.shape == (3, 4)


@pytest.mark.parametrize(
    "data, limits, message",
    [
        (b"not a zip at all", ZipLimits(), "not a readable zip"),
        (_zip({"readme.txt": b"hello"}), ZipLimits(), "holds none of"),
        (_zip({f"f{i}.csv": b"x" for i in range(30)}), ZipLimits(), "holds 30 files"),
        (_zip({"votes.csv": b"0" * 5_000_000}), ZipLimits(), "zip bomb"),
        (_zip({"votes.csv": b"a,b\n" * 1000}), ZipLimits(max_member_bytes=1000), "too large"),
        (
            _zip({"comments.csv": b"a" * 800, "votes.csv": b"b" * 800}),
            ZipLimits(max_member_bytes=1000, max_total_bytes=1200),
            "too large",
        ),
        (_zip({"a/votes.csv": b"x", "b/votes.csv": b"y"}), ZipLimits(), "more than once"),
    ],
)
def test_hostile_zips_are_refused_with_a_reason(data, limits, message):
    with pytest.raises(PolisFormatError, match=message):
        unzip_polis(data, limits)


def test_a_zip_that_lies_about_its_sizes_is_cut_at_the_limit():
    data = bytearray(_zip({"votes.csv": b"1,2,3\n" * 2000}, compression=zipfile.ZIP_STORED))
    # Rewrite the declared uncompressed size (local header and central directory) to 10 bytes.
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(header)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(PolisFormatError):
        unzip_polis(bytes(data), ZipLimits(max_member_bytes=1000))


@pytest.mark.parametrize(
    "files, message",
    [
        ({"comments.csv": b"\xff\xfe\x00bad", "votes.csv": VOTES.encode()}, "not UTF-8"),
        (
            {
                "comments.csv": COMMENTS.encode(),
                "votes.csv": b'comment-id,voter-id,vote\n"' + b"x" * 200_000 + b'",1,1\n',
            },
            "malformed CSV",
        ),
        ({"comments.csv": COMMENTS.encode(), "votes.csv": b'comment-id,voter-id,vote\n"0,1\n'}, "too few fields"),
        ({"comments.csv": COMMENTS.encode(), "votes.csv": b"comment-id,voter-id,vote\n0,1,9\n"}, "unknown vote"),
        ({"votes.csv": VOTES.encode()}, "comments.csv is missing"),
    ],
)
def test_bad_files_in_memory_raise_polis_format_error(files, message):
    with pytest.raises(PolisFormatError, match=message):
        read_polis_files(files)


def test_writer_marks_accepted_comments_and_writes_whole_millisecond_timestamps(tmp_path):
    votes = [(1, 10, 1, 1796496834815.176), (2, 11, -1, 1796496834999.9)]
    write_polis(
        tmp_path,
        votes=votes,
        statements={10: "Ten", 11: "Eleven", 12: "Out"},
        moderated_out=[12],
        accepted=[10, 11],
        groups={1: 0, 2: 1},
        created={10: 1796496800000.5, 11: 1796496800001.0},
    )
    assert (tmp_path / "votes.csv").read_text().splitlines()[1].startswith("1796496834815,")
    export = read_polis(tmp_path)  # reads back: timestamps are integers
    assert export.votes[:, 3].tolist() == [1796496834815, 1796496834999]
    assert export.moderation == {10: 1, 11: 1, 12: -1} and export.created[10] == 1796496800000
    assert export.group_ids == {1: 0, 2: 1}


def test_statement_rows_from_a_header_or_the_first_column():
    assert read_statement_rows(b"statement,notes\nOne idea,x\n\n,\nTwo, more\n") == [(2, "One idea"), (5, "Two")]
    assert read_statement_rows("First\n“Second”\n".encode()) == [(1, "First"), (2, "“Second”")]
    assert read_statement_rows(COMMENTS.encode())[0] == (2, "First")
    with pytest.raises(PolisFormatError, match="not UTF-8"):
        read_statement_rows(b"\xff\xfe\xfa")
