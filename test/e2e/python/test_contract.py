"""The HF API contract as the stock huggingface_hub expects it (issue 11, items 3-6): each case
asserts what the client raises or returns, the status and error headers on the wire, and that a
refusal changed nothing."""
import json
import os
import struct
import uuid
import warnings

import httpx2 as httpx
import pytest
from huggingface_hub import CommitOperationAdd, hf_hub_download
from huggingface_hub.errors import (
    BadRequestError,
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)


def raw(endpoint, method, path, token=True, **kw):
    headers = kw.pop("headers", {})
    if token:
        headers["authorization"] = f"Bearer {os.environ['HF_TOKEN']}"
    return httpx.request(method, f"{endpoint}{path}", headers=headers, timeout=60, **kw)


def head_sha(api, rid, **kw):
    return api.repo_info(rid, **kw).sha


# ---------------------------------------------------------------- repo ids without a namespace


def test_repo_ids_without_namespace_are_repo_not_found_everywhere(api, anon_api, endpoint, tmp_path):
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("gpt2")
    with pytest.raises(RepositoryNotFoundError):
        api.dataset_info("squad")
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("gpt2", "config.json", cache_dir=str(tmp_path), token=os.environ["HF_TOKEN"])
    with pytest.raises(RepositoryNotFoundError):
        api.list_repo_refs("gpt2")
    assert not anon_api.repo_exists("bert-base-uncased")
    for path, authed, status in [
        ("/api/models/gpt2", True, 404),
        ("/api/models/gpt2/revision/main", True, 404),
        ("/api/datasets/squad/tree/main", True, 404),
        ("/gpt2/resolve/main/config.json", True, 404),
        ("/datasets/squad/resolve/main/train.csv", False, 401),
        ("/gpt2.git/info/refs?service=git-upload-pack", False, 401),
    ]:
        r = raw(endpoint, "GET", path, token=authed)
        assert r.status_code == status, path
        assert r.headers["x-error-code"] == "RepoNotFound", path
        assert "Cannot GET" not in r.text


# ---------------------------------------------------------------- commit paths


