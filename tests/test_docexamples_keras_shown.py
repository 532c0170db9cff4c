"""How a Keras example's value is shown on every backend (``keras_executor.shown``)."""

from __future__ import annotations

from pytest_tf2conf.docexamples.keras_executor import shown


class Size(tuple):
    """Stands in for torch.Size: a tuple subclass whose repr is ``torch.Size([...])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"


def test_a_torch_size_is_shown_as_the_tuple_the_docs_write() -> None:
    value = shown(Size((1, 32, 3)))
    assert type(value) is tuple and repr(value) == "(1, 32, 3)"
    assert repr(shown([Size((2,)), (1, 2)])) == "[(2,), (1, 2)]"
