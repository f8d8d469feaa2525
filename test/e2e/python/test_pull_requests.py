"""Pull requests and discussions with the stock client, Xet off (the Xet-on run is in xet/): the
whole PR scenario (pr_scenario.py), and the `hf discussions` CLI against a discussion."""
import json
import os
import subprocess
from pathlib import Path
import sys

import pr_scenario


def test_pull_request_scenario(api, other_api, repo_id, tmp_path):
    pr_scenario.run(api, other_api, repo_id, tmp_path)


def hf(tmp_path, endpoint, token, *args):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "HF_HOME": str(tmp_path / "hf"), "HF_ENDPOINT": endpoint, "HF_TOKEN": token, "HF_HUB_DISABLE_TELEMETRY": "1", "NO_COLOR": "1"}
    r = subprocess.run([str(Path(sys.executable).parent / "hf"), *args], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"hf {' '.join(args)}: {r.stdout}\n{r.stderr}"
    return r.stdout


def test_hf_discussions_cli(api, endpoint, repo_id, tmp_path):
    carol = os.environ["HUBBLE_OTHER_TOKEN"]
    admin = os.environ["HF_TOKEN"]
    hf(tmp_path, endpoint, carol, "discussions", "create", repo_id, "--title", "Which license?", "--body", "The card does not say.")
    hf(tmp_path, endpoint, carol, "discussions", "create", repo_id, "--title", "Draft proposal", "--pull-request")
    listed = json.loads(hf(tmp_path, endpoint, carol, "discussions", "list", repo_id, "--format", "json"))
    assert sorted((d["num"], d["title"], d["is_pull_request"]) for d in listed) == [(1, "Which license?", False), (2, "Draft proposal", True)]
    prs = json.loads(hf(tmp_path, endpoint, carol, "discussions", "list", repo_id, "--kind", "pull_request", "--status", "draft", "--format", "json"))
    assert [d["num"] for d in prs] == [2]
    hf(tmp_path, endpoint, admin, "discussions", "comment", repo_id, "1", "--body", "Apache-2.0.")
    hf(tmp_path, endpoint, carol, "discussions", "rename", repo_id, "1", "License of the weights")
    hf(tmp_path, endpoint, carol, "discussions", "close", repo_id, "1", "--comment", "Thanks", "--yes")
    details = api.get_discussion_details(repo_id, 1)
    assert details.title == "License of the weights" and details.status == "closed"
    assert [e.content for e in details.events if type(e).__name__ == "DiscussionComment"] == ["The card does not say.", "Apache-2.0.", "Thanks"]
    hf(tmp_path, endpoint, admin, "discussions", "reopen", repo_id, "1", "--yes")
    assert api.get_discussion_details(repo_id, 1).status == "open"
    info = hf(tmp_path, endpoint, carol, "discussions", "info", repo_id, "1", "--format", "json")
    assert "License of the weights" in info
    # A draft PR gets a commit at refs/pr/2, then its diff and a merge through the CLI.
    api_carol = type(api)(endpoint=endpoint, token=carol)
    api_carol.upload_file(path_or_fileobj=b"MIT\n", path_in_repo="LICENSE", repo_id=repo_id, revision="refs/pr/2")
    assert "LICENSE" in hf(tmp_path, endpoint, carol, "discussions", "diff", repo_id, "2")
    hf(tmp_path, endpoint, admin, "discussions", "merge", repo_id, "2", "--yes")
    assert api.get_discussion_details(repo_id, 2).status == "merged"
    assert "LICENSE" in api.list_repo_files(repo_id)
