"""Run one symbol's documented examples with the stdlib doctest machinery.

The examples run in order in one namespace (the defining module's globals plus what the
library's executor adds), as TensorFlow's own doctest runner runs them. What this module
adds around ``doctest.DocTestRunner``:

- the plan of ``rules.py``: excluded examples are left out or run unchecked, and examples
  that are one expression are rewritten to ``__tf2conf_run__(lambda: (expr), how)``, so the
  executor runs them eagerly (checking the result's placement) or as a graph;
- per-example bookkeeping: examples checked per mode, excluded per rule, failures (with
  doctest's own diff) and "no kernel on this device" (``unsupported``);
- the functions TensorFlow's AutoGraph traces need their source: examples are registered
  in ``linecache`` while they run (doctest only patches ``linecache.getlines``, and
  AutoGraph's source map then holds ``None`` file names, which TF rejects).

Nothing here imports TensorFlow or Keras; the executor brings them.
"""

from __future__ import annotations

import contextlib
import doctest
import linecache
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import rules
from .checker import FLAGS
from .harvest import Symbol

HELPER = "__tf2conf_run__"
MAX_REPORTED_FAILURES = 3


class Executor(Protocol):
    """A library's way of running examples on one target (see tf_executor, keras_executor)."""

    mode: str  # the mode graph examples run in: "eager", "function" or "xla"
    last_mode: str | None  # the mode the last expression ran in (set by run)
    xla_fallbacks: dict[str, int]  # why examples ran in tf.function instead of XLA

    def namespace(self, symbol: Symbol) -> dict[str, Any]: ...

    def checker(self) -> doctest.OutputChecker: ...

    def run(self, fn: Callable[[], Any], how: str) -> Any:
        """Evaluate one expression example: ``how`` is "eager", "function" or "xla"."""

    def is_unsupported(self, exc: BaseException) -> bool: ...

    def is_unsupported_text(self, text: str) -> bool:
        """Whether an unexpected traceback (an example that documents an error) says that
        the target has no kernel."""

    def guard(self) -> Any:
        """A context manager that restores process-wide state the examples may change."""


@dataclass
class Outcome:
    """What running one symbol's examples on one target gave."""

    ran: Counter[str] = field(default_factory=Counter)  # examples checked, per mode
    excluded: dict[str, int] = field(default_factory=dict)  # rule -> examples
    xla_fallbacks: dict[str, int] = field(default_factory=dict)  # reason -> examples
    failures: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    stopped: bool = False  # an eager example had no kernel: the rest depends on it
    # an optional dependency of the library is not installed (Keras's STFT layers need
    # SciPy): the examples do not apply here
    missing: str | None = None

    def notes(self) -> dict[str, Any]:
        notes: dict[str, Any] = {"examples": dict(sorted(self.ran.items()))}
        if self.excluded:
            notes["excluded"] = dict(sorted(self.excluded.items()))
        if self.xla_fallbacks:
            notes["xla_fallbacks"] = dict(sorted(self.xla_fallbacks.items()))
        if self.unsupported:
            notes["unsupported_examples"] = len(self.unsupported)
        return notes

    def failure_message(self, symbol: Symbol) -> str:
        shown = self.failures[:MAX_REPORTED_FAILURES]
        more = len(self.failures) - len(shown)
        head = f"{len(self.failures)} documented example(s) of {symbol.name} differ"
        return head + ":\n" + "\n".join(shown) + (f"\n(and {more} more)" if more else "")


class _Stop(Exception):
    """An eager example found no kernel on the target: later examples depend on it."""


@dataclass
class _Step:
    index: int  # the example's index in the docstring
    source: str  # as documented
    how: str  # "eager", "function", "xla" (for expressions), or "statement"
    checked: bool  # False: an excluded example that runs only to build later examples' state


