"""Run a job in a forked child while this process does the other half of a diff (two versions, two cores).

The child finds its inputs in the memory it shares with the parent at fork time and sends back its JSON
result, or the spec problems or error that stopped it. Without ``os.fork`` the job runs when waited for.
"""

from __future__ import annotations

import gc
import json
import os
import traceback
from collections.abc import Callable
from typing import Any

from ..errors import Location, Problem, SpecError
from .sources import SourceError


def _problem_data(problem: Problem) -> list[Any]:
    loc = problem.location
    return [loc.file, loc.line, loc.column, loc.pointer, problem.message]


def forked(job: Callable[[], Any], what: str) -> Callable[[], Any]:
    """Start ``job`` in a child; the returned function waits for it and returns (or raises) its outcome."""
    if not hasattr(os, "fork"):
        return job
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 0
        try:
            os.close(read)
            gc.freeze()  # the inherited heap is never freed here: keep the collector off it
            try:
                payload: dict[str, Any] = {"ok": job()}
            except SpecError as exc:
                payload = {"problems": [_problem_data(p) for p in exc.problems]}
            except SourceError as exc:
                payload = {"source": str(exc)}
            except Exception:
                payload = {"error": traceback.format_exc()}
            with os.fdopen(write, "w", encoding="utf-8") as out:
                out.write(json.dumps(payload))
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write)

    def wait() -> Any:
        with os.fdopen(read, "r", encoding="utf-8") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            raise RuntimeError(f"{what} failed: its worker process died")
        payload = json.loads(data)
        if "problems" in payload:
            raise SpecError(
                [Problem(Location(*p[:4]), p[4]) for p in payload["problems"]]
            )
        if "source" in payload:
            raise SourceError(payload["source"])
        if "error" in payload:
            raise RuntimeError(f"{what} failed:\n{payload['error']}")
        return payload["ok"]

    return wait
