"""Authentication with the stock client: login / whoami / logout (library and `hf` CLI, each in a
fresh process with its own HF_HOME), auth_check, private repos refused, org listing."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError


def client(tmp_path, endpoint, *args, code=None):
    """Runs python code or the `hf` CLI with no token in the environment, only what login stores."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "HF_HOME": str(tmp_path / "hf"),
        "HF_ENDPOINT": endpoint,
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "NO_COLOR": "1",
    }
    cmd = [sys.executable, "-c", code] if code is not None else [str(Path(sys.executable).parent / "hf"), *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


def test_login_whoami_logout(endpoint, tmp_path):
    carol = os.environ["HUBBLE_OTHER_TOKEN"]
    r = client(tmp_path, endpoint, code=f"from huggingface_hub import login; login(token={carol!r})")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "hf" / "token").read_text().strip() == carol

    r = client(tmp_path, endpoint, code="from huggingface_hub import whoami; w = whoami(); print(w['name'], w['auth']['accessToken']['role'])")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["carol", "write"]

    r = client(tmp_path, endpoint, "auth", "whoami")
    assert r.returncode == 0, r.stderr
    assert "carol" in r.stdout

    r = client(tmp_path, endpoint, code="from huggingface_hub import logout; logout()")
    assert r.returncode == 0, r.stderr
    r = client(tmp_path, endpoint, code="from huggingface_hub import whoami; whoami()")
    assert r.returncode != 0
    assert "LocalTokenNotFoundError" in r.stderr or "not logged in" in r.stderr.lower()


def test_login_with_a_bad_token_is_refused(endpoint, tmp_path):
    r = client(tmp_path, endpoint, "auth", "login", "--token", "hf_" + "x" * 34)
    assert r.returncode != 0
    assert not (tmp_path / "hf" / "token").exists(), "a refused token is not stored"
    r = client(tmp_path, endpoint, "auth", "login", "--token", os.environ["HUBBLE_READ_TOKEN"])
    assert r.returncode == 0, r.stderr
    r = client(tmp_path, endpoint, "auth", "whoami")
    assert "bob" in r.stdout and "acme" in r.stdout, r.stdout


def test_auth_check_and_private_download(api, anon_api, read_api, other_api, tmp_path):
    rid = f"acme/private-{os.urandom(4).hex()}"
    api.create_repo(rid, private=True)
    try:
        api.upload_file(path_or_fileobj=b"internal", path_in_repo="notes.txt", repo_id=rid)
        read_api.auth_check(rid)  # bob is a read member of acme
        with pytest.raises(HfHubHTTPError) as no_write:
            read_api.auth_check(rid, write=True)
        assert no_write.value.response.status_code == 403
        api.auth_check(rid, write=True)
        for outsider in (other_api, anon_api):
            with pytest.raises(RepositoryNotFoundError):
                outsider.auth_check(rid)
            with pytest.raises(RepositoryNotFoundError):
                outsider.hf_hub_download(rid, "notes.txt", cache_dir=str(tmp_path / "c"))
        assert open(read_api.hf_hub_download(rid, "notes.txt", cache_dir=str(tmp_path / "b")), "rb").read() == b"internal"

        api.update_repo_settings(rid, private=False, gated="auto")
        with pytest.raises(GatedRepoError):
            other_api.auth_check(rid)
        read_api.auth_check(rid)  # members are never gated out
    finally:
        api.delete_repo(rid)


def test_org_members_and_overview(api):
    members = {m.username for m in api.list_organization_members("acme")}
    assert {"admin", "bob"} <= members
    overview = api.get_organization_overview("acme")
    assert overview.name == "acme" and overview.fullname == "Acme Corp"
    assert overview.num_users == len(members)
