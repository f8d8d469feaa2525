"""The pull-request scenario with Xet on: carol's create_pr upload goes through hf_xet with a write
token she gets only for the PR (`xet-write-token/None?create_pr=1`)."""
import pr_scenario


def test_pull_request_scenario_with_xet(api, other_api, repo_id, tmp_path):
    pr_scenario.run(api, other_api, repo_id, tmp_path)