def test_commit_paths_control_characters_duplicates_and_escapes(api, repo_id, endpoint):
    before = head_sha(api, repo_id)
    for path in ["a\nb.txt", "tab\there.txt", "nul\x00.txt", "del\x7f.txt"]:
        with pytest.raises(BadRequestError) as e:
            api.upload_file(path_or_fileobj=b"x", path_in_repo=path, repo_id=repo_id)
        assert e.value.response.status_code == 400
        assert "control characters" in e.value.response.headers["x-error-message"]
    for ops, message in [
        ([CommitOperationAdd("same.txt", b"1"), CommitOperationAdd("same.txt", b"2")], "appears twice"),
        ([CommitOperationAdd("both", b"1"), CommitOperationAdd("both/inner.txt", b"2")], "both as a file and as a folder"),
    ]:
        with pytest.raises(HfHubHTTPError) as e:
            api.create_commit(repo_id, operations=ops, commit_message="refused")
        assert e.value.response.status_code == 400
        assert message in e.value.response.headers["x-error-message"]
    assert head_sha(api, repo_id) == before, "nothing was committed"

    # A path that escapes the repo: the client refuses '..' itself, so the wire is checked raw.
    body = "\n".join(json.dumps(l) for l in [{"key": "header", "value": {"summary": "x"}}, {"key": "file", "value": {"path": "../escape", "content": "eA==", "encoding": "base64"}}])
    r = raw(endpoint, "POST", f"/api/models/{repo_id}/commit/main", content=body, headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 422 and "escapes the repository" in r.headers["x-error-message"]
    assert head_sha(api, repo_id) == before

    # A backslash is an ordinary character in a name, as on the Hub.
    api.upload_file(path_or_fileobj=b"odd", path_in_repo="folder/..\\..\\file", repo_id=repo_id)
    assert "folder/..\\..\\file" in api.list_repo_files(repo_id)


def test_delete_folder_without_trailing_slash(api, repo_id):
    api.upload_folder(folder_path=_folder({"1/a.txt": b"a", "1/sub/b.txt": b"b", "keep.txt": b"k"}), repo_id=repo_id)
    api.delete_folder("1", repo_id=repo_id)
    files = api.list_repo_files(repo_id)
    assert "keep.txt" in files and not any(f.startswith("1/") for f in files)
    with pytest.raises(EntryNotFoundError):
        api.delete_folder("1", repo_id=repo_id)


def _folder(files):
    import tempfile

    d = tempfile.mkdtemp()
    for name, content in files.items():
        os.makedirs(os.path.join(d, os.path.dirname(name)), exist_ok=True)
        with open(os.path.join(d, name), "wb") as f:
            f.write(content)
    return d


# ---------------------------------------------------------------- validate-yaml


def test_validate_yaml_warnings_and_errors(api, repo_id, endpoint):
    with pytest.warns(UserWarning, match="Empty or missing yaml metadata"):
        api.upload_file(path_or_fileobj=b"# A card without metadata\n", path_in_repo="README.md", repo_id=repo_id)
    before = head_sha(api, repo_id)
    for bad, field in [(b"---\nmodel-index: foo\n---\n# x\n", "model-index"), (b"---\nlicense: 3\n---\n# x\n", "license")]:
        with pytest.raises(ValueError, match=field):
            api.upload_file(path_or_fileobj=bad, path_in_repo="README.md", repo_id=repo_id)
    assert head_sha(api, repo_id) == before
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        api.upload_file(path_or_fileobj=b"\n\n---\nlicense: mit\n---\n# after blank lines\n", path_in_repo="README.md", repo_id=repo_id)
    assert api.model_info(repo_id).card_data["license"] == "mit"
    r = raw(endpoint, "POST", "/api/validate-yaml", json={"content": "---\nmodel-index: foo\n---\n", "repoType": "model"})
    assert r.status_code == 400 and r.json()["errors"][0]["message"].startswith('"model-index"')


# ---------------------------------------------------------------- refs and access requests


def test_branch_and_tag_on_missing_revision_are_revision_not_found(api, repo_id):
    refs_before = api.list_repo_refs(repo_id)
    with pytest.raises(RevisionNotFoundError):
        api.create_branch(repo_id, branch="bad..name", revision="no-such-revision")
    with pytest.raises(RevisionNotFoundError):
        api.create_tag(repo_id, tag="bad tag", revision="no-such-revision")
    api.create_tag(repo_id, tag="v1")
    with pytest.raises(HfHubHTTPError) as e:
        api.create_branch(repo_id, branch="v1")
    assert e.value.response.status_code == 409 and "ambiguous" in e.value.response.headers["x-error-message"]
    with pytest.raises(HfHubHTTPError) as e:
        api.create_branch(repo_id, branch="HEAD")
    assert e.value.response.status_code == 400
    refs = api.list_repo_refs(repo_id)
    assert [b.name for b in refs.branches] == [b.name for b in refs_before.branches]


def test_accepting_an_accepted_request_is_an_error(api, other_api):
    rid = f"admin/gated-twice-{uuid.uuid4().hex[:6]}"
    api.create_repo(rid)
    api.update_repo_settings(rid, gated="manual")
    httpx.post(f"{api.endpoint}/{rid}/ask-access", headers={"authorization": f"Bearer {os.environ['HUBBLE_OTHER_TOKEN']}"}, json={})
    api.accept_access_request(rid, "carol")
    with pytest.raises(HfHubHTTPError) as e:
        api.accept_access_request(rid, "carol")
    assert e.value.response.status_code == 400 and "already accepted" in e.value.response.headers["x-error-message"]
    assert [r.username for r in api.list_accepted_access_requests(rid)] == ["carol"]
    api.delete_repo(rid)


# ---------------------------------------------------------------- creation, search, listings


def test_new_space_has_a_readme_and_license_readme(api, endpoint):
    rid = f"admin/space-{uuid.uuid4().hex[:6]}"
    api.create_repo(rid, repo_type="space", space_sdk="gradio")
    assert sorted(api.list_repo_files(rid, repo_type="space")) == [".gitattributes", "README.md"]
    info = api.space_info(rid)
    assert info.sdk == "gradio" and info.card_data["sdk"] == "gradio"
    api.delete_repo(rid, repo_type="space")
    name = f"lic-{uuid.uuid4().hex[:6]}"
    r = raw(endpoint, "POST", "/api/repos/create", json={"name": name, "type": "model", "license": "apache-2.0"})
    assert r.status_code == 200
    assert api.model_info(f"admin/{name}").card_data["license"] == "apache-2.0"
    assert "license:apache-2.0" in api.model_info(f"admin/{name}").tags
    api.delete_repo(f"admin/{name}")


def test_search_with_underscore_and_percent(api):
    tag = uuid.uuid4().hex[:6]
    rid = f"admin/my_model-{tag}"
    other = f"admin/myXmodel-{tag}"
    api.create_repo(rid)
    api.create_repo(other)
    found = {m.id for m in api.list_models(search=f"my_model-{tag}")}
    assert found == {rid}, "'_' is a literal underscore, not a wildcard"
    assert list(api.list_models(search=f"%-{tag}")) == []
    api.delete_repo(rid)
    api.delete_repo(other)


def test_duplicate_repo_and_user_overview(api, other_api, repo_id, tmp_path):
    api.upload_file(path_or_fileobj=os.urandom(2_000_000), path_in_repo="w.bin", repo_id=repo_id)
    api.upload_file(path_or_fileobj=b"---\nlicense: mit\n---\n# dup\n", path_in_repo="README.md", repo_id=repo_id)
    copy = f"admin/copy-{uuid.uuid4().hex[:6]}"
    url = api.duplicate_repo(repo_id, copy)
    assert url.repo_id == copy
    assert sorted(api.list_repo_files(copy)) == sorted(api.list_repo_files(repo_id))
    a = hf_hub_download(repo_id, "w.bin", cache_dir=str(tmp_path / "a"))
    b = hf_hub_download(copy, "w.bin", cache_dir=str(tmp_path / "b"))
    assert open(a, "rb").read() == open(b, "rb").read()
    assert api.model_info(copy).card_data["license"] == "mit"
    assert api.list_repo_commits(copy)[0].commit_id == api.list_repo_commits(repo_id)[0].commit_id
    # exist_ok reads the 409
    assert api.duplicate_repo(repo_id, copy, exist_ok=True).repo_id == copy
    # someone else cannot duplicate into admin's namespace
    with pytest.raises(HfHubHTTPError) as e:
        other_api.duplicate_repo(repo_id, f"admin/theft-{uuid.uuid4().hex[:4]}")
    assert e.value.response.status_code == 403
    api.delete_repo(copy)

    me = api.get_user_overview("admin")
    assert me.username == "admin" and me.num_models >= 1 and "acme" in [o.name for o in me.orgs]
    with pytest.raises(HfHubHTTPError) as e:
        api.get_user_overview("nobody-here")
    assert e.value.response.status_code == 404


def test_list_user_repos_with_storage(api, repo_id, read_api):
    api.upload_file(path_or_fileobj=os.urandom(1_500_000), path_in_repo="big.bin", repo_id=repo_id)
    repos = {r.id: r for r in api.list_user_repos()}
    assert repo_id in repos
    mine = repos[repo_id]
    assert mine.type == "model" and mine.visibility == "public" and mine.storage >= 1_500_000
    assert 0 < mine.storage_percent <= 100
    org_repo = f"acme/storage-{uuid.uuid4().hex[:6]}"
    api.create_repo(org_repo, private=True)
    assert org_repo in {r.id for r in api.list_user_repos(namespace="acme")}
    assert org_repo in {r.id for r in read_api.list_user_repos(namespace="acme")}, "members see their org"
    api.delete_repo(org_repo)


# ---------------------------------------------------------------- LFS files: list and permanent delete


def test_list_and_permanently_delete_lfs_files(api, repo_id, tmp_path, endpoint):
    keep = os.urandom(1_000_000)
    drop = os.urandom(1_200_000)
    api.upload_file(path_or_fileobj=keep, path_in_repo="keep.bin", repo_id=repo_id)
    api.upload_file(path_or_fileobj=drop, path_in_repo="ckpt/drop.bin", repo_id=repo_id)
    api.upload_file(path_or_fileobj=b"text", path_in_repo="notes.txt", repo_id=repo_id)
    files = {f.filename: f for f in api.list_lfs_files(repo_id)}
    assert set(files) == {"keep.bin", "ckpt/drop.bin"}
    assert files["ckpt/drop.bin"].size == len(drop) and files["keep.bin"].pushed_at is not None
    api.permanently_delete_lfs_files(repo_id, [f for f in files.values() if f.filename.startswith("ckpt/")])
    assert {f.filename for f in api.list_lfs_files(repo_id)} == {"keep.bin"}
    # History was rewritten: no commit holds the pointer any more; the rest is intact.
    for c in api.list_repo_commits(repo_id):
        assert "ckpt/drop.bin" not in api.list_repo_files(repo_id, revision=c.commit_id)
    assert set(api.list_repo_files(repo_id)) >= {"keep.bin", "notes.txt"}
    assert open(hf_hub_download(repo_id, "keep.bin", cache_dir=str(tmp_path)), "rb").read() == keep
    # Only admins may do it.
    r = raw(endpoint, "POST", f"/api/models/{repo_id}/lfs-files/batch", token=False, json={"deletions": {"sha": [files["keep.bin"].file_oid]}})
    assert r.status_code == 401
    assert {f.filename for f in api.list_lfs_files(repo_id)} == {"keep.bin"}


# ---------------------------------------------------------------- derived metadata


def _safetensors(tensors):
    header = {name: {"dtype": dtype, "shape": shape, "data_offsets": [0, 0]} for name, (dtype, shape) in tensors.items()}
    offset = 0
    for name, (dtype, shape) in tensors.items():
        n = 1
        for s in shape:
            n *= s
        size = n * {"F32": 4, "F16": 2, "BF16": 2, "I64": 8}[dtype]
        header[name]["data_offsets"] = [offset, offset + size]
        offset += size
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + b"\0" * offset


def test_safetensors_parameters_and_tags_from_config(api, repo_id):
    api.upload_file(path_or_fileobj=json.dumps({"model_type": "bert", "architectures": ["BertModel"]}).encode(), path_in_repo="config.json", repo_id=repo_id)
    api.upload_file(path_or_fileobj=_safetensors({"a": ("F32", [64, 32]), "b": ("F16", [10]), "c": ("F32", [3])}), path_in_repo="model-00001-of-00002.safetensors", repo_id=repo_id)
    api.upload_file(path_or_fileobj=_safetensors({"d": ("BF16", [7, 7])}), path_in_repo="model-00002-of-00002.safetensors", repo_id=repo_id)
    info = api.model_info(repo_id)
    assert info.safetensors is not None
    assert info.safetensors.parameters == {"F32": 64 * 32 + 3, "F16": 10, "BF16": 49}
    assert info.safetensors.total == 64 * 32 + 3 + 10 + 49
    assert {"bert", "transformers", "safetensors"} <= set(info.tags)
    assert repo_id in {m.id for m in api.list_models(filter="bert", author="admin")}
    assert info.library_name == "transformers"
