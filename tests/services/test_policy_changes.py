"""Publishing a revision: its changes recorded, a notice to each person it reaches, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from hogo.ledger import tables as t
from hogo.ledger.audit import verify
from hogo.ledger.tables_policy_changes import policy_changes, reconsent_requirements
from hogo.services import outbox, policy_notices
from hogo.services.collect import Collection, collect
from hogo.services.erasure import erase
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger
from hogo.services.policy_changes import compare_versions, revision
from hogo.services.policy_notices import send_notices
from tests.services.consent_support import counts
from tests.services.policy_change_support import (
    COMPANY_NAME,
    LAST_REVISED,
    WELLNESS_DESCRIPTION,
    WELLNESS_ITEMS,
    notices,
    revise,
)

TODAY = date(2026, 11, 24)
LATER = date(2026, 12, 24)


def person(ledger: Ledger, values: dict[str, str], consents: dict[str, bool] | None = None) -> str:
    collection = Collection("shop", values, consents=consents or {})
    return collect(ledger, collection, actor="app").subject_id


def population(ledger: Ledger) -> dict[str, str]:
    """Who holds what: wellness uses name and health, so only `email_only` is outside it."""
    return {
        "email_only": person(ledger, {"email": "e@example.jp"}),
        "named": person(ledger, {"name": "花子", "email": "hanako@example.jp"}),
        "health": person(
            ledger, {"email": "k@example.jp", "health": "良好"}, consents={"wellness": True}
        ),
        "no_address": person(ledger, {"name": "太郎"}),
        "erased": person(ledger, {"name": "消", "email": "gone@example.jp"}),
    }


def chain_ok(ledger: Ledger) -> bool:
    with ledger.engine.connect() as conn:
        return verify(conn).ok


def outbox_rows(ledger: Ledger) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.outbox)).scalar_one())


def test_the_first_publication_has_nothing_to_compare(ledger: Ledger) -> None:
    first = revision(ledger)
    assert first.previous_version_id is None and first.changes == () and first.notice == "none"


def test_a_notify_change_tells_each_person_it_reaches_once(ledger: Ledger, tmp_path: Path) -> None:
    people = population(ledger)
    erase(ledger, people["erased"], actor="officer")
    published = revise(ledger, tmp_path, WELLNESS_DESCRIPTION, effective=LATER)
    found = published.revision
    assert found is not None and found.highest == "notify"
    assert [(c.path, c.change_class, c.reach) for c in found.changes if c.article] == [
        ("purposes[wellness].description", "notify", "holders")
    ]
    assert found.requirements == ()
    sent = notices(ledger)
    assert set(sent) == {people["named"], people["health"]}
    assert found.notice == "done"
    assert (found.reached, found.queued, found.without_address) == (3, 2, 1)
    message = sent[people["named"]]
    assert message is not None and message.lang == "ja" and message.to == "hanako@example.jp"
    assert message.subject == "【株式会社フル】プライバシーポリシー改定のお知らせ"
    assert "利用目的「健康サービス」の内容を変更します。" in message.body
    assert "2026年12月24日から適用いたします" in message.body
    assert "http://127.0.0.1:8000/policy" in message.body
    assert "改めて同意" not in message.body
    # the notice step is done: running it again, or publishing the same text, queues nothing
    before = outbox_rows(ledger)
    assert send_notices(ledger, published.version_id, actor="officer").queued == 2
    again = revise(ledger, tmp_path, WELLNESS_DESCRIPTION, effective=LATER)
    assert not again.created and again.version_id == published.version_id
    assert outbox_rows(ledger) == before
    assert chain_ok(ledger)


def test_a_general_change_reaches_everyone_not_erased(ledger: Ledger, tmp_path: Path) -> None:
    people = population(ledger)
    erase(ledger, people["erased"], actor="officer")
    with ledger.engine.begin() as conn:  # a person who reads English
        conn.execute(update(t.subjects).where(t.subjects.c.id == people["named"]).values(lang="en"))
    published = revise(ledger, tmp_path, COMPANY_NAME, effective=LATER)
    assert published.revision is not None
    assert {c.reach for c in published.revision.changes if c.path == "organization.name"} == {
        "everyone"
    }
    sent = notices(ledger)
    assert set(sent) == {people["email_only"], people["named"], people["health"]}
    assert published.revision.without_address == 1
    message = sent[people["email_only"]]
    assert message is not None
    assert message.subject == "【株式会社フルホールディングス】プライバシーポリシー改定のお知らせ"
    assert "当社の名称を変更します。" in message.body
    english = sent[people["named"]]
    assert english is not None and english.lang == "en"
    assert english.subject == "[Full Holdings K.K.] Changes to our privacy policy"
    assert "- Our company name changes." in english.body
    assert "applies from 24 December 2026" in english.body


def test_an_editorial_change_queues_nothing(ledger: Ledger, tmp_path: Path) -> None:
    population(ledger)
    published = revise(ledger, tmp_path, LAST_REVISED, effective=LATER)
    assert published.revision is not None
    assert published.revision.highest == "editorial"
    assert published.revision.notice == "none" and published.notices is None
    assert notices(ledger) == {}
    with ledger.engine.connect() as conn:
        recorded = conn.execute(select(policy_changes.c.change_class)).scalars().all()
        assert set(recorded) == {"editorial"} and len(recorded) == 2  # the text and changes
        assert conn.execute(select(func.count()).select_from(reconsent_requirements)).scalar() == 0


def test_notice_by_publication_only_queues_no_mail(ledger: Ledger, tmp_path: Path) -> None:
    population(ledger)
    published = revise(ledger, tmp_path, WELLNESS_DESCRIPTION, effective=LATER, tail="")
    assert published.revision is not None
    assert published.revision.highest == "notify" and published.revision.notice == "published"
    assert notices(ledger) == {}


@pytest.mark.parametrize(("effective", "warned"), [(date(2026, 11, 29), True), (LATER, False)])
def test_advance_notice_promised_is_checked(
    ledger: Ledger, tmp_path: Path, effective: date, warned: bool
) -> None:
    tail = "\nchanges:\n  notice: [email]\n  advance_notice_days: 30\n"
    published = revise(ledger, tmp_path, WELLNESS_DESCRIPTION, effective=effective, tail=tail)
    assert published.revision is not None and published.revision.advance_notice_days == 30
    assert bool(published.revision.warnings) == warned
    if warned:
        assert "30 day(s)" in published.revision.warnings[0]
        assert "5 day(s) from today" in published.revision.warnings[0]


def test_notices_resume_after_a_stop_and_write_to_no_one_twice(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = [person(ledger, {"name": f"N{n}", "email": f"n{n}@example.jp"}) for n in range(7)]
    real = outbox.subject_contact
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 6:  # the second address of the third batch of two
            raise RuntimeError("the process died")
        return real(*args, **kwargs)

    monkeypatch.setattr(policy_notices, "subject_contact", failing, raising=True)
    monkeypatch.setattr(policy_notices, "BATCH", 2)
    seen: list[tuple[int, int]] = []
    with pytest.raises(RuntimeError):
        revise(ledger, tmp_path, WELLNESS_DESCRIPTION, effective=LATER)
    version_id = revision(ledger).version_id
    stopped = revision(ledger, version_id)
    assert stopped.notice == "pending" and (stopped.reached, stopped.queued) == (4, 4)
    assert len(notices(ledger)) == 4  # two whole batches; the third left nothing behind
    monkeypatch.setattr(policy_notices, "subject_contact", real)
    run = send_notices(
        ledger, version_id, actor="officer", progress=lambda done, total: seen.append((done, total))
    )
    assert run.notice == "done" and (run.reached, run.queued) == (7, 7)
    assert seen == [(6, 7), (7, 7)]
    assert set(notices(ledger)) == set(people)
    assert chain_ok(ledger)


def test_bad_input_writes_nothing(ledger: Ledger) -> None:
    before = counts(ledger)
    with pytest.raises(NotFound, match="#99"):
        send_notices(ledger, 99, actor="officer")
    with pytest.raises(NotFound, match="#1 has no recorded revision"):
        send_notices(ledger, 1, actor="officer")
    with pytest.raises(BadInput, match="batch size"):
        send_notices(ledger, 1, actor="officer", batch_size=0)
    with pytest.raises(BadInput, match="actor"):
        send_notices(ledger, 1, actor=" ")
    with pytest.raises(NotFound, match="#42"):
        revision(ledger, 42)
    with pytest.raises(BadInput, match="number"):
        revision(ledger, "2")  # type: ignore[arg-type]
    assert counts(ledger) == before


def test_the_revision_is_audited(ledger: Ledger, tmp_path: Path) -> None:
    person(ledger, {"name": "A", "email": "a@example.jp", "health": "良好"}, {"wellness": True})
    published = revise(ledger, tmp_path, WELLNESS_ITEMS, effective=LATER)
    with ledger.engine.connect() as conn:
        entries = {
            row.action: row.detail
            for row in conn.execute(select(t.audit).where(t.audit.c.action.like("policy_%")))
        }
    assert entries["policy_revision"]["version_id"] == published.version_id
    assert entries["policy_revision"]["highest"] == "consent"
    assert entries["policy_revision"]["reconsent"] == ["wellness"]
    assert entries["policy_notice"]["step"] == "done"


def test_each_person_is_told_only_what_reaches_them(ledger: Ledger, tmp_path: Path) -> None:
    people = population(ledger)
    published = revise(ledger, tmp_path, COMPANY_NAME, WELLNESS_ITEMS, effective=LATER)
    assert published.revision is not None and published.revision.highest == "consent"
    sent = notices(ledger)
    outside, inside = sent[people["email_only"]], sent[people["health"]]
    assert outside is not None and inside is not None
    assert "当社の名称を変更します。" in outside.body and "当社の名称を変更します。" in inside.body
    added = "利用目的「健康サービス」に利用する項目として「購入履歴」を加えます。"
    assert added not in outside.body and "改めて同意" not in outside.body
    assert added in inside.body and "・健康サービス" in inside.body


def test_any_two_versions_compare_as_the_recorded_revision_does(
    ledger: Ledger, tmp_path: Path
) -> None:
    published = revise(ledger, tmp_path, WELLNESS_DESCRIPTION, effective=LATER)
    assert published.revision is not None
    before = counts(ledger)
    forward = compare_versions(ledger, 1, published.version_id)
    assert forward == published.revision.changes  # what publishing recorded, recomputed
    backward = compare_versions(ledger, published.version_id, 1)
    assert [c.path for c in backward if c.article] == ["purposes[wellness].description"]
    assert compare_versions(ledger, 1, 1) == ()
    assert counts(ledger) == before  # nothing recorded
    with pytest.raises(NotFound):
        compare_versions(ledger, 1, 99)
    with pytest.raises(BadInput):
        compare_versions(ledger, 0, 1)
