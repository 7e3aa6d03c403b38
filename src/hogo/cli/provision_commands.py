"""hogo provide, receive, records and erase: third parties and erasure from the command line."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import typer
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, ledger_for
from hogo.cli.output import print_json, stdout
from hogo.services.erasure import erase
from hogo.services.provision import (
    ProvisionRecord,
    ReceiptRecord,
    list_provisions,
    list_receipts,
    provide,
    provisions_csv,
    receipts_csv,
    receive,
    records_json,
)

records_app = typer.Typer(
    help="List the records of provision (Art 29) and receipt (Art 30).", no_args_is_help=True
)


class RecordFormat(StrEnum):
    TEXT = "text"
    CSV = "csv"
    JSON = "json"


FormatOpt = Annotated[
    RecordFormat, typer.Option("--format", help="text for people, csv or json for export.")
]
SubjectFilterOpt = Annotated[
    str | None, typer.Option("--subject", help="Only this subject's records.")
]


def register(app: typer.Typer) -> None:
    app.command("provide")(provide_command)
    app.command("receive")(receive_command)
    app.add_typer(records_app, name="records")
    app.command("erase")(erase_command)


def _split(items: str) -> list[str]:
    return [i.strip() for i in items.split(",") if i.strip()]


def provide_command(
    subjects: Annotated[list[str], typer.Argument(help="The subject ids.", show_default=False)],
    recipient: Annotated[
        str,
        typer.Option(
            "--recipient",
            help="third_party.recipients[].id, or a vendor, joint-use group or 'succession'.",
        ),
    ],
    items: Annotated[str, typer.Option("--items", help="Comma-separated items, e.g. name,email.")],
    basis: Annotated[
        str,
        typer.Option(
            "--basis",
            help="consent, opt-out, or exception:<law|life|public-health|state|research>.",
        ),
    ],
    note: Annotated[
        str | None,
        typer.Option("--note", help="Why and how; required for an exception (e.g. the order)."),
    ] = None,
    actor: ActorOpt = "cli",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Provide subjects' data to a recipient and write the provider's record (Art 29)."""
    with ledger_for(db, as_json=as_json) as ledger:
        result = provide(
            ledger,
            subjects,
            recipient=recipient,
            items=_split(items),
            basis=basis,
            note=note,
            actor=actor,
        )
    if as_json:
        print_json({"ok": True, **result.to_dict()})
        return
    count = len(result.subject_ids)
    if result.kind != "provision":
        what = f"handed over to {result.recipient} ({result.kind}: not a third party)"
        stdout().print(Text(f"{what}; {count} subject(s), audited, no provision record"))
    elif result.recorded:
        stdout().print(
            Text(
                f"provided to {result.recipient} by {result.basis}: {count} subject(s), "
                f"{len(result.record_ids)} record(s) kept until {result.retain_until}"
            )
        )
    else:
        stdout().print(
            Text(
                f"provided to {result.recipient} by {result.basis}: {count} subject(s), "
                "audited; no provision record is required"
            )
        )


def receive_command(
    provider_name: Annotated[
        str, typer.Option("--provider-name", help="The provider's name, as confirmed.")
    ],
    provider_address: Annotated[
        str, typer.Option("--provider-address", help="The provider's address, as confirmed.")
    ],
    acquisition_method: Annotated[
        str,
        typer.Option("--acquisition-method", help="How the provider acquired the data."),
    ],
    items: Annotated[str, typer.Option("--items", help="Comma-separated items received.")],
    basis: Annotated[str, typer.Option("--basis", help="consent or opt-out.")],
    provider_representative: Annotated[
        str | None,
        typer.Option("--provider-representative", help="The provider's representative."),
    ] = None,
    received_on: Annotated[
        datetime | None,
        typer.Option(
            "--received-on", formats=["%Y-%m-%d"], help="The day received (required for opt-out)."
        ),
    ] = None,
    ppc_publication: Annotated[
        str | None,
        typer.Option(
            "--ppc-publication",
            help="Where/when the PPC published the provider's opt-out filing (opt-out only).",
        ),
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="The subject the data is about.")
    ] = None,
    actor: ActorOpt = "cli",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the recipient's record of data received from another business (Art 30)."""
    with ledger_for(db, as_json=as_json) as ledger:
        record = receive(
            ledger,
            subject_id=subject,
            provider_name=provider_name,
            provider_address=provider_address,
            provider_representative=provider_representative,
            acquisition_method=acquisition_method,
            items=_split(items),
            basis=basis,
            received_on=received_on.date() if received_on else None,
            ppc_publication=ppc_publication,
            actor=actor,
        )
    if as_json:
        print_json({"ok": True, **record.to_dict()})
    else:
        stdout().print(
            Text(f"receipt record #{record.id} written, kept until {record.retain_until}")
        )


