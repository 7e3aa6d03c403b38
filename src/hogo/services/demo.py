"""`hogo demo`: a folder with a ledger full of made-up people, to try the console and the API.

Everything goes through the real services (collect, consent, requests, incidents, provision,
inquiries, staff), with a clock that walks through the last year, so the console shows
what a year of use looks like: requests in every state (one overdue, one answered), an
incident with its scope, provision records, opt-outs. The people are made by Faker
(mostly ja_JP, some en_US) from `seed`: the same seed gives the same people and values
(identifiers, keys and time stamps of the run itself differ).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from faker import Faker

from hogo.config import Settings
from hogo.ledger.crypto import FileKeyProvider
from hogo.services import database, policy_versions, staff
from hogo.services.collect import Collection, collect
from hogo.services.consent import current_consents, record_consent
from hogo.services.errors import BadInput, Refused
from hogo.services.incidents import new_incident, scope_by_source
from hogo.services.inquiries import new_inquiry
from hogo.services.ledger import Clock, Ledger, open_ledger, utc_now
from hogo.services.provision import provide
from hogo.services.requests import fulfil, new_request, refuse, verify, withdraw

Progress = Callable[[int, int], None]
"""progress(done, total): steps done so far (one per subject, then one per other step)."""

OFFICER = "officer"
OFFICER_PASSWORD = "hogo-demo-officer"
"""Fixed and documented (docs/cli.md, `make demo`): the demo holds only made-up people, it is
served on loopback, and `make demo` prints the login again on every run, which a random
password shown once could not. Never use a demo database for real data."""

ACTOR = "demo"
DB_NAME = "hogo.db"
KEY_NAME = "master.key"
POLICY_NAME = "hogo.yaml"
OTHER_STEPS = 11
MIN_SUBJECTS = 10


@dataclass(frozen=True)
class DemoResult:
    directory: Path
    database_url: str
    key_file: Path
    policy: Path
    subjects: int
    officer: str
    password: str

    def to_dict(self) -> dict[str, object]:
        return {
            "directory": str(self.directory),
            "database_url": self.database_url,
            "key_file": str(self.key_file),
            "policy": str(self.policy),
            "subjects": self.subjects,
            "officer": self.officer,
            "password": self.password,
        }


class _Clock:
    """The demo's time: moved forward by hand through the past year."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def showcase_text() -> str:
    """The showcase policy (a copy of examples/showcase/hogo.yaml shipped in the package)."""
    return resources.files("hogo.services").joinpath("showcase.yaml").read_text("utf-8")


def _person(
    fake: Faker, phones: Faker, rng: random.Random, number: int, english: bool
) -> dict[str, str]:
    born = fake.date_of_birth(minimum_age=18, maximum_age=85)
    values = {
        "member_id": f"M{number:07d}",
        "name": fake.name() if english else f"{fake.name()}（{fake.kana_name()}）",
        "email": f"{fake.user_name()}{number}@example.{'com' if english else 'jp'}",
        "phone": f"0{rng.choice('789')}0-{rng.randrange(1000, 10000)}-{rng.randrange(10000):04d}",
        "postal_code": phones.zipcode(),
        "address": fake.address().replace("\n", " ") if english else fake.address(),
        "birth_date": born.isoformat(),
    }
    if rng.random() < 0.6:
        values["gender"] = rng.choice(["女性", "男性", "回答しない"])
    if rng.random() < 0.5:
        values["interests"] = "、".join(
            rng.sample(["家電", "オーディオ", "食品", "書籍", "衣料"], 2)
        )
    if rng.random() < 0.7:
        values["order_history"] = f"注文 {rng.randrange(1, 30)} 件（最終: ワイヤレスイヤホン）"
    return values


def build_demo(
    directory: Path,
    *,
    subjects: int = 300,
    seed: int = 0,
    force: bool = False,
    progress: Progress | None = None,
    clock: Clock = utc_now,
) -> DemoResult:
    """Write DIR/hogo.yaml, DIR/master.key and DIR/hogo.db (migrated, the showcase policy
    published a year back, `subjects` people and their history, an officer log-in).

    Refused when DIR already holds a database, unless `force` (which starts it afresh)."""
    db_file = directory / DB_NAME
    if db_file.exists() and not force:
        raise Refused(f"{db_file} already exists; use --force to start it afresh", code="exists")
    if not isinstance(subjects, int) or subjects < MIN_SUBJECTS:
        raise BadInput(f"the demo needs at least {MIN_SUBJECTS} people")
    directory.mkdir(parents=True, exist_ok=True)
    if db_file.exists():
        db_file.unlink()
    policy = directory / POLICY_NAME
    policy.write_text(showcase_text(), encoding="utf-8")
    key_file = directory / KEY_NAME
    if key_file.exists():
        key_file.unlink()
    FileKeyProvider.create(key_file)
    url = f"sqlite:///{db_file}"
    settings = Settings(database_url=url, key_file=key_file, policy=policy)
    database.upgrade(settings)

    end = clock().astimezone(UTC)
    moving = _Clock(end - timedelta(days=365))
    total = subjects + OTHER_STEPS
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    ledger = open_ledger(settings, clock=moving, check_schema=False)
    try:
        policy_versions.publish(
            ledger, policy, effective=moving().date(), actor=OFFICER, allow_errors=True
        )
        people = _collect(ledger, moving, end, subjects, seed, step)
        _history(ledger, moving, end, people, step)
        moving.now = end - timedelta(minutes=5)
        staff.add_user(
            ledger, username=OFFICER, role="officer", password=OFFICER_PASSWORD, actor=ACTOR
        )
        step()
    finally:
        ledger.close()
    return DemoResult(directory, url, key_file, policy, subjects, OFFICER, OFFICER_PASSWORD)


