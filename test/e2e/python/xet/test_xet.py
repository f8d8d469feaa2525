"""Xet end to end with the stock huggingface_hub + hf_xet (Xet ON): uploads go through the CAS,
downloads through reconstructions, plain HTTP GETs are reconstructed by Hubble. Server-side
effects are read from Hubble's /metrics counters."""
import hashlib
import os
import random
import struct
import subprocess
import sys

import httpx2 as httpx  # huggingface_hub 2.x ships httpx2
import pytest
from huggingface_hub import HfFileSystem, hf_hub_download, snapshot_download
from huggingface_hub.utils._runtime import is_xet_available


def metrics(endpoint):
    """Counters summed over every node (HUBBLE_METRICS_URLS when the endpoint is a balancer)."""
    out = {}
    for base in os.environ.get("HUBBLE_METRICS_URLS", endpoint).split(","):
        for line in httpx.get(f"{base}/metrics").text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = out.get(name, 0.0) + float(value)
    return out


def received(endpoint):
    return metrics(endpoint)["hubble_xet_xorb_bytes_received_total"]


def rand_bytes(n, seed):
    return random.Random(seed).randbytes(n)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def test_xet_is_on():
    assert "HF_HUB_DISABLE_XET" not in os.environ
    assert is_xet_available()


def test_upload_file_then_download_every_way(api, repo_id, endpoint, tmp_path):
    data = rand_bytes(50_000_000, 1)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    before = metrics(endpoint)
    api.upload_file(path_or_fileobj=str(src), path_in_repo="weights/big.bin", repo_id=repo_id)
    after = metrics(endpoint)
    # The bytes went through the CAS, not the LFS batch API; the shard through /v2/shards.
    assert after["hubble_xet_xorb_bytes_received_total"] - before["hubble_xet_xorb_bytes_received_total"] >= len(data)
    assert after["hubble_xet_shards_received_total"] > before["hubble_xet_shards_received_total"]
    assert after["hubble_xet_shards_v2_received_total"] > before["hubble_xet_shards_v2_received_total"]

    [info] = api.get_paths_info(repo_id, ["weights/big.bin"])
    assert info.lfs.sha256 == sha(data) and info.size == len(data)
    assert info.xet_hash and len(info.xet_hash) == 64

    path = hf_hub_download(repo_id, "weights/big.bin", cache_dir=str(tmp_path / "cache"))
    assert sha(open(path, "rb").read()) == sha(data)
    assert metrics(endpoint)["hubble_xet_reconstructions_total"] > after["hubble_xet_reconstructions_total"]

    # A plain HTTP GET (curl, git-lfs, old clients) gets the bytes reconstructed server-side.
    url = f"{endpoint}/{repo_id}/resolve/main/weights/big.bin"
    auth = {"authorization": f"Bearer {os.environ['HF_TOKEN']}"}
    h = hashlib.sha256()
    with httpx.stream("GET", url, headers=auth, timeout=120) as r:
        assert r.status_code == 200
        assert r.headers["x-xet-hash"] == info.xet_hash
        assert 'rel="xet-auth"' in r.headers["link"]
        for part in r.iter_bytes():
            h.update(part)
    assert h.hexdigest() == sha(data)
    r = httpx.get(url, headers={**auth, "range": "bytes=123457-9000000"}, timeout=60)
    assert r.status_code == 206 and r.content == data[123457:9000001]

    # HfFileSystem ranged reads of the Xet file.
    fs = HfFileSystem(endpoint=endpoint, token=os.environ["HF_TOKEN"])
    with fs.open(f"{repo_id}/weights/big.bin", "rb", block_size=1 << 20) as f:
        for offset, n in [(0, 10), (7_777_777, 300_000), (len(data) - 5000, 5000), (33_000_001, 1)]:
            f.seek(offset)
            assert f.read(n) == data[offset : offset + n]