def _text_line(record: ProvisionRecord | ReceiptRecord) -> str:
    if isinstance(record, ProvisionRecord):
        when = record.provided_on or record.created_at.date()
        party = record.recipient_name
        fact = "consent confirmed" if record.consent_confirmed else f"provided {when}"
        return (
            f"#{record.id}  {record.subject_id}  to {record.recipient} ({party})  "
            f"{record.basis}  {','.join(record.items)}  {fact}  keep until {record.retain_until}"
        )
    when = record.received_on or record.created_at.date()
    return (
        f"#{record.id}  {record.subject_id or '-'}  from {record.provider_name}  {record.basis}  "
        f"{','.join(record.items)}  received {when}  keep until {record.retain_until}"
    )


def _print_records(
    records: list[ProvisionRecord] | list[ReceiptRecord], output: RecordFormat, csv_text: str
) -> None:
    if output is RecordFormat.CSV:
        sys.stdout.write(csv_text)
    elif output is RecordFormat.JSON:
        sys.stdout.write(records_json(records))
    elif not records:
        stdout().print(Text("no records"))
    else:
        for record in records:
            stdout().print(Text(_text_line(record)))


@records_app.command("provisions")
def records_provisions(
    subject: SubjectFilterOpt = None,
    output: FormatOpt = RecordFormat.TEXT,
    db: DbOpt = None,
) -> None:
    """List the provider's records (Art. 29), oldest first."""
    with ledger_for(db, as_json=output is RecordFormat.JSON) as ledger:
        records = list_provisions(ledger, subject)
    _print_records(records, output, provisions_csv(records) if output is RecordFormat.CSV else "")


@records_app.command("receipts")
def records_receipts(
    subject: SubjectFilterOpt = None,
    output: FormatOpt = RecordFormat.TEXT,
    db: DbOpt = None,
) -> None:
    """List the recipient's records (Art. 30), oldest first."""
    with ledger_for(db, as_json=output is RecordFormat.JSON) as ledger:
        records = list_receipts(ledger, subject)
    _print_records(records, output, receipts_csv(records) if output is RecordFormat.CSV else "")


def erase_command(
    subject: Annotated[str, typer.Argument(help="The subject id.")],
    items: Annotated[
        str | None,
        typer.Option("--items", help="Erase only these items (comma-separated)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (e.g. the request's reference).")
    ] = None,
    actor: ActorOpt = "cli",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Erase a subject (its key destroyed) or some of its items; refused under legal hold."""
    with ledger_for(db, as_json=as_json) as ledger:
        result = erase(
            ledger,
            subject,
            items=_split(items) if items is not None else None,
            actor=actor,
            reason=reason,
        )
    if as_json:
        print_json({"ok": True, **result.to_dict()})
    elif result.key_destroyed or result.scope == "subject":
        stdout().print(
            Text(
                f"subject {result.subject_id} erased: key destroyed, "
                f"{result.records_deleted} record(s) deleted"
            )
        )
    else:
        stdout().print(
            Text(
                f"{result.records_deleted} record(s) of {', '.join(result.items) or 'no item'} "
                f"deleted for subject {result.subject_id}"
            )
        )
