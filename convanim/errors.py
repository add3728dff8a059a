"""Errors a user can fix: each renders as one line naming the key and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType

from .tomlpos import Path, line_of


class ConvanimError(Exception):
    """Base class for every error convanim reports to a user (CLI exit status 2)."""


class ScenarioError(ConvanimError):
    """A scenario value is wrong; ``key`` is its dotted path, e.g. ``kernel.size``.

    Several independent mistakes of one scenario are raised together as one ScenarioError:
    ``errors`` lists them all (each a ScenarioError of one line), ``key`` and ``message`` are the
    first's, and ``str()`` gives one line per mistake. ``line`` is where the key is written in
    the scenario file (``load`` sets it), or None."""

    def __init__(self, key: str, message: str, *, errors: Iterable[ScenarioError] = ()) -> None:
        self.key = key
        self.message = message
        self.line: int | None = None
        self.errors: tuple[ScenarioError, ...] = tuple(errors) or (self,)
        super().__init__("\n".join(e.one_line() for e in self.errors))

    def one_line(self) -> str:
        """``key: message`` (just the message when there is no key)."""
        return f"{self.key}: {self.message}" if self.key else self.message

    @classmethod
    def of(cls, errors: Iterable[ScenarioError]) -> ScenarioError:
        """One error for ``errors`` (itself when there is one), in the order given; a mistake
        found twice (a key checked by two tables) is reported once."""
        flat = list({(one.key, one.message): one for err in errors for one in err.errors}.values())
        if len(flat) == 1:
            return flat[0]
        return ScenarioError(flat[0].key, flat[0].message, errors=flat)


def located(err: ScenarioError, lines: dict[Path, int]) -> ScenarioError:
    """``err`` with the line of each mistake (``lines``: where each key is written, see
    ``tomlpos``), its mistakes in the order of the file (those of keys not written last)."""
    for one in err.errors:
        one.line = line_of(lines, one.key)
    if len(err.errors) == 1:
        return err
    order = sorted(err.errors, key=lambda e: (e.line is None, e.line or 0))
    return ScenarioError.of(order)


def report(name: str, err: ScenarioError) -> list[str]:
    """A line per mistake naming the scenario file ``name`` and, as compilers do, the line of the
    key when known: ``name:line: key: message``."""
    return [f"{name}{f':{e.line}' if e.line else ''}: {e.one_line()}" for e in err.errors]


class LimitError(ScenarioError):
    """A valid scenario that would need more frames or cells than allowed."""


class Collect:
    """Gather the ScenarioErrors of independent checks, to report them in one run::

    errors = Collect()
    with errors:
        check_one()
    with errors:
        check_other()  # runs even when check_one failed
    errors.done()  # raises them together, if any
    """

    def __init__(self) -> None:
        self.errors: list[ScenarioError] = []

    def __enter__(self) -> Collect:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if isinstance(err, ScenarioError):
            self.errors.extend(err.errors)
            return True
        return False

    def add(self, key: str, message: str) -> None:
        self.errors.append(ScenarioError(key, message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def done(self) -> None:
        """Raise the errors gathered, if any, as one ScenarioError."""
        if self.errors:
            raise ScenarioError.of(self.errors)
