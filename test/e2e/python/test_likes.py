"""Likes through the stock client: the like endpoint (huggingface_hub 2.x has no `like()`, so its
session posts it), `unlike`, `list_repo_likers`, `list_liked_repos`, and `likes` in repo info."""
from huggingface_hub.utils import get_session


def test_like_unlike_and_list(api, other_api, endpoint, repo_id):
    for client in (api, other_api):
        r = get_session().post(f"{endpoint}/api/models/{repo_id}/like", headers=client._build_hf_headers())
        assert r.status_code == 200, r.text
    assert api.model_info(repo_id).likes == 2
    assert sorted(u.username for u in api.list_repo_likers(repo_id)) == ["admin", "carol"]
    assert repo_id in other_api.list_liked_repos("carol").models
    other_api.unlike(repo_id)
    assert api.model_info(repo_id).likes == 1
    assert repo_id not in other_api.list_liked_repos("carol").models
    assert [u.username for u in api.list_repo_likers(repo_id)] == ["admin"]
