"""The pull-request scenario through the stock client, run once with Xet off (test_pull_requests.py)
and once with Xet on (xet/test_xet_pull_requests.py): carol, who cannot write to admin's repo,
opens a PR with a large file, adds to it, comments; admin reviews, renames, closes and reopens,
merges (fast-forward, then a merge commit); a conflicting PR is refused with its files listed."""
import os

import pytest
from huggingface_hub import HfFileSystem, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError


def run(api, other_api, repo_id, tmp_path):
    api.upload_file(path_or_fileobj=b"one\ntwo\nthree\n", path_in_repo="a.txt", repo_id=repo_id)
    big = os.urandom(3 * 1024 * 1024)

    with pytest.raises(HfHubHTTPError) as e:
        other_api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo_id)
    assert e.value.response.status_code == 403

    info = other_api.upload_file(path_or_fileobj=big, path_in_repo="weights.bin", repo_id=repo_id, create_pr=True, commit_message="Add weights", commit_description="Trained for 3 epochs.")
    assert info.pr_num == 1 and info.pr_revision == "refs/pr/1", info
    assert info.pr_url.endswith(f"/{repo_id}/discussions/1")
    assert "weights.bin" not in api.list_repo_files(repo_id), "main did not move"

    second = other_api.upload_file(path_or_fileobj=b"notes\n", path_in_repo="NOTES.md", repo_id=repo_id, revision=info.pr_revision, commit_message="Add notes")
    assert second.pr_url is None
    comment = other_api.comment_discussion(repo_id, 1, "Ready for **review**.")
    assert comment.content == "Ready for **review**." and "<strong>review</strong>" in comment.rendered
    edited = other_api.edit_discussion_comment(repo_id, 1, comment.id, "Ready for review, please.")
    assert edited.edited and edited.content == "Ready for review, please."

    refs = api.list_repo_refs(repo_id, include_pull_requests=True)
    assert [(r.ref, r.target_commit) for r in refs.pull_requests] == [("refs/pr/1", second.oid)]
    assert api.list_repo_refs(repo_id).pull_requests is None

    # Files at the PR's revision: HfFileSystem and hf_hub_download read refs/pr/1.
    fs = HfFileSystem(endpoint=api.endpoint, token=api.token)
    listed = sorted(p.split("/")[-1] for p in fs.ls(f"{repo_id}@refs%2Fpr%2F1", detail=False))
    assert listed == [".gitattributes", "NOTES.md", "a.txt", "weights.bin"], listed
    with fs.open(f"{repo_id}@refs%2Fpr%2F1/weights.bin", "rb") as f:
        assert f.read() == big
    path = hf_hub_download(repo_id, "weights.bin", revision="refs/pr/1", token=api.token, endpoint=api.endpoint, cache_dir=str(tmp_path / "cache"))
    assert open(path, "rb").read() == big

    found = list(api.get_repo_discussions(repo_id, discussion_type="pull_request", author="carol", discussion_status="open"))
    assert [(d.num, d.title, d.is_pull_request, d.status, d.author) for d in found] == [(1, "Add weights", True, "open", "carol")]
    assert list(api.get_repo_discussions(repo_id, discussion_type="discussion")) == []

    details = api.get_discussion_details(repo_id, 1)
    assert details.target_branch == "refs/heads/main" and details.conflicting_files == [] and details.merge_commit_oid is None
    assert "weights.bin" in details.diff and "NOTES.md" in details.diff
    assert [type(e).__name__ for e in details.events] == ["DiscussionComment", "DiscussionCommit", "DiscussionCommit", "DiscussionComment"]
    assert details.events[0].content == "Trained for 3 epochs."
    assert [e.summary for e in details.events if type(e).__name__ == "DiscussionCommit"] == ["Add weights", "Add notes"]

    assert api.rename_discussion(repo_id, 1, "Add trained weights").new_title == "Add trained weights"
    assert api.change_discussion_status(repo_id, 1, "closed", comment="Closing to check reopen").new_status == "closed"
    assert api.change_discussion_status(repo_id, 1, "open").new_status == "open"

    with pytest.raises(HfHubHTTPError) as e:
        other_api.merge_pull_request(repo_id, 1)
    assert e.value.response.status_code == 403

    api.merge_pull_request(repo_id, 1, comment="Thanks!")
    merged = api.get_discussion_details(repo_id, 1)
    main = api.repo_info(repo_id).sha
    assert merged.status == "merged" and merged.merge_commit_oid == main == second.oid, "a fast-forward"
    assert open(hf_hub_download(repo_id, "weights.bin", token=api.token, endpoint=api.endpoint, cache_dir=str(tmp_path / "cache2")), "rb").read() == big

    # Two PRs from the same main, then main moves: one merges with a merge commit, one conflicts.
    clean = other_api.create_commit(repo_id, operations=[_add("b.txt", b"bee\n")], commit_message="Add b", create_pr=True)
    clash = other_api.create_commit(repo_id, operations=[_add("a.txt", b"one\ntwo\nTHREE\n")], commit_message="Shout three", create_pr=True)
    api.upload_file(path_or_fileobj=b"one\ntwo\ntres\n", path_in_repo="a.txt", repo_id=repo_id, commit_message="Spanish three")
    moved = api.repo_info(repo_id).sha
    assert api.get_discussion_details(repo_id, clash.pr_num).conflicting_files == ["a.txt"]
    with pytest.raises(HfHubHTTPError) as e:
        api.merge_pull_request(repo_id, clash.pr_num)
    assert e.value.response.status_code == 409 and "a.txt" in str(e.value)
    assert api.repo_info(repo_id).sha == moved, "nothing moved"

    api.merge_pull_request(repo_id, clean.pr_num)
    commit = api.list_repo_commits(repo_id)[0]
    assert commit.title.startswith(f"Merge pull request #{clean.pr_num}")
    assert api.get_discussion_details(repo_id, clean.pr_num).merge_commit_oid == commit.commit_id
    files = api.list_repo_files(repo_id)
    assert "b.txt" in files and "weights.bin" in files


def _add(path, data):
    from huggingface_hub import CommitOperationAdd

    return CommitOperationAdd(path_in_repo=path, path_or_fileobj=data)
