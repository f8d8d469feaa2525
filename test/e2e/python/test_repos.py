"""Repo lifecycle, info, listings, settings and errors through huggingface_hub."""
import uuid

import pytest
from huggingface_hub import hf_hub_download
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError


def test_whoami(api, read_api):
    me = api.whoami()
    assert me["name"] == "admin"
    assert me["auth"]["accessToken"]["role"] == "write"
    assert {o["name"] for o in me["orgs"]} == {"acme"}
    assert read_api.whoami()["auth"]["accessToken"]["role"] == "read"


@pytest.mark.parametrize("repo_type", ["model", "dataset", "space"])
def test_create_repo_each_type(api, anon_api, repo_type):
    rid = f"admin/create-{repo_type}-{uuid.uuid4().hex[:6]}"
    kwargs = {"space_sdk": "static"} if repo_type == "space" else {}
    url = api.create_repo(rid, repo_type=repo_type, **kwargs)
    assert url.repo_id == rid and url.repo_type == repo_type
    # exist_ok reads the 409 body's url
    again = api.create_repo(rid, repo_type=repo_type, exist_ok=True, **kwargs)
    assert again.repo_id == rid
    with pytest.raises(HfHubHTTPError) as e:
        api.create_repo(rid, repo_type=repo_type, **kwargs)
    assert e.value.response.status_code == 409
    # As on the Hub, a new Space starts with its README (sdk metadata); models and datasets don't.
    assert api.list_repo_files(rid, repo_type=repo_type) == ([".gitattributes", "README.md"] if repo_type == "space" else [".gitattributes"])
    commits = api.list_repo_commits(rid, repo_type=repo_type)
    assert [c.title for c in commits] == ["initial commit"]
    assert anon_api.repo_exists(rid, repo_type=repo_type)
    api.delete_repo(rid, repo_type=repo_type)
    assert not api.repo_exists(rid, repo_type=repo_type)
    with pytest.raises(RepositoryNotFoundError):
        api.delete_repo(rid, repo_type=repo_type)


def test_private_repo_invisible(api, anon_api, other_api, read_api):
    rid = f"admin/private-{uuid.uuid4().hex[:6]}"
    api.create_repo(rid, private=True)
    api.upload_file(path_or_fileobj=b"secret", path_in_repo="s.txt", repo_id=rid)
    assert api.model_info(rid).private is True
    for client in (anon_api, other_api):
        assert not client.repo_exists(rid)
        with pytest.raises(RepositoryNotFoundError):
            client.model_info(rid)
        with pytest.raises(RepositoryNotFoundError):
            client.list_repo_files(rid)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(rid, "s.txt", token=False, endpoint=anon_api.endpoint)
    # listings hide it from others and show it to the owner
    assert rid in {m.id for m in api.list_models(author="admin")}
    assert rid not in {m.id for m in anon_api.list_models(author="admin")}
    # a read token of someone else cannot see it either; a read member of the org can see org repos
    assert not read_api.repo_exists(rid)
    api.auth_check(rid)
    with pytest.raises(RepositoryNotFoundError):
        read_api.auth_check(rid)
    org_rid = f"acme/private-{uuid.uuid4().hex[:6]}"
    api.create_repo(org_rid, private=True)
    assert read_api.repo_exists(org_rid)
    with pytest.raises(HfHubHTTPError) as e:
        read_api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=org_rid)
    assert e.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError):
        other_api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=rid)


def test_update_settings_private_then_anonymous_refused(api, anon_api, repo_id, endpoint, tmp_path):
    api.upload_file(path_or_fileobj=b"abc", path_in_repo="a.txt", repo_id=repo_id)
    assert hf_hub_download(repo_id, "a.txt", token=False, endpoint=endpoint)
    api.update_repo_settings(repo_id, private=True)
    assert api.model_info(repo_id).private is True
    with pytest.raises(RepositoryNotFoundError):
        anon_api.model_info(repo_id)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(repo_id, "a.txt", token=False, endpoint=endpoint, cache_dir=tmp_path)
    api.update_repo_settings(repo_id, private=False, gated="auto")
    info = api.model_info(repo_id)
    assert info.private is False and info.gated == "auto"


def test_move_repo_keeps_history_and_redirects(api, repo_id, endpoint, tmp_path):
    api.upload_file(path_or_fileobj=b"moved content", path_in_repo="f.txt", repo_id=repo_id)
    api.create_branch(repo_id, branch="dev")
    api.create_tag(repo_id, tag="v1")
    before = [c.commit_id for c in api.list_repo_commits(repo_id)]
    new_id = f"admin/moved-{uuid.uuid4().hex[:6]}"
    api.move_repo(repo_id, new_id)
    try:
        assert [c.commit_id for c in api.list_repo_commits(new_id)] == before
        refs = api.list_repo_refs(new_id)
        assert {b.name for b in refs.branches} == {"main", "dev"}
        assert {t.name for t in refs.tags} == {"v1"}
        # the old name still resolves, through a relative redirect
        p = hf_hub_download(repo_id, "f.txt", cache_dir=tmp_path, endpoint=endpoint)
        assert open(p, "rb").read() == b"moved content"
        with pytest.raises(HfHubHTTPError):
            api.move_repo(new_id, new_id)
    finally:
        api.delete_repo(new_id)


def test_repo_info_and_card(api, repo_id):
    readme = "---\nlicense: mit\ntags:\n- hubble-test\nlibrary_name: transformers\n---\n# Card\n"
    api.upload_file(path_or_fileobj=readme.encode(), path_in_repo="README.md", repo_id=repo_id)
    api.upload_file(path_or_fileobj=b"", path_in_repo="empty.txt", repo_id=repo_id)
    info = api.model_info(repo_id, files_metadata=True)
    assert len(info.sha) == 40
    assert info.card_data["license"] == "mit"
    assert "hubble-test" in info.tags and "license:mit" in info.tags
    sib = {s.rfilename: s for s in info.siblings}
    assert sib["README.md"].size == len(readme) and sib["README.md"].lfs is None
    assert sib["empty.txt"].size == 0 and sib["empty.txt"].lfs is None
    assert len(sib["README.md"].blob_id) == 40
    assert repo_id in {m.id for m in api.list_models(filter="hubble-test")}
    assert repo_id in {m.id for m in api.list_models(search=repo_id.split("/")[1])}


def test_listing_pagination(api):
    prefix = f"page-{uuid.uuid4().hex[:6]}"
    ids = [f"admin/{prefix}-{i}" for i in range(3)]
    for rid in ids:
        api.create_repo(rid, repo_type="dataset")
    try:
        found = [d.id for d in api.list_datasets(search=prefix, limit=10)]
        assert sorted(found) == sorted(ids)
    finally:
        for rid in ids:
            api.delete_repo(rid, repo_type="dataset")


def test_revision_not_found(api, repo_id):
    with pytest.raises(RevisionNotFoundError):
        api.model_info(repo_id, revision="does-not-exist")
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(repo_id, ".gitattributes", revision="nope", endpoint=api.endpoint)
    assert api.revision_exists(repo_id, "main")
    assert not api.revision_exists(repo_id, "nope")
