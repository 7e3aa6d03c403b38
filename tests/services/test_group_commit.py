"""Group commit: callers who arrive while a batch runs share the next one; a failing item
fails only its own caller."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence

import pytest

from hogo.services.group_commit import GroupCommit


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


class Recorder:
    """A `run` that records its batches; an item "hold" blocks until released, "bad"
    fails its whole batch."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()

    def __call__(self, items: Sequence[str]) -> list[str]:
        self.batches.append(list(items))
        if "hold" in items:
            self.release.wait(10)
        if "bad" in items:
            raise ValueError("bad item")
        return [item.upper() for item in items]


def test_a_lone_caller_runs_at_once() -> None:
    run = Recorder()
    group = GroupCommit(run)
    assert group.submit("a") == "A"
    assert run.batches == [["a"]]


def test_callers_who_arrive_during_a_batch_share_the_next_in_order() -> None:
    run = Recorder()
    group = GroupCommit(run)
    leader = threading.Thread(target=group.submit, args=("hold",))
    leader.start()
    _until(lambda: run.batches == [["hold"]])
    answers: dict[str, str] = {}
    threads = []
    for item in ("b", "c", "d"):
        thread = threading.Thread(target=lambda i=item: answers.update({i: group.submit(i)}))
        thread.start()
        threads.append(thread)
        _until(lambda i=item: group.waiting == "bcd".index(i) + 1)
    run.release.set()
    for thread in [leader, *threads]:
        thread.join(10)
    assert run.batches == [["hold"], ["b", "c", "d"]]
    assert answers == {"b": "B", "c": "C", "d": "D"}


def test_a_batch_is_bounded() -> None:
    run = Recorder()
    group = GroupCommit(run, max_batch=2)
    leader = threading.Thread(target=group.submit, args=("hold",))
    leader.start()
    _until(lambda: len(run.batches) == 1)
    threads = [threading.Thread(target=group.submit, args=(i,)) for i in ("b", "c", "d")]
    for n, thread in enumerate(threads, start=1):
        thread.start()
        _until(lambda n=n: group.waiting == n)
    run.release.set()
    for thread in [leader, *threads]:
        thread.join(10)
    assert run.batches == [["hold"], ["b", "c"], ["d"]]


def test_a_failing_item_fails_only_its_caller() -> None:
    run = Recorder()
    group = GroupCommit(run)
    leader = threading.Thread(target=group.submit, args=("hold",))
    leader.start()
    _until(lambda: len(run.batches) == 1)
    answers: dict[str, object] = {}

    def call(item: str) -> None:
        try:
            answers[item] = group.submit(item)
        except ValueError as error:
            answers[item] = error

    threads = []
    for n, item in enumerate(("b", "bad", "c"), start=1):
        thread = threading.Thread(target=call, args=(item,))
        thread.start()
        threads.append(thread)
        _until(lambda n=n: group.waiting == n)
    run.release.set()
    for thread in [leader, *threads]:
        thread.join(10)
    # the batch failed as a whole, then each item ran alone
    assert run.batches == [["hold"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]
    assert answers["b"] == "B" and answers["c"] == "C"
    assert isinstance(answers["bad"], ValueError)


def test_a_lone_failure_reaches_its_caller() -> None:
    group = GroupCommit(Recorder())
    with pytest.raises(ValueError, match="bad item"):
        group.submit("bad")
    assert group.submit("after") == "AFTER"  # leadership was released


def test_coroutines_are_batched_on_the_writer_thread_and_the_loop_never_waits() -> None:
    run = Recorder()
    group: GroupCommit[str, str] = GroupCommit(run)

    async def scenario() -> tuple[list[str], int]:
        held = asyncio.ensure_future(group.submit_async("hold"))
        while run.batches != [["hold"]]:
            await asyncio.sleep(0.005)
        others = [asyncio.ensure_future(group.submit_async(i)) for i in ("b", "c", "d")]
        ticks = 0
        while group.waiting < 3:  # the loop runs while the writer is held
            ticks += 1
            await asyncio.sleep(0.005)
        run.release.set()
        answers = await asyncio.gather(held, *others)
        return answers, ticks

    answers, ticks = asyncio.run(scenario())
    group.close()
    assert answers == ["HOLD", "B", "C", "D"] and ticks >= 1
    assert run.batches == [["hold"], ["b", "c", "d"]]


def test_a_coroutine_hears_its_own_failure_only() -> None:
    group: GroupCommit[str, str] = GroupCommit(Recorder())

    async def scenario() -> list[object]:
        return await asyncio.gather(
            group.submit_async("a"), group.submit_async("bad"), return_exceptions=True
        )

    a, bad = asyncio.run(scenario())
    group.close()
    assert a == "A" and isinstance(bad, ValueError)


def test_threads_and_coroutines_share_the_queue() -> None:
    run = Recorder()
    group: GroupCommit[str, str] = GroupCommit(run)
    leader = threading.Thread(target=group.submit, args=("hold",))
    leader.start()
    _until(lambda: run.batches == [["hold"]])
    answers: dict[str, str] = {}
    thread = threading.Thread(target=lambda: answers.update(t=group.submit("t")))
    thread.start()
    _until(lambda: group.waiting == 1)

    async def scenario() -> str:
        pending = asyncio.ensure_future(group.submit_async("c"))
        while group.waiting < 2:
            await asyncio.sleep(0.005)
        run.release.set()
        return await pending

    answers["c"] = asyncio.run(scenario())
    for t in (leader, thread):
        t.join(10)
    group.close()
    assert answers == {"t": "T", "c": "C"}
    assert run.batches == [["hold"], ["t", "c"]]


def test_close_stops_the_writer_and_refuses_new_coroutines() -> None:
    group: GroupCommit[str, str] = GroupCommit(Recorder())
    assert asyncio.run(group.submit_async("a")) == "A"
    writer = group._writer
    group.close()
    assert writer is not None and not writer.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(group.submit_async("b"))
    assert group.submit("c") == "C"  # a thread still runs its own batch
