"""proxstate.store.layout: resource id <-> document path, and path safety for any name."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxstate.errors import StoreError
from proxstate.store.layout import (
    CLUSTERS_DIR,
    cluster_dir,
    document_header,
    document_path,
    resource_glob_matches,
    resource_of_path,
)


@pytest.mark.parametrize(
    ("resource_id", "path"),
    [
        ("cluster", "clusters/lab/cluster.yaml"),
        ("node/pve1", "clusters/lab/nodes/pve1.yaml"),
        ("qemu/101", "clusters/lab/qemu/101.yaml"),
        ("lxc/200", "clusters/lab/lxc/200.yaml"),
        ("storage/local-lvm", "clusters/lab/storage/local-lvm.yaml"),
        ("storage/ceph_pool.1", "clusters/lab/storage/ceph_pool.1.yaml"),
        ("content/pve1/local", "clusters/lab/content/pve1/local.yaml"),
        ("content/_shared/cephfs", "clusters/lab/content/_shared/cephfs.yaml"),
        ("tasks/pve2/2026-11-01", "clusters/lab/tasks/pve2/2026-11-01.yaml"),
    ],
)
def test_mapping(resource_id: str, path: str) -> None:
    assert document_path("lab", resource_id) == PurePosixPath(path)
    assert resource_of_path(path) == ("lab", resource_id)
    assert resource_of_path(PurePosixPath(path)) == ("lab", resource_id)


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("..", "%2E%2E"),
        (".", "%2E"),
        (".hidden", "%2Ehidden"),
        ("-rf", "%2Drf"),
        ("a/b", "a%2Fb"),
        ("a\\b", "a%5Cb"),
        ("50%", "50%25"),
        ("nul\0", "nul%00"),
        ("line\nbreak", "line%0Abreak"),
        ("trailing.", "trailing%2E"),
        ("two words", "two%20words"),
        ("c:d", "c%3Ad"),
        ("", "%"),
        ("nœud", "nœud"),
        ("lone\ud800", "lone%ED%A0%80"),
    ],
)
def test_unsafe_names_are_escaped(name: str, escaped: str) -> None:
    assert document_path("lab", f"node/{name}") == PurePosixPath(f"clusters/lab/nodes/{escaped}.yaml")
    assert resource_of_path(f"clusters/lab/nodes/{escaped}.yaml") == ("lab", f"node/{name}")


def test_cluster_name_is_escaped_too() -> None:
    assert document_path("../x", "cluster") == PurePosixPath("clusters/%2E.%2Fx/cluster.yaml")
    assert cluster_dir("../x") == PurePosixPath("clusters/%2E.%2Fx")
    assert resource_of_path("clusters/%2E.%2Fx/cluster.yaml") == ("../x", "cluster")


@pytest.mark.parametrize("name", ["n" * 450, "é" * 3000, "x" * 201, ".." + "/" * 300])
def test_a_name_too_long_for_a_file_gets_a_bounded_name(name: str) -> None:
    """A short readable start and a hash of the whole name; the file's first line names it."""
    path = document_path("lab", f"node/{name}")
    assert len(path.parts) == 4 and len(path.name.encode()) <= 110 and "%~" in path.name
    assert resource_of_path(path) is None  # the path alone does not say which name it is
    header = document_header("lab", f"node/{name}")
    assert header.startswith(b"# proxstate-path: clusters/lab/nodes/") and header.endswith(b"\n")
    content = header + b"kind: node\n"
    assert resource_of_path(path, content) == ("lab", f"node/{name}")
    # A header naming another resource (or none) does not make the file a document.
    assert resource_of_path(path, document_header("lab", "node/" + "m" * 450) + b"x: 1\n") is None
    assert resource_of_path(path, b"kind: node\n") is None
    assert document_header("lab", "node/pve1") == b""


def test_long_names_differ_by_more_than_their_start() -> None:
    first, second = "a" * 300 + "1", "a" * 300 + "2"
    assert document_path("lab", f"storage/{first}") != document_path("lab", f"storage/{second}")
    long_cluster = "c" * 1000
    path = document_path(long_cluster, "content/" + "n" * 3000 + "/" + "s" * 3000)
    assert len(str(path).encode()) < 400
    header = document_header(long_cluster, "content/" + "n" * 3000 + "/" + "s" * 3000)
    assert resource_of_path(path, header) == (long_cluster, "content/" + "n" * 3000 + "/" + "s" * 3000)


@pytest.mark.parametrize(
    "resource_id",
    ["qemu/abc", "qemu/", "qemu/1/2", "lxc/-1", "tasks/pve1/yesterday", "tasks/2026-11-01", "content/x",
     "nodes/pve1", "unknown/x", "qemu", ""],
)  # fmt: skip
def test_bad_resource_ids(resource_id: str) -> None:
    with pytest.raises(StoreError, match="not a resource id"):
        document_path("lab", resource_id)


@pytest.mark.parametrize(
    "path",
    ["proxstate.yaml", "README.md", "clusters/lab/README.md", "clusters/lab/qemu/101.yml",
     "clusters/lab/qemu/abc.yaml", "clusters/lab/nodes/a/b.yaml", "clusters/lab/other/x.yaml",
     "clusters/lab/nodes/%2e.yaml", "clusters/lab/nodes/%41.yaml", "clusters/lab/nodes/..yaml",
     "clusters/lab/nodes/a%.yaml", "clusters/lab/cluster.yaml/x.yaml", "clusters/cluster.yaml",
     "clusters/lab/nodes/a%+.yaml", "clusters/lab/tasks/pve1/today.yaml", "other/lab/cluster.yaml"],
)  # fmt: skip
def test_other_files_are_not_documents(path: str) -> None:
    assert resource_of_path(path) is None


