"""The Dataset view: the tutorial's figure and the training digits by label."""

from __future__ import annotations

from tests.views.apptest import start


def test_dataset_view_filters_by_digit() -> None:
    at = start(None, view="dataset")
    at.selectbox(key="browse_digit").set_value(3).run()
    assert not at.exception
    captions = [img.caption for img in at.get("image")[-1].proto.imgs]
    assert len(captions) == 40
    assert set(captions) == {"3"}


def test_dataset_view_shows_the_first_ten_and_the_counts() -> None:
    """The tutorial's first-ten figure, and the 8x8 view of the training digits."""
    at = start(None, view="dataset")
    assert any("1,797 digits" in md.value for md in at.markdown)
    assert any("first ten digits" in c.value for c in at.caption)
    at.toggle(key="browse_sharp").set_value(False)
    at.slider(key="browse_count").set_value(20).run()
    assert not at.exception
    assert len(at.get("image")[-1].proto.imgs) == 20