def _collect(
    ledger: Ledger,
    moving: _Clock,
    end: datetime,
    count: int,
    seed: int,
    step: Callable[[], None],
) -> list[str]:
    rng = random.Random(seed)
    japanese = Faker("ja_JP")
    english = Faker("en_US")
    japanese.seed_instance(seed)
    english.seed_instance(seed + 1)
    start = moving.now + timedelta(days=5)
    span = (end - timedelta(days=40)) - start
    people: list[str] = []
    for n in range(count):
        moving.now = start + span * (n / count)
        is_english = rng.random() < 0.15
        values = _person(english if is_english else japanese, japanese, rng, n + 1, is_english)
        consents = {"newsletter": rng.random() < 0.45}
        subject = collect(
            ledger,
            Collection("web_forms", values, consents=consents, method="form"),
            actor="shop-web",
        ).subject_id
        if rng.random() < 0.3:
            moving.now += timedelta(hours=1)
            collect(
                ledger,
                Collection(
                    "member_app",
                    {
                        "member_id": values["member_id"],
                        "ad_id": f"{rng.getrandbits(128):032x}",
                        "device_info": rng.choice(["iPhone 15 / iOS 18", "Pixel 8 / Android 15"]),
                    },
                    consents={"advertising": rng.random() < 0.4},
                    method="api",
                ),
                actor="member-app",
            )
        if rng.random() < 0.08:
            moving.now += timedelta(days=2)
            purpose = rng.choice(["direct_mail", "list_provision"])
            record_consent(
                ledger, subject, purpose=purpose, granted=False, actor="desk", method="form"
            )
        people.append(subject)
        step()
    return people


def _days_before(end: datetime, days: int) -> datetime:
    return end - timedelta(days=days)


def _history(
    ledger: Ledger, moving: _Clock, end: datetime, people: list[str], step: Callable[[], None]
) -> None:
    """Provision records, requests in their states, an incident with its scope, an inquiry."""
    moving.now = _days_before(end, 35)
    _provide(ledger, people[:40])
    step()

    moving.now = _days_before(end, 25)  # received 25 days ago, verified, never answered
    overdue = new_request(ledger, kind="disclosure", subject_id=people[1], actor="desk").request
    verify(ledger, overdue.id, method="registered_email", evidence="本人確認メール", actor="desk")
    step()

    moving.now = _days_before(end, 12)
    answered = new_request(ledger, kind="disclosure", subject_id=people[2], actor="desk").request
    verify(ledger, answered.id, method="registered_email", evidence="本人確認メール", actor="desk")
    moving.now = _days_before(end, 10)
    fulfil(ledger, answered.id, actor="desk")
    step()

    moving.now = _days_before(end, 9)
    refused = new_request(ledger, kind="deletion", subject_id=people[3], actor="desk").request
    verify(ledger, refused.id, method="registered_email", evidence="本人確認メール", actor="desk")
    refuse(
        ledger,
        refused.id,
        ground="data_true",
        reason="ご登録の内容は正しく、削除の理由が確認できませんでした。",
        actor="desk",
    )
    step()

    moving.now = _days_before(end, 7)
    dropped = new_request(ledger, kind="stop_provision", subject_id=people[4], actor="desk")
    withdraw(ledger, dropped.request.id, note="ご本人より取り下げの連絡", actor="desk")
    step()

    moving.now = _days_before(end, 4)
    new_request(ledger, kind="erasure", subject_id=people[5], actor="portal")  # to verify
    step()
    moving.now = _days_before(end, 2)
    in_progress = new_request(ledger, kind="correction", subject_id=people[6], actor="desk")
    verify(ledger, in_progress.request.id, method="registered_email", evidence="電話", actor="desk")
    step()

    moving.now = _days_before(end, 3)
    incident = new_incident(
        ledger,
        known_at=moving.now.date(),
        summary="会員アプリの設定不備により、一部の会員の端末情報が外部から閲覧可能な状態にありました。",
        actor=OFFICER,
    )
    step()
    scope_by_source(ledger, incident.id, source="member_app", actor=OFFICER)
    step()

    moving.now = _days_before(end, 1)
    new_inquiry(
        ledger,
        kind="question",
        channel="form",
        text="メールマガジンの配信を停止したいのですが、どうすればよいですか。",
        subject_id=people[7],
        actor="desk",
    )
    new_inquiry(
        ledger,
        kind="complaint",
        channel="phone",
        text="退会後もカタログが届いています。",
        actor="desk",
    )
    step()


def _provide(ledger: Ledger, subjects: list[str]) -> None:
    """Monthly mailing-list provision by opt-out (Art. 27(2)), skipping those who opted out."""
    willing = [
        s for s in subjects if current_consents(ledger, s).get("list_provision", True) is not False
    ]
    provide(
        ledger,
        willing[:25],
        recipient="mailing_partner",
        items=["name", "postal_code", "address", "birth_date"],
        basis="opt_out",
        actor=OFFICER,
    )
