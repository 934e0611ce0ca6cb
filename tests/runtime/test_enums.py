"""Forward-compatible enums: a value the spec does not list parses in a response (kept, readable, sent
back unchanged) instead of failing the whole response; everywhere else enums stay closed.
"""

from __future__ import annotations

import copy
import pickle

import pydantic
import pytest

from generator.runtime.endpoint import Endpoint
from generator.runtime.enums import ApiEnum
from generator.runtime.exceptions import ResponseValidationError
from generator.runtime.models import ApiModel, to_jsonable
from generator.runtime.response import decode_message, decode_response


class Status(str, ApiEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class Level(int, ApiEnum):
    LOW = 1
    HIGH = 2


class Task(ApiModel):
    status: Status
    history: list[Status] = []
    level: Level | None = None


GET_TASK = Endpoint("getTask", "GET", "/t", response_types=lambda: {"200": Task})
JSON = {"Content-Type": "application/json"}
BODY = b'{"status": "archived", "history": ["active", "frozen"], "level": 7}'


def test_a_response_with_unlisted_values_parses() -> None:
    task = decode_response(GET_TASK, 200, JSON, BODY)
    assert isinstance(task, Task)
    assert isinstance(task.status, Status) and not task.status.is_known
    assert task.status.value == "archived" and task.status == "archived"
    assert task.history[0] is Status.ACTIVE and task.history[0].is_known
    assert task.history[1].value == "frozen" and not task.history[1].is_known
    assert isinstance(task.level, Level) and task.level.value == 7 and task.level == 7
    assert not task.level.is_known
    # sent back (or stored) unchanged
    assert task.to_dict() == {
        "status": "archived",
        "history": ["active", "frozen"],
        "level": 7,
    }
    assert to_jsonable(task.status) == "archived"
    assert "archived" in repr(task.status)


def test_unknown_values_survive_copies_and_pickling() -> None:
    task = decode_response(GET_TASK, 200, JSON, BODY)
    for clone in (copy.deepcopy(task), pickle.loads(pickle.dumps(task))):
        assert clone.status.value == "archived" and not clone.status.is_known
        assert clone.history[0] is Status.ACTIVE
    assert pickle.loads(pickle.dumps(Status.PAUSED)) is Status.PAUSED


def test_websocket_messages_accept_unlisted_values_too() -> None:
    task = decode_message(GET_TASK, BODY.decode())
    assert task.status.value == "archived" and not task.status.is_known


def test_outside_responses_enums_stay_closed() -> None:
    with pytest.raises(ValueError):
        Status("archived")
    with pytest.raises(pydantic.ValidationError):
        Task(status="archived")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        Task.from_json(BODY)
    assert Status("active") is Status.ACTIVE
    # leaving a response decode leaves the switch off
    decode_response(GET_TASK, 200, JSON, BODY)
    with pytest.raises(ValueError):
        Status("archived")


def test_the_wrong_kind_of_value_is_still_an_error() -> None:
    with pytest.raises(ResponseValidationError, match="status"):
        decode_response(GET_TASK, 200, JSON, b'{"status": 5}')
    with pytest.raises(ResponseValidationError, match="level"):
        decode_response(GET_TASK, 200, JSON, b'{"status": "active", "level": "x"}')
