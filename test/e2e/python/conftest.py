"""Fixtures for driving Hubble with the stock huggingface_hub client (no patches)."""
import os
import uuid

import pytest
from huggingface_hub import HfApi


@pytest.fixture(scope="session")
def endpoint():
    return os.environ["HF_ENDPOINT"]


@pytest.fixture(scope="session")
def api(endpoint):
    return HfApi(endpoint=endpoint, token=os.environ["HF_TOKEN"])


@pytest.fixture(scope="session")
def anon_api(endpoint):
    return HfApi(endpoint=endpoint, token=False)


@pytest.fixture(scope="session")
def read_api(endpoint):
    """bob: read token, member of org acme with role read."""
    return HfApi(endpoint=endpoint, token=os.environ["HUBBLE_READ_TOKEN"])


@pytest.fixture(scope="session")
def other_api(endpoint):
    """carol: write token, no memberships."""
    return HfApi(endpoint=endpoint, token=os.environ["HUBBLE_OTHER_TOKEN"])


@pytest.fixture
def repo_id(api):
    rid = f"admin/test-{uuid.uuid4().hex[:10]}"
    api.create_repo(rid)
    yield rid
    try:
        api.delete_repo(rid)
    except Exception:
        pass
