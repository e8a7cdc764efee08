"""The read fast path's JSON writer prints what ``json.dumps(indent=2)`` prints.

``lctasks.cli.fast_read.dumps`` lets the C encoder write flat objects and lists
(a report can list 80,000 overdue tasks); the Typer commands print through
``json.dumps(..., ensure_ascii=False, indent=2)``. Any document, any depth.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lctasks.cli.fast_read import dumps

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(["", ",\n  ", '"', "\\", "文本\u2028\x85", "a: b"])
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(documents, st.integers(min_value=0, max_value=3))
def test_dumps_is_json_dumps_with_indent_2(doc: Any, level: int) -> None:
    expected = json.dumps(doc, ensure_ascii=False, indent=2)
    assert dumps(doc) == expected
    assert dumps(doc, level) == expected.replace("\n", "\n" + "  " * level)


def test_keys_that_are_not_text_and_tuples() -> None:
    for doc in ({1: "a", "b": [1, (2, 3)]}, [(), {}, [{}], ("x",)], {"k": {2: None}}):
        assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=2)