class _Runner(doctest.DocTestRunner):
    def __init__(self, executor: Executor, outcome: Outcome) -> None:
        super().__init__(checker=executor.checker(), optionflags=FLAGS, verbose=False)
        self._by_example: dict[int, _Step] = {}
        self._executor = executor
        self._outcome = outcome

    def bind(self, example: doctest.Example, step: _Step) -> None:
        self._by_example[id(example)] = step

    def _mode(self, step: _Step) -> str:
        return "eager" if step.how == "statement" else step.how

    def report_start(self, out, test, example) -> None:
        self._executor.last_mode = None

    def report_success(self, out, test, example, got) -> None:
        step = self._by_example[id(example)]
        if step.checked:
            # the mode it ran in: an XLA example XLA cannot compile runs in tf.function
            self._outcome.ran[self._executor.last_mode or self._mode(step)] += 1

    def report_failure(self, out, test, example, got) -> None:
        step = self._by_example[id(example)]
        if not step.checked:
            return
        if self._executor.is_unsupported_text(got):
            self._unsupported(step, got)
            return
        diff = self._checker.output_difference(example, got, self.optionflags)
        self._outcome.failures.append(_describe(example, step, diff))

    def report_unexpected_exception(self, out, test, example, exc_info) -> None:
        step = self._by_example[id(example)]
        exc = exc_info[1]
        if isinstance(exc, ImportError) and self._outcome.missing is None:
            self._outcome.missing = _one_line(exc)
            raise _Stop(self._outcome.missing)
        if self._executor.is_unsupported(exc):
            self._unsupported(step, str(exc))
            return
        if not step.checked:
            return  # an unchecked example's error shows in the examples that need it
        self._outcome.failures.append(_describe(example, step, f"raised {_one_line(exc)}\n"))

    def _unsupported(self, step: _Step, detail: str) -> None:
        lines = detail.strip().splitlines()
        first = next((line for line in lines if "kernel" in line or "device" in line), None)
        first = first or (lines[0] if lines else "no kernel")
        self._outcome.unsupported.append(f"line {step.index}: {first[:300]}")
        if step.how in ("statement", "eager"):
            self._outcome.stopped = True
            raise _Stop(first)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _one_line(exc: BaseException) -> str:
    """``Type: first line of the message`` (TensorFlow's messages run over many lines; Keras
    puts "Exception encountered when calling X.call()." before the cause)."""
    text = _ANSI.sub("", str(exc))  # Keras colours its messages
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        lines = lines[1:]
    return f"{type(exc).__name__}: {lines[0][:500] if lines else ''}".rstrip(": ")


def _describe(example: doctest.Example, step: _Step, diff: str) -> str:
    source = step.source.strip().replace("\n", "\n... ")
    return f"[{step.how}] line {example.lineno + 1}: >>> {source[:300]}\n{diff.rstrip()}"


def _rewrite(source: str, how: str) -> str:
    """``expr`` -> ``__tf2conf_run__(lambda: (expr), how)`` (the value is still displayed)."""
    return f"{HELPER}(lambda: (\n{source.rstrip()}\n), {how!r})\n"


def steps_for(examples: list[doctest.Example], plan: rules.Plan, mode: str) -> list[_Step]:
    """How each example runs in ``mode``; excluded examples that must not run are left out."""
    steps = []
    for index, example in enumerate(examples):
        rule = plan.excluded.get(index)
        if rule is not None and not rule.execute:
            continue
        if not rules.is_expression(example.source):
            how = "statement"
        elif index in plan.graph and mode != "eager":
            how = "function" if (mode == "xla" and index in plan.no_xla) else mode
        else:
            how = "eager"
        steps.append(_Step(index, example.source, how, checked=rule is None))
    return steps


@contextmanager
def _registered_sources(name: str, examples: list[doctest.Example]) -> Iterator[None]:
    names = [f"<doctest {name}[{i}]>" for i in range(len(examples))]
    for filename, example in zip(names, examples, strict=True):
        lines = example.source.splitlines(True)
        linecache.cache[filename] = (len(example.source), None, lines, filename)
    try:
        yield
    finally:
        for filename in names:
            linecache.cache.pop(filename, None)


def run_symbol(symbol: Symbol, plan: rules.Plan, executor: Executor) -> Outcome:
    """Run the examples of ``symbol`` as ``plan`` says, with ``executor``; never raises for a
    failing example (the outcome lists them)."""
    outcome = Outcome(excluded=plan.excluded_counts())
    examples = symbol.examples
    steps = steps_for(examples, plan, executor.mode)
    runner = _Runner(executor, outcome)
    to_run = []
    for step in steps:
        original = examples[step.index]
        source = original.source
        if step.how != "statement":
            source = _rewrite(source, step.how)
        example = doctest.Example(
            source,
            original.want if step.checked else "",
            original.exc_msg if step.checked else None,
            lineno=original.lineno,
            indent=original.indent,
            options=original.options,
        )
        runner.bind(example, step)
        to_run.append(example)
    globs = executor.namespace(symbol)
    globs[HELPER] = executor.run
    test = doctest.DocTest(to_run, globs, symbol.name, symbol.name, 0, symbol.docstring)
    # _Stop: the rest of the examples needed the one without a kernel
    with _registered_sources(symbol.name, to_run), executor.guard(), contextlib.suppress(_Stop):
        runner.run(test, out=lambda text: None, clear_globs=True)
    outcome.xla_fallbacks = dict(executor.xla_fallbacks)
    return outcome
