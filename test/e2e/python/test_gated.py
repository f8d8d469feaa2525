"""Gated repos with the stock client: GatedRepoError until access is accepted, and the owner-side
access-request API (list, accept, reject, grant)."""
import os

import httpx2 as httpx  # huggingface_hub 2.x ships httpx2
import pytest
from huggingface_hub import hf_hub_download
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError


def ask(endpoint, repo_id, token, **fields):
    r = httpx.post(f"{endpoint}/{repo_id}/ask-access", json=fields, headers={"authorization": f"Bearer {token}"})
    r.raise_for_status()
    return r.json()


def test_manual_gate_request_accept_download(api, other_api, repo_id, endpoint, tmp_path):
    api.upload_file(path_or_fileobj=b"secret weights", path_in_repo="w.txt", repo_id=repo_id)
    api.update_repo_settings(repo_id, gated="manual")
    carol = os.environ["HUBBLE_OTHER_TOKEN"]
    # Metadata stays visible; content does not.
    assert other_api.model_info(repo_id).gated == "manual"
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo_id, "w.txt", token=carol, cache_dir=str(tmp_path / "c1"))
    with pytest.raises(GatedRepoError) as anon:
        hf_hub_download(repo_id, "w.txt", token=False, cache_dir=str(tmp_path / "c0"))
    assert anon.value.response.status_code == 401

    assert ask(endpoint, repo_id, carol, reason="research")["status"] == "pending"
    pending = list(api.list_pending_access_requests(repo_id))
    assert [(r.username, r.status, r.fields) for r in pending] == [("carol", "pending", {"reason": "research"})]
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo_id, "w.txt", token=carol, cache_dir=str(tmp_path / "c2"))
    # Only people with write access handle requests.
    with pytest.raises(HfHubHTTPError) as denied:
        list(other_api.list_pending_access_requests(repo_id))
    assert denied.value.response.status_code == 403

    api.accept_access_request(repo_id, "carol")
    assert [r.username for r in api.list_accepted_access_requests(repo_id)] == ["carol"]
    path = hf_hub_download(repo_id, "w.txt", token=carol, cache_dir=str(tmp_path / "c3"))
    assert open(path, "rb").read() == b"secret weights"

    api.reject_access_request(repo_id, "carol", rejection_reason="no longer")
    assert [r.username for r in api.list_rejected_access_requests(repo_id)] == ["carol"]
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo_id, "w.txt", token=carol, cache_dir=str(tmp_path / "c4"))
    assert ask(endpoint, repo_id, carol)["status"] == "rejected", "a rejected user cannot re-ask"

    api.cancel_access_request(repo_id, "carol")  # back to pending
    assert [r.username for r in api.list_pending_access_requests(repo_id)] == ["carol"]


def test_auto_gate_and_grant(api, read_api, other_api, repo_id, endpoint, tmp_path):
    api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo_id)
    api.update_repo_settings(repo_id, gated="auto")
    bob = os.environ["HUBBLE_READ_TOKEN"]
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo_id, "x.txt", token=bob, cache_dir=str(tmp_path / "a"))
    assert ask(endpoint, repo_id, bob)["status"] == "accepted"
    assert open(hf_hub_download(repo_id, "x.txt", token=bob, cache_dir=str(tmp_path / "b")), "rb").read() == b"x"

    carol = os.environ["HUBBLE_OTHER_TOKEN"]
    api.grant_access(repo_id, "carol")
    assert open(hf_hub_download(repo_id, "x.txt", token=carol, cache_dir=str(tmp_path / "c")), "rb").read() == b"x"
    with pytest.raises(HfHubHTTPError) as again:
        api.grant_access(repo_id, "carol")
    assert again.value.response.status_code == 400
    with pytest.raises(HfHubHTTPError) as nobody:
        api.grant_access(repo_id, "nobody-here")
    assert nobody.value.response.status_code == 404
