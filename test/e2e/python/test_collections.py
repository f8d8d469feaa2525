"""Collections with the stock client: create (exists_ok), get, add items with notes, reorder,
update metadata, list with filters, delete items and the collection; a private collection is
invisible to another user."""
import uuid

import pytest
from huggingface_hub.errors import HfHubHTTPError


def test_collections_lifecycle(api, other_api, repo_id):
    title = f"Picks {uuid.uuid4().hex[:6]}"
    c = api.create_collection(title, description="Models I like")
    assert c.slug.startswith("admin/picks-") and c.title == title and c.items == []
    assert api.create_collection(title, exists_ok=True).slug == c.slug
    api.add_collection_item(c.slug, repo_id, "model", note="The **best** one")
    other = f"admin/extra-{uuid.uuid4().hex[:6]}"
    api.create_repo(other)
    try:
        c = api.add_collection_item(c.slug, other, "model")
        assert [i.item_id for i in c.items] == [repo_id, other]
        assert c.items[0].note == "The **best** one"
        api.add_collection_item(c.slug, other, "model", exists_ok=True)
        api.update_collection_item(c.slug, c.items[1].item_object_id, position=0, note="Now first")
        c = api.get_collection(c.slug)
        assert [(i.item_id, i.position) for i in c.items] == [(other, 0), (repo_id, 1)]
        assert c.items[0].note == "Now first"
        c2 = api.update_collection_metadata(c.slug, title=title + " v2", description="Renamed", private=True)
        assert c2.slug[-24:] == c.slug[-24:] and c2.private and c2.description == "Renamed"
        with pytest.raises(HfHubHTTPError) as e:
            other_api.get_collection(c2.slug)
        assert e.value.response.status_code == 404
        assert c2.slug in [x.slug for x in api.list_collections(owner="admin")]
        assert c2.slug not in [x.slug for x in other_api.list_collections(owner="admin")]
        assert [x.slug for x in api.list_collections(item=f"models/{repo_id}")] == [c2.slug]
        api.delete_collection_item(c2.slug, c.items[0].item_object_id)
        assert [i.item_id for i in api.get_collection(c2.slug).items] == [repo_id]
        api.delete_collection(c2.slug)
        with pytest.raises(HfHubHTTPError):
            api.get_collection(c2.slug)
        api.delete_collection(c2.slug, missing_ok=True)
    finally:
        api.delete_repo(other)
