"""Run a job in a forked child while this process does the other half of a diff (two versions, two cores).

The child finds its inputs in the memory it shares with the parent at fork time and sends back its result,
or the spec problems or error that stopped it. A job may also leave an answering function behind: the child
then stays, holding what it built, until the parent asks it one question (say, the lines of the pointers a
report names) or lets it go. Without ``os.fork`` the job runs when waited for.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import traceback
from collections.abc import Callable
from typing import Any

from ..errors import Location, Problem, SpecError
from .sources import SourceError

Answer = Callable[[Any], Any]


def _problem_data(problem: Problem) -> list[Any]:
    loc = problem.location
    return [loc.file, loc.line, loc.column, loc.pointer, problem.message]


def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as pipe:
        return pipe.read()


def _write_all(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(data)


class Forked:
    """A job running in a child process: :meth:`result` waits for it; :meth:`ask` puts the one follow-up
    question to the answering function it returned; :meth:`close` lets the child go without one.
    """

    def __init__(self, job: Callable[[], tuple[Any, Answer | None]], what: str) -> None:
        self._what = what
        self._job = job
        self._pid = 0  # the child's, until it is reaped
        self._forked = hasattr(os, "fork")
        self._done: tuple[Any, Answer | None] | None = (
            None  # without fork: the job's outcome
        )
        self._question_w = self._answer_r = -1
        if not self._forked:
            return
        result_r, result_w = os.pipe()
        question_r, question_w = os.pipe()
        answer_r, answer_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            status = 0
            try:
                for fd in (result_r, question_w, answer_r):
                    os.close(fd)
                gc.freeze()  # the inherited heap is never freed here: keep the collector off it
                answer: Answer | None = None
                try:
                    value, answer = job()
                    payload: dict[str, Any] = {"ok": value}
                except SpecError as exc:
                    payload = {"spec_errors": [_problem_data(p) for p in exc.errors]}
                except SourceError as exc:
                    payload = {"source": str(exc)}
                except Exception:
                    payload = {"error": traceback.format_exc()}
                _write_all(result_w, pickle.dumps(payload, pickle.HIGHEST_PROTOCOL))
                question = _read_all(question_r) if answer is not None else b""
                if question and answer is not None:
                    reply = answer(pickle.loads(question))
                    _write_all(answer_w, pickle.dumps(reply, pickle.HIGHEST_PROTOCOL))
                else:
                    os.close(answer_w)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        for fd in (result_w, question_r, answer_w):
            os.close(fd)
        self._pid = pid
        self._result_r, self._question_w, self._answer_r = (
            result_r,
            question_w,
            answer_r,
        )

    def result(self) -> Any:
        """The job's value; raises what stopped it (SpecError, SourceError, or RuntimeError)."""
        if not self._forked:
            self._done = self._job()
            return self._done[0]
        fd, self._result_r = self._result_r, -1
        data = _read_all(fd)
        if not data:
            self._reap()
            raise RuntimeError(f"{self._what} failed: its worker process died")
        payload = pickle.loads(data)
        if "ok" not in payload:
            self.close()
        if "spec_errors" in payload:
            raise SpecError(
                [Problem(Location(*p[:4]), p[4]) for p in payload["spec_errors"]]
            )
        if "source" in payload:
            raise SourceError(payload["source"])
        if "error" in payload:
            raise RuntimeError(f"{self._what} failed:\n{payload['error']}")
        return payload["ok"]

    def ask(self, question: Any) -> Any:
        """The answer to ``question`` (after :meth:`result`); the child ends with it."""
        if not self._forked:
            answer = self._done[1] if self._done else None
            if answer is None:
                raise RuntimeError(f"{self._what}: nothing to ask")
            return answer(question)
        fd, self._question_w = self._question_w, -1
        try:
            _write_all(fd, pickle.dumps(question, pickle.HIGHEST_PROTOCOL))
        except BrokenPipeError:
            pass  # the child is gone: no answer comes, and that is reported below
        data = _read_all(self._answer_r)
        self._answer_r = -1
        self._reap()
        if not data:
            raise RuntimeError(f"{self._what} failed: its worker process died")
        return pickle.loads(data)

    def close(self) -> None:
        """Let the child go without a question (it may still be waiting for one)."""
        for fd in (self._question_w, self._answer_r):
            if fd >= 0:
                os.close(fd)
        self._question_w = self._answer_r = -1
        self._reap()

    def cancel(self) -> None:
        """Stop the child whatever it is doing (its result is not wanted: it may be blocked writing it) and
        reap it."""
        if self._forked and self._pid:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except OSError:
                pass
            if self._result_r >= 0:
                os.close(self._result_r)
                self._result_r = -1
        self.close()

    def _reap(self) -> None:
        if self._pid:
            if self._question_w >= 0:
                os.close(self._question_w)
                self._question_w = -1
            os.waitpid(self._pid, 0)
            self._pid = 0


def forked(job: Callable[[], Any], what: str) -> Callable[[], Any]:
    """Start ``job`` in a child; the returned function waits for it and returns (or raises) its outcome."""
    child = Forked(lambda: (job(), None), what)

    def wait() -> Any:
        try:
            return child.result()
        finally:
            child.close()

    return wait
