"""Schemathesis' operation tests, built on the worker that runs them, when they run.

`@schema.parametrize()` makes one test per API operation at collection, and building one means
generating all of its coverage-phase cases (some 4 600 for the API, tests/portal/
test_api_schema_fuzz.py): about 3.5 s of CPU that every pytest-xdist worker spent collecting,
though one worker runs the tests. Here the collection makes the same items (same names, node
ids, markers, fixtures) with a stand-in for the built test, and an item builds its test just
before its fixtures are set up, with the same call as Schemathesis' collector and the same
inputs (the operation, the test function, the run's feedback sources). The cases are the same:
their generation is deterministic (coverage cases are seeded, the fuzzing is derandomized) and
reads no state a test changes.

An operation whose definition Schemathesis cannot build a test for fails, as at collection,
with the schema error; only now that happens when the test runs."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from _pytest.python import FunctionDefinition
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Ok
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.pytest.plugin import SchemathesisCase, SchemathesisFunction


def built_when_run(result: Any) -> Any:
    """The collector for a test Schemathesis parametrizes: one whose items build their tests
    when they run (anything else unchanged)."""
    if type(result) is not SchemathesisCase:
        return result
    return OperationTests.from_parent(result.parent, name=result.name,
                                      test_function=result.test_function, schema=result.schema)


class OperationTest(SchemathesisFunction):
    """An operation's test whose Hypothesis test is built at setup (see the module
    docstring)."""

    def __init__(self, *args: Any, build: Callable[[], Callable], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._build = build

    def setup(self) -> None:
        try:
            self.obj = self._build()
        except InvalidSchema as error:
            self.obj = error.as_failing_test_function()
        super().setup()


class OperationTests(SchemathesisCase):
    """Schemathesis' collector, making OperationTest items: the same names and fixtures as its
    own, from a stand-in with the built test's signature and attributes."""

    def _gen_items(self, result, feedback) -> Iterator[SchemathesisFunction]:
        stand_in = _stand_in(self.test_function)
        definition = FunctionDefinition.from_parent(name=self.name, parent=self.parent,
                                                    callobj=stand_in)
        fixtureinfo = self.session._fixturemanager.getfixtureinfo(definition, stand_in, None)
        if (not isinstance(result, Ok) or self.is_invalid_test
                or self._get_class_parent() is not None
                or self._parametrize(None, definition, fixtureinfo)._calls):
            # A schema error, or a test in a class or parametrized further: built now, by
            # Schemathesis' own collector.
            yield from super()._gen_items(result, feedback)
            return
        operation = result.ok()

        def build() -> Callable:
            return build_operation_test(config=self.schema.config, operation=operation,
                                        test_func=self.test_function,
                                        given_kwargs=self.given_kwargs, feedback=feedback)

        yield OperationTest.from_parent(
            self.parent, name=self._get_test_name(operation), callobj=stand_in,
            fixtureinfo=fixtureinfo, test_func=self.test_function, originalname=self.name,
            operation_label=operation.label, operation_tags=operation.tags, build=build)


def _stand_in(test_function: Callable) -> Callable:
    """What pytest reads of a test at collection: the built test's signature (Hypothesis
    provides `case`, pytest the rest), the test function's marks and attributes, and that it
    is a Hypothesis test (its "hypothesis" marker). Never called: the item builds the test
    first."""

    def not_built_yet(*args: Any, **kwargs: Any):
        raise RuntimeError("the operation's test is built at setup (tests/schema_fuzz_items.py)")

    signature = inspect.signature(test_function)
    not_built_yet.__dict__.update(test_function.__dict__)
    not_built_yet.__signature__ = signature.replace(
        parameters=[parameter for name, parameter in signature.parameters.items()
                    if name != "case"])
    not_built_yet.__name__ = test_function.__name__
    not_built_yet.__qualname__ = test_function.__qualname__
    not_built_yet.__module__ = test_function.__module__
    not_built_yet.is_hypothesis_test = True
    return not_built_yet