def test_glob() -> None:
    assert resource_glob_matches("qemu/*", "qemu/101")
    assert not resource_glob_matches("qemu/*", "lxc/101")
    assert resource_glob_matches("content/*/local", "content/pve1/local")
    assert resource_glob_matches("qemu/10?", "qemu/105")
    assert resource_glob_matches("cluster", "cluster")
    assert not resource_glob_matches("QEMU/*", "qemu/101")


_ODD_CHARACTERS = st.characters(categories=["Cs", "Cc", "Zs", "Zl", "Po"])
_NAMES = (
    st.text(max_size=300)
    | st.text(_ODD_CHARACTERS, max_size=20)
    | st.sampled_from(["", ".", "..", "-", "%", "%25", "%+", "a%+", "%~", ".git", "é" * 150])
)
_KINDS = st.sampled_from(["node", "storage", "content", "tasks"])


def _assert_safe(path: PurePosixPath, cluster: str) -> None:
    root = cluster_dir(cluster)
    assert path.parts[: len(root.parts)] == root.parts
    assert len(path.parts) > len(root.parts)
    for part in path.parts:
        assert part not in ("", ".", "..")
        assert not part.startswith(("-", "."))
        assert "\\" not in part and "\0" not in part
        assert not any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in part)
        assert len(part.encode("utf-8")) <= 205  # 200 and the .yaml suffix
    assert root.parts[0] == CLUSTERS_DIR


@settings(max_examples=200, deadline=None)
@given(cluster=_NAMES, node=_NAMES, name=_NAMES, kind=_KINDS)
def test_any_name_stays_under_its_cluster(cluster: str, node: str, name: str, kind: str) -> None:
    resource_id = {
        "node": f"node/{name}",
        "storage": f"storage/{name}",
        "content": f"content/{node}/{name}",
        "tasks": f"tasks/{node}/2026-01-31",
    }[kind]
    path = document_path(cluster, resource_id)
    _assert_safe(path, cluster)
    header = document_header(cluster, resource_id)
    assert resource_of_path(path, header) == (cluster, resource_id)
    assert resource_of_path(str(path), header + b"kind: x\n") == (cluster, resource_id)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_escaping_is_injective(first: str, second: str) -> None:
    if first != second:
        assert document_path("lab", f"storage/{first}") != document_path("lab", f"storage/{second}")
        assert cluster_dir(first) != cluster_dir(second)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab%+~.-/2E5F", max_size=6), min_size=1, max_size=6))
def test_any_path_that_parses_is_canonical(parts: list[str]) -> None:
    path = "/".join(["clusters", *parts]) + ".yaml"
    located = resource_of_path(path)
    if located is not None:
        assert str(document_path(*located)) == path


def test_the_name_of_a_long_name_is_stable_to_the_byte() -> None:
    """A name of 200 bytes is a file name as it is; from 201 bytes on it is filed as its first 64
    bytes, `%~` and 32 hex digits. Any change of that rule would move the files of a record."""
    assert document_path("lab", "storage/" + "s" * 200).name == "s" * 200 + ".yaml"
    hashed = document_path("lab", "storage/" + "s" * 201).name
    assert re.fullmatch(r"s{64}%~[0-9a-f]{32}\.yaml", hashed)
    wide = document_path("lab", "storage/" + "é" * 101).name  # 202 bytes: 32 whole characters fit
    assert re.fullmatch(r"é{32}%~[0-9a-f]{32}\.yaml", wide)


def test_a_long_name_with_a_lone_surrogate_is_filed_and_found_again() -> None:
    """JSON can carry a lone surrogate (`\\ud800`); the name is filed under its hash like any other."""
    rid = "storage/\ud800" + "s" * 250
    path = document_path("lab", rid)
    assert path.name.startswith("%ED%A0%80" + "s" * 55 + "%~")
    assert resource_of_path(path, document_header("lab", rid) + b"kind: storage\n") == ("lab", rid)


def test_a_first_line_that_is_not_utf_8_makes_no_document() -> None:
    path = document_path("lab", "storage/" + "s" * 250)
    assert resource_of_path(path, b"# proxstate-path: clusters/lab/storage/\xff.yaml\n") is None
    assert resource_of_path(path, b"# proxstate-path: clusters/lab/storage/\xed\xa0\x80.yaml\n") is None


def test_a_long_name_written_out_in_full_is_no_document() -> None:
    """proxstate never writes such a path (it files the name under its hash), so it does not read one."""
    assert resource_of_path("clusters/lab/storage/" + "s" * 250 + ".yaml") is None
    assert resource_of_path("clusters/" + "c" * 250 + "/cluster.yaml") is None


@pytest.mark.parametrize(
    "path", ["clusters/lab//qemu/101.yaml", "clusters/./lab/qemu/101.yaml", "./clusters/lab/qemu/101.yaml"]
)
def test_a_path_typed_with_doubled_slashes_or_dots_names_its_document(path: str) -> None:
    assert resource_of_path(path) == ("lab", "qemu/101")


@pytest.mark.parametrize("path", ["", ".", "/", "clusters"])
def test_an_empty_or_top_level_path_is_no_document(path: str) -> None:
    assert resource_of_path(path) is None
