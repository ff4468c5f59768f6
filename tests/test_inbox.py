from aid_pipeline.inbox import list_inbox, partition_key_of, report_id_of


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


def test_list_inbox_skips_hidden_and_folders_and_disambiguates_stems(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "a.md").write_text("y")
    (tmp_path / ".hidden.txt").write_text("z")
    (tmp_path / "sub").mkdir()
    files = list_inbox(tmp_path)
    assert [f.path.name for f in files] == ["a.md", "a.txt"]
    assert len({f.partition_key for f in files}) == 2
    assert len({f.report_id for f in files}) == 2
