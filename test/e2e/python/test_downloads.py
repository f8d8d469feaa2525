"""Download counts through the stock client: hf_hub_download of a model's config.json counts (its
HEAD and GET, as on the Hub), other files do not; `downloads`/`downloadsAllTime` via expand;
list_models(sort="downloads"). Counts are written in batches (by each node), so the test waits for them."""
import time
import uuid

from huggingface_hub import hf_hub_download


def _counts(api, repo_id):
    info = api.model_info(repo_id, expand=["downloads", "downloadsAllTime"])
    return info.downloads, info.downloads_all_time


def test_downloads_counted_and_sorted(api, tmp_path):
    popular, quiet = f"admin/dl-{uuid.uuid4().hex[:8]}", f"admin/dl-{uuid.uuid4().hex[:8]}"
    for rid in (popular, quiet):
        api.create_repo(rid)
        api.upload_file(path_or_fileobj=b"{}", path_in_repo="config.json", repo_id=rid)
        api.upload_file(path_or_fileobj=b"w", path_in_repo="weights.txt", repo_id=rid)
    try:
        for i in range(3):
            hf_hub_download(popular, "config.json", token=api.token, endpoint=api.endpoint, cache_dir=str(tmp_path / f"c{i}"))
        hf_hub_download(popular, "weights.txt", token=api.token, endpoint=api.endpoint, cache_dir=str(tmp_path / "w"))
        hf_hub_download(quiet, "config.json", token=api.token, endpoint=api.endpoint, cache_dir=str(tmp_path / "q"))
        # Each node writes its own counts every few seconds: wait until the expected totals are in
        # (two nodes behind a balancer each hold part of them), or fail with what arrived.
        deadline = time.time() + 30
        while time.time() < deadline and (_counts(api, popular)[0] < 6 or _counts(api, quiet)[0] < 2):
            time.sleep(0.5)
        time.sleep(1)  # and nothing more arrives
        pop, pop_all = _counts(api, popular)
        q, _ = _counts(api, quiet)
        # Each hf_hub_download of config.json is a HEAD and a GET; weights.txt is not a query file.
        assert pop == pop_all == 6, (pop, pop_all)
        assert q == 2, q
        ranked = [m.id for m in api.list_models(author="admin", sort="downloads") if m.id in (popular, quiet)]
        assert ranked == [popular, quiet]
    finally:
        for rid in (popular, quiet):
            api.delete_repo(rid)
