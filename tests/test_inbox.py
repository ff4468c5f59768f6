from aid_pipeline.warehouse.inbox import list_inbox, partition_key_of, report_id_of


def test_report_id_drops_every_extension():
    assert report_id_of("000_ab.txt") == "000_ab"
    assert report_id_of("dir/x.tar.gz") == "x"


def test_safe_names_are_their_own_key():
    assert partition_key_of("000_ab12.txt") == "000_ab12"
    assert partition_key_of("援疆报告.txt") == "援疆报告"


def test_unsafe_names_get_a_safe_distinct_key():
    a = partition_key_of("../etc passwd.txt")
    b = partition_key_of("..-etc passwd.txt")
    assert "/" not in a and ".." not in a and " " not in a
    assert a != b


def test_list_inbox_marks_what_cannot_be_a_report_and_disambiguates_stems(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "a.md").write_text("y")
    (tmp_path / ".hidden.txt").write_text("z")
    (tmp_path / ".DS_Store").write_text("os metadata")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    files = list_inbox(tmp_path)
    by_name = {f.path.name: f for f in files}
    assert sorted(by_name) == [".hidden.txt", "a.md", "a.txt", "link.txt", "sub"]  # only OS metadata is skipped
    assert {n: f.refused for n, f in by_name.items()} == {
        ".hidden.txt": "hidden_file", "a.md": None, "a.txt": None, "link.txt": "symlink", "sub": "folder",
    }
    assert len({f.partition_key for f in files}) == 5
    assert len({f.report_id for f in files}) == 5
