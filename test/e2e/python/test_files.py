"""Uploads, commits, downloads, refs and HfFileSystem through huggingface_hub."""
import hashlib
import os

import pytest
from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationCopy,
    CommitOperationDelete,
    HfFileSystem,
    hf_hub_download,
    snapshot_download,
)
from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, RevisionNotFoundError


def test_upload_small_and_lfs(api, repo_id, tmp_path):
    big = os.urandom(20 * 1024 * 1024)
    api.upload_file(path_or_fileobj=b"hello", path_in_repo="dir/hello.txt", repo_id=repo_id)
    api.upload_file(path_or_fileobj=big, path_in_repo="weights.bin", repo_id=repo_id)
    info = {s.rfilename: s for s in api.model_info(repo_id, files_metadata=True).siblings}
    assert info["weights.bin"].lfs.sha256 == hashlib.sha256(big).hexdigest()
    assert info["weights.bin"].size == len(big)
    assert info["dir/hello.txt"].lfs is None
    p = hf_hub_download(repo_id, "weights.bin", cache_dir=tmp_path, endpoint=api.endpoint)
    assert open(p, "rb").read() == big
    # the path under blobs/ is named by the sha256 ETag, the snapshot by the commit
    assert os.path.basename(os.path.realpath(p)) == hashlib.sha256(big).hexdigest()
    # paths-info agrees with the download headers
    [entry] = api.get_paths_info(repo_id, ["weights.bin"])
    assert entry.lfs.sha256 == hashlib.sha256(big).hexdigest()