def test_upload_folder_and_snapshot_download(api, repo_id, endpoint, tmp_path):
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    files = {
        "a.bin": rand_bytes(1_500_000, 2),
        "sub/b.safetensors": rand_bytes(12_000_000, 3),
        "sub/c.bin": rand_bytes(300_000, 4),
        "README.md": b"---\nlicense: mit\n---\n# Xet folder\n",
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    before = received(endpoint)
    api.upload_folder(folder_path=str(folder), repo_id=repo_id)
    assert received(endpoint) - before >= 13_000_000
    out = snapshot_download(repo_id, cache_dir=str(tmp_path / "cache"))
    for name, content in files.items():
        assert sha(open(os.path.join(out, name), "rb").read()) == sha(content), name
    entries = {e.path: e for e in api.list_repo_tree(repo_id, recursive=True) if hasattr(e, "lfs")}
    assert entries["sub/b.safetensors"].xet_hash
    assert entries["README.md"].xet_hash is None


def _data_for(scheme, seed):
    r = random.Random(seed)
    if scheme == "lz4":  # text: LZ4 shrinks it
        words = ["alpha", "beta", "gamma", "delta", "xet", "chunk", "hubble", "shard", "xorb"]
        return "".join(" ".join(r.choice(words) for _ in range(12)) + "\n" for _ in range(100_000)).encode()
    if scheme == "bg4-lz4":  # float32 weights: grouping the exponent bytes is what makes them shrink
        return struct.pack(f"<{1_500_000}f", *(r.gauss(0.0, 0.02) for _ in range(1_500_000)))
    return rand_bytes(6_000_000, seed)


@pytest.mark.parametrize("policy,scheme", [("none", "none"), ("lz4", "lz4"), ("bg4-lz4", "bg4-lz4")])
def test_each_compression_policy(api, repo_id, endpoint, tmp_path, policy, scheme):
    # hf_xet reads its config once per process: each policy runs in its own interpreter.
    data = _data_for(scheme, len(policy))
    src = tmp_path / "floats.bin"
    src.write_bytes(data)
    script = (
        "import sys, hashlib\n"
        "from huggingface_hub import HfApi, hf_hub_download\n"
        "api = HfApi()\n"
        "api.upload_file(path_or_fileobj=sys.argv[1], path_in_repo='floats.bin', repo_id=sys.argv[2])\n"
        "p = hf_hub_download(sys.argv[2], 'floats.bin', cache_dir=sys.argv[3])\n"
        "print(hashlib.sha256(open(p, 'rb').read()).hexdigest())\n"
    )
    env = {**os.environ, "HF_XET_XORB_COMPRESSION_POLICY": policy, "HF_XET_CACHE": str(tmp_path / "xet")}
    key = f'hubble_xet_chunks_stored_total{{scheme="{scheme}"}}'
    before = metrics(endpoint)[key]
    out = subprocess.run([sys.executable, "-c", script, str(src), repo_id, str(tmp_path / "cache")], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == sha(data)
    assert metrics(endpoint)[key] - before >= 50, f"no {scheme} chunks were stored"


def _upload_in_fresh_process(src, repo_id, token, cache):
    """hf upload from a new interpreter with an empty Xet cache: any dedupe has to come from Hubble."""
    script = (
        "import sys\n"
        "from huggingface_hub import HfApi\n"
        "HfApi(token=sys.argv[3]).upload_file(path_or_fileobj=sys.argv[1], path_in_repo='model.bin', repo_id=sys.argv[2])\n"
    )
    env = {**os.environ, "HF_XET_CACHE": str(cache)}
    out = subprocess.run([sys.executable, "-c", script, str(src), repo_id, token], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]


def test_dedupe_reupload_with_one_percent_changed_by_another_user(api, other_api, repo_id, endpoint, tmp_path):
    # admin publishes a model; carol uploads a fine-tune (1% edited) to her own repo.
    data = bytearray(rand_bytes(50_000_000, 5))
    src = tmp_path / "model.bin"
    src.write_bytes(data)
    api.upload_file(path_or_fileobj=str(src), path_in_repo="model.bin", repo_id=repo_id)
    data[20_000_000:20_500_000] = rand_bytes(500_000, 6)  # 1% of the bytes, edited in place
    src.write_bytes(data)
    carol_repo = other_api.create_repo(f"carol/finetune-{repo_id.split('-')[-1]}").repo_id
    before = received(endpoint)
    _upload_in_fresh_process(src, carol_repo, os.environ["HUBBLE_OTHER_TOKEN"], tmp_path / "fresh-xet-cache")
    sent = received(endpoint) - before
    print(f"re-upload received {sent:.0f} bytes = {100 * sent / len(data):.2f}% of the file")
    assert 0 < sent <= 0.10 * len(data)
    path = hf_hub_download(carol_repo, "model.bin", cache_dir=str(tmp_path / "cache"), token=os.environ["HUBBLE_OTHER_TOKEN"])
    assert sha(open(path, "rb").read()) == sha(bytes(data))
    other_api.delete_repo(carol_repo)


def test_no_dedupe_against_a_private_repo_of_someone_else(api, other_api, endpoint, tmp_path):
    # The same bytes in admin's private repo: carol's upload must send them all (a dedupe answer
    # would disclose xorb ids and sizes of a file she cannot see).
    private = api.create_repo(f"admin/private-{os.urandom(4).hex()}", private=True).repo_id
    data = rand_bytes(8_000_000, 7)
    src = tmp_path / "model.bin"
    src.write_bytes(data)
    api.upload_file(path_or_fileobj=str(src), path_in_repo="model.bin", repo_id=private)
    carol_repo = other_api.create_repo(f"carol/copy-{os.urandom(4).hex()}").repo_id
    before = received(endpoint)
    _upload_in_fresh_process(src, carol_repo, os.environ["HUBBLE_OTHER_TOKEN"], tmp_path / "fresh-xet-cache")
    assert received(endpoint) - before >= len(data)
    api.delete_repo(private)
    other_api.delete_repo(carol_repo)


def test_copy_files_across_repos_server_side(api, other_api, repo_id, endpoint, tmp_path):
    # HfApi.copy_files: the Xet file is linked to the target repo by Hubble; no bytes re-sent.
    data = rand_bytes(3_000_000, 11)
    api.upload_file(path_or_fileobj=data, path_in_repo="src/weights.bin", repo_id=repo_id)
    api.upload_file(path_or_fileobj=b"small text", path_in_repo="src/notes.txt", repo_id=repo_id)
    target = api.create_repo(f"admin/copy-target-{os.urandom(3).hex()}").repo_id
    before = received(endpoint)
    api.copy_files(f"hf://{repo_id}/src/", f"hf://{target}/dst/")
    assert received(endpoint) == before, "the large file was duplicated server-side, not uploaded again"
    assert sorted(api.list_repo_files(target)) == [".gitattributes", "dst/notes.txt", "dst/weights.bin"]
    path = hf_hub_download(target, "dst/weights.bin", cache_dir=str(tmp_path / "c"))
    assert sha(open(path, "rb").read()) == sha(data)
    # carol cannot copy admin's files into her repo when she cannot read the source.
    api.update_repo_settings(repo_id, private=True)
    carol = other_api.create_repo(f"carol/steal-{os.urandom(3).hex()}").repo_id
    with pytest.raises(Exception):
        other_api.copy_files(f"hf://{repo_id}/src/weights.bin", f"hf://{carol}/weights.bin")
    assert other_api.list_repo_files(carol) == [".gitattributes"]
    api.delete_repo(target)
    other_api.delete_repo(carol)