def test_upload_folder_patterns(api, repo_id, tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("a")
    (src / "b.json").write_text("{}")
    (src / "sub" / "c.txt").write_text("c")
    (src / "sub" / "skip.log").write_text("log")
    api.upload_folder(folder_path=src, repo_id=repo_id, allow_patterns=["*.txt", "sub/*"], ignore_patterns=["*.log"])
    assert sorted(api.list_repo_files(repo_id)) == [".gitattributes", "a.txt", "sub/c.txt"]
    api.upload_folder(folder_path=src, repo_id=repo_id, path_in_repo="nested")
    files = set(api.list_repo_files(repo_id))
    assert {"nested/a.txt", "nested/b.json", "nested/sub/c.txt", "nested/sub/skip.log"} <= files


def test_create_commit_add_delete_rename(api, repo_id):
    lfs = os.urandom(1024)
    api.create_commit(
        repo_id,
        operations=[
            CommitOperationAdd("keep.txt", b"keep"),
            CommitOperationAdd("old.txt", b"rename me"),
            CommitOperationAdd("model.safetensors", lfs),
            CommitOperationAdd("gone.txt", b"bye"),
        ],
        commit_message="many ops",
    )
    # rename = copy + delete in one commit (LFS copy is server-side by oid)
    api.create_commit(
        repo_id,
        operations=[
            CommitOperationCopy("old.txt", "new.txt"),
            CommitOperationDelete("old.txt"),
            CommitOperationCopy("model.safetensors", "renamed.safetensors"),
            CommitOperationDelete("model.safetensors"),
            CommitOperationDelete("gone.txt"),
        ],
        commit_message="rename and delete",
    )
    files = set(api.list_repo_files(repo_id))
    assert files == {".gitattributes", "keep.txt", "new.txt", "renamed.safetensors"}
    p = hf_hub_download(repo_id, "renamed.safetensors", endpoint=api.endpoint)
    assert open(p, "rb").read() == lfs
    titles = [c.title for c in api.list_repo_commits(repo_id)]
    assert titles[:2] == ["rename and delete", "many ops"]
    with pytest.raises(EntryNotFoundError):
        api.delete_file("never-existed.txt", repo_id)


def test_stale_parent_commit_refused(api, repo_id):
    parent = api.model_info(repo_id).sha
    api.upload_file(path_or_fileobj=b"1", path_in_repo="one.txt", repo_id=repo_id)
    with pytest.raises(HfHubHTTPError) as e:
        api.create_commit(repo_id, operations=[CommitOperationAdd("two.txt", b"2")], commit_message="late", parent_commit=parent)
    assert e.value.response.status_code == 412
    assert "two.txt" not in api.list_repo_files(repo_id)


def test_delete_folder(api, repo_id):
    api.create_commit(repo_id, operations=[CommitOperationAdd(f"folder/{i}.txt", b"x") for i in range(3)] + [CommitOperationAdd("folder2/x.txt", b"y")], commit_message="files")
    api.delete_folder("folder", repo_id)
    assert set(api.list_repo_files(repo_id)) == {".gitattributes", "folder2/x.txt"}


def test_download_cache_and_revalidation(api, repo_id, tmp_path):
    api.upload_file(path_or_fileobj=b"v1", path_in_repo="f.txt", repo_id=repo_id)
    p1 = hf_hub_download(repo_id, "f.txt", cache_dir=tmp_path, endpoint=api.endpoint)
    assert open(p1, "rb").read() == b"v1"
    mtime = os.stat(os.path.realpath(p1)).st_mtime_ns
    p1b = hf_hub_download(repo_id, "f.txt", cache_dir=tmp_path, endpoint=api.endpoint)
    assert p1b == p1 and os.stat(os.path.realpath(p1b)).st_mtime_ns == mtime  # cache hit
    api.upload_file(path_or_fileobj=b"v2", path_in_repo="f.txt", repo_id=repo_id)
    p2 = hf_hub_download(repo_id, "f.txt", cache_dir=tmp_path, endpoint=api.endpoint)
    assert p2 != p1 and open(p2, "rb").read() == b"v2"  # revalidated against the new commit
    assert open(p1, "rb").read() == b"v1"  # old snapshot untouched
    # a commit id is served from the cache without asking the server
    sha = api.model_info(repo_id).sha
    assert open(hf_hub_download(repo_id, "f.txt", revision=sha, cache_dir=tmp_path, endpoint=api.endpoint), "rb").read() == b"v2"
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(repo_id, "missing.txt", cache_dir=tmp_path, endpoint=api.endpoint)


def test_snapshot_download_revisions(api, repo_id, tmp_path):
    api.create_commit(repo_id, operations=[CommitOperationAdd("a.txt", b"a1"), CommitOperationAdd("b.bin", os.urandom(100))], commit_message="v1")
    first = api.model_info(repo_id).sha
    api.create_tag(repo_id, tag="v1.0")
    api.create_branch(repo_id, branch="stable")
    api.upload_file(path_or_fileobj=b"a2", path_in_repo="a.txt", repo_id=repo_id)
    for rev in ("stable", "v1.0", first):
        d = snapshot_download(repo_id, revision=rev, cache_dir=tmp_path / "c", endpoint=api.endpoint)
        assert open(os.path.join(d, "a.txt"), "rb").read() == b"a1"
        assert os.path.basename(d) == first
    d = snapshot_download(repo_id, allow_patterns=["*.txt"], cache_dir=tmp_path / "d", endpoint=api.endpoint)
    assert sorted(os.listdir(d)) == ["a.txt"]
    assert open(os.path.join(d, "a.txt"), "rb").read() == b"a2"


def test_tree_refs_commits(api, repo_id):
    api.create_commit(repo_id, operations=[CommitOperationAdd("1/2/x.txt", b"x"), CommitOperationAdd("3/y.txt", b"y")], commit_message="tree")
    items = list(api.list_repo_tree(repo_id, recursive=True))
    paths = {i.path for i in items}
    assert {"1", "1/2", "1/2/x.txt", "3", "3/y.txt", ".gitattributes"} == paths
    sub = list(api.list_repo_tree(repo_id, path_in_repo="1"))
    assert [i.path for i in sub] == ["1/2"]
    expanded = list(api.list_repo_tree(repo_id, path_in_repo="3", expand=True))
    assert expanded[0].last_commit.title == "tree"
    with pytest.raises(EntryNotFoundError):
        list(api.list_repo_tree(repo_id, path_in_repo="nope"))
    refs = api.list_repo_refs(repo_id)
    assert [b.name for b in refs.branches] == ["main"] and refs.tags == []
    assert refs.branches[0].target_commit == api.model_info(repo_id).sha
    assert [c.title for c in api.list_repo_commits(repo_id)] == ["tree", "initial commit"]


def test_branches_tags_and_squash(api, repo_id):
    api.upload_file(path_or_fileobj=b"1", path_in_repo="1.txt", repo_id=repo_id)
    api.create_branch(repo_id, branch="feature")
    with pytest.raises(HfHubHTTPError) as e:
        api.create_branch(repo_id, branch="feature")
    assert e.value.response.status_code == 409
    api.create_branch(repo_id, branch="feature", exist_ok=True)
    api.upload_file(path_or_fileobj=b"2", path_in_repo="2.txt", repo_id=repo_id, revision="feature")
    assert "2.txt" not in api.list_repo_files(repo_id)
    assert "2.txt" in api.list_repo_files(repo_id, revision="feature")
    api.create_tag(repo_id, tag="t1", revision="feature")
    with pytest.raises(HfHubHTTPError) as e:
        api.create_tag(repo_id, tag="t1")
    assert e.value.response.status_code == 409
    with pytest.raises(RevisionNotFoundError):
        api.create_tag(repo_id, tag="t2", revision="no-such-branch")
    assert "2.txt" in api.list_repo_files(repo_id, revision="t1")
    api.delete_tag(repo_id, tag="t1")
    with pytest.raises(RevisionNotFoundError):
        api.delete_tag(repo_id, tag="t1")
    with pytest.raises(HfHubHTTPError):
        api.delete_branch(repo_id, branch="main")
    api.super_squash_history(repo_id, branch="feature", commit_message="squashed")
    commits = api.list_repo_commits(repo_id, revision="feature")
    assert [c.title for c in commits] == ["squashed"]
    assert set(api.list_repo_files(repo_id, revision="feature")) == {".gitattributes", "1.txt", "2.txt"}
    assert len(api.list_repo_commits(repo_id)) == 2  # main untouched
    api.delete_branch(repo_id, branch="feature")
    assert [b.name for b in api.list_repo_refs(repo_id).branches] == ["main"]


def test_hf_file_system(api, repo_id):
    data = bytes(range(256)) * 4096  # 1 MiB, goes to LFS as binary
    api.create_commit(repo_id, operations=[CommitOperationAdd("data/blob.bin", data), CommitOperationAdd("data/readme.txt", b"text")], commit_message="fs")
    fs = HfFileSystem(endpoint=api.endpoint, token=api.token)
    listing = fs.ls(f"{repo_id}/data", detail=True)
    assert {os.path.basename(e["name"]) for e in listing} == {"blob.bin", "readme.txt"}
    assert fs.glob(f"{repo_id}/data/*.bin") == [f"{repo_id}/data/blob.bin"]
    info = fs.info(f"{repo_id}/data/blob.bin")
    assert info["size"] == len(data) and info["lfs"]["size"] == len(data)
    with fs.open(f"{repo_id}/data/blob.bin", "rb") as f:
        f.seek(1000)
        assert f.read(5000) == data[1000:6000]
        f.seek(len(data) - 10)
        assert f.read() == data[-10:]
    assert fs.cat_file(f"{repo_id}/data/readme.txt") == b"text"
    assert fs.cat_file(f"{repo_id}/data/blob.bin", start=10, end=20) == data[10:20]
