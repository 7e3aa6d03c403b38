"""Rules on who else gets the data: third parties, opt-out provision, vendors, joint use, modules."""

from __future__ import annotations

from collections.abc import Iterator

from hogo.policy.check.registry import Context, Hit, Severity, rule
from hogo.policy.schema import RecipientBasis

_OPT_OUT = ("third_party", "opt_out")


@rule(
    "HG012",
    Severity.ERROR,
    "APPI Art. 27(2)",
    en="opt-out provision of special care-required data",
    ja="要配慮個人情報のオプトアウトによる第三者提供",
)
def opt_out_special_care(context: Context) -> Iterator[Hit]:
    opt_out = context.policy.third_party.opt_out
    if opt_out is None:
        return
    for j, item_id in enumerate(opt_out.items):
        item = context.policy.item(item_id)
        if item is not None and item.special_care:
            yield Hit(
                (*_OPT_OUT, "items", j),
                f"item {item_id!r} is special care-required and can never be provided by opt-out",
            )


@rule(
    "HG013",
    Severity.ERROR,
    "APPI Art. 27(2)",
    en="opt-out provision missing an item Art. 27(2) requires",
    ja="オプトアウト届出事項の欠落",
)
def opt_out_incomplete(context: Context) -> Iterator[Hit]:
    policy = context.policy
    opt_out = policy.third_party.opt_out
    if opt_out is None:
        return
    org = policy.organization
    required: list[tuple[str, bool, str]] = [
        ("purpose", opt_out.purpose is not None, "that provision to third parties is a purpose"),
        ("items", bool(opt_out.items), "the items provided"),
        ("acquisition_method", opt_out.acquisition_method is not None, "how the data is acquired"),
        ("provision_method", opt_out.provision_method is not None, "how it is provided"),
        ("stop_on_request", opt_out.stop_on_request, "that provision stops on request"),
        ("request_method", opt_out.request_method is not None, "how stop requests are received"),
        ("update_method", opt_out.update_method is not None, "how the data is updated"),
        ("start_date", opt_out.start_date is not None, "the date provision starts"),
    ]
    for key, present, meaning in required:
        if not present:
            yield Hit((*_OPT_OUT, key), f"opt-out provision does not state {meaning} ({key})")
    for key, value in (("address", org.address), ("representative", org.representative)):
        if value is None:
            yield Hit(
                ("organization", key),
                f"opt-out provision requires the provider's {key}; organization.{key} is missing",
            )
    if opt_out.purpose is not None:
        purpose = policy.purpose(opt_out.purpose)
        if purpose is not None and not purpose.third_party_provision:
            yield Hit(
                (*_OPT_OUT, "purpose"),
                f"purpose {purpose.id!r} named for opt-out provision does not declare "
                "third_party_provision: true",
            )


@rule(
    "HG014",
    Severity.ERROR,
    "APPI Art. 27(2)",
    en="opt-out provision without its PPC filing",
    ja="オプトアウト提供の個人情報保護委員会への届出がない",
)
def opt_out_not_filed(context: Context) -> Iterator[Hit]:
    opt_out = context.policy.third_party.opt_out
    if opt_out is not None and opt_out.ppc_filing is None:
        yield Hit(
            _OPT_OUT,
            "opt-out provision needs a filing with the Personal Information Protection "
            "Commission before it starts: give ppc_filing.date (and its reference)",
        )


@rule(
    "HG015",
    Severity.ERROR,
    "APPI Art. 27(1), 27(2)",
    en="recipient by opt-out not covered by the opt-out provision",
    ja="オプトアウト提供の範囲外の提供先",
)
def recipient_opt_out_uncovered(context: Context) -> Iterator[Hit]:
    opt_out = context.policy.third_party.opt_out
    for i, recipient in enumerate(context.policy.third_party.recipients):
        if recipient.basis is not RecipientBasis.OPT_OUT:
            continue
        path = ("third_party", "recipients", i)
        if opt_out is None:
            yield Hit(
                (*path, "basis"),
                f"recipient {recipient.id!r} receives data by opt-out, but no opt-out "
                "provision is declared under third_party.opt_out",
            )
            continue
        for j, item in enumerate(recipient.items):
            if item not in opt_out.items:
                yield Hit(
                    (*path, "items", j),
                    f"recipient {recipient.id!r} receives item {item!r} by opt-out, but the "
                    "opt-out provision does not list it",
                )


@rule(
    "HG016",
    Severity.ERROR,
    "APPI Art. 28(2)",
    en="recipient abroad without its country",
    ja="外国にある第三者の国名がない",
)
def abroad_without_country(context: Context) -> Iterator[Hit]:
    for i, recipient in enumerate(context.policy.third_party.recipients):
        if recipient.abroad and recipient.country is None:
            yield Hit(
                ("third_party", "recipients", i, "abroad"),
                f"recipient {recipient.id!r} is abroad but its country is not named",
            )


@rule(
    "HG017",
    Severity.ERROR,
    "APPI Art. 28(2); PPC Rules Art. 17",
    en="foreign recipient without information on that country's protection system",
    ja="外国の個人情報保護制度に関する情報がない",
)
def foreign_without_system(context: Context) -> Iterator[Hit]:
    for i, recipient in enumerate(context.policy.third_party.recipients):
        if recipient.is_abroad and recipient.foreign_system is None:
            yield Hit(
                ("third_party", "recipients", i),
                f"recipient {recipient.id!r} is abroad ({recipient.country or 'country unknown'}): "
                "consent must be informed of that country's personal information system "
                "(foreign_system) and the recipient's measures",
            )


@rule(
    "HG018",
    Severity.WARNING,
    "APPI Art. 18(1), 27(1)",
    en="items provided that the recipient's purposes do not use",
    ja="提供目的の範囲外の項目の提供",
)
def recipient_items_outside_purposes(context: Context) -> Iterator[Hit]:
    policy = context.policy
    for i, recipient in enumerate(policy.third_party.recipients):
        purposes = [p for p in (policy.purpose(pid) for pid in recipient.purposes) if p]
        if not purposes:
            continue
        covered = {item for purpose in purposes for item in purpose.items}
        for j, item in enumerate(recipient.items):
            if item not in covered:
                yield Hit(
                    ("third_party", "recipients", i, "items", j),
                    f"recipient {recipient.id!r} receives item {item!r}, which none of its "
                    f"purposes ({', '.join(recipient.purposes)}) uses",
                )


@rule(
    "HG019",
    Severity.ERROR,
    "APPI Art. 25",
    en="vendor without a confidentiality contract",
    ja="秘密保持契約のない委託先",
)
def vendor_without_confidentiality(context: Context) -> Iterator[Hit]:
    for i, vendor in enumerate(context.policy.entrustment.vendors):
        if vendor.confidentiality_clause is None:
            yield Hit(
                ("entrustment", "vendors", i, "id"),
                f"vendor {vendor.id!r} has no confidentiality clause date: the contract must "
                "bind it to the security measures",
            )


@rule(
    "HG020",
    Severity.ERROR,
    "APPI Art. 25",
    en="vendor audit overdue",
    ja="委託先の監査期限切れ",
)
def vendor_audit_overdue(context: Context) -> Iterator[Hit]:
    for i, vendor in enumerate(context.policy.entrustment.vendors):
        interval = vendor.audit_interval
        if interval is None:
            continue
        path = ("entrustment", "vendors", i)
        if vendor.last_audit is not None:
            due = interval.after(vendor.last_audit)
            if due < context.today:
                yield Hit(
                    (*path, "last_audit"),
                    f"vendor {vendor.id!r} was last audited on {vendor.last_audit}; with an "
                    f"interval of {interval} the next audit was due on {due} "
                    f"(today is {context.today})",
                )
        elif vendor.contract_date is None or interval.after(vendor.contract_date) < context.today:
            since = f"since its contract of {vendor.contract_date}" if vendor.contract_date else ""
            yield Hit(
                (*path, "audit_interval"),
                f"vendor {vendor.id!r} should be audited every {interval} but has never been "
                f"audited {since}".rstrip(),
            )


@rule(
    "HG021",
    Severity.WARNING,
    "APPI Art. 25; PPC Guidelines 3-4-4",
    en="vendor supervision incomplete (audit clause, audit interval or sub-entrustment rule)",
    ja="委託先の監督事項（監査条項・監査頻度・再委託）の不足",
)
def vendor_supervision_incomplete(context: Context) -> Iterator[Hit]:
    for i, vendor in enumerate(context.policy.entrustment.vendors):
        missing = [
            label
            for label, present in (
                ("audit_clause", vendor.audit_clause),
                ("audit_interval", vendor.audit_interval is not None),
                ("sub_entrustment", vendor.sub_entrustment is not None),
            )
            if not present
        ]
        if missing:
            yield Hit(
                ("entrustment", "vendors", i, "id"),
                f"vendor {vendor.id!r} does not state {', '.join(missing)}",
            )


@rule(
    "HG022",
    Severity.ERROR,
    "APPI Art. 27(5)(iii)",
    en="joint use without the responsible party's name, address or representative",
    ja="共同利用の管理責任者の氏名・住所・代表者の欠落",
)
def joint_use_responsible(context: Context) -> Iterator[Hit]:
    for i, group in enumerate(context.policy.joint_use):
        path = ("joint_use", i)
        responsible = group.responsible
        for key in ("name", "address", "representative"):
            if responsible is None or getattr(responsible, key) is None:
                yield Hit(
                    (*path, "responsible") if responsible is not None else path,
                    f"joint use {group.id!r} does not give the responsible party's {key}",
                )


@rule(
    "HG023",
    Severity.ERROR,
    "APPI Art. 27(5)(iii)",
    en="joint use without its items, joint users or purposes",
    ja="共同利用する項目・利用者の範囲・利用目的の欠落",
)
def joint_use_incomplete(context: Context) -> Iterator[Hit]:
    for i, group in enumerate(context.policy.joint_use):
        path = ("joint_use", i)
        if not group.items:
            yield Hit(path, f"joint use {group.id!r} does not list the items used jointly")
        if not group.users and group.scope is None:
            yield Hit(
                path,
                f"joint use {group.id!r} names neither its users nor their scope clearly "
                "enough to tell which businesses they are",
            )
        if not group.purposes:
            yield Hit(path, f"joint use {group.id!r} does not state the joint users' purposes")


@rule(
    "HG024",
    Severity.WARNING,
    "Telecommunications Business Act Art. 27-12",
    en="module without its provider's policy, or behavioural advertising without an opt-out",
    ja="情報収集モジュールの提供者ポリシーまたはオプトアウト手段の記載がない",
)
def module_incomplete(context: Context) -> Iterator[Hit]:
    for i, module in enumerate(context.policy.modules):
        path = ("modules", i)
        if module.policy_url is None:
            yield Hit(path, f"module {module.id!r} does not link its provider's privacy policy")
        if module.behavioural_advertising and module.opt_out_url is None:
            yield Hit(
                path,
                f"module {module.id!r} serves behavioural advertising but gives no opt_out_url",
            )


@rule(
    "HG034",
    Severity.ERROR,
    "APPI Art. 27(1)",
    en="provision without consent on a ground the law does not allow",
    ja="法令上認められない事由による同意のない第三者提供",
)
def unlawful_ground(context: Context) -> Iterator[Hit]:
    for j, ground in enumerate(context.policy.third_party.other_grounds):
        yield Hit(
            ("third_party", "other_grounds", j),
            f"the policy allows provision without consent {ground.en!r}; only the statutory "
            "cases of Art. 27(1) (law, life, public health, state, research) allow that",
        )


@rule(
    "HG037",
    Severity.ERROR,
    "APPI Art. 29(1); PPC Rules Art. 20(1)(i)",
    en="recipient by opt-out without the address the provision record must state",
    ja="オプトアウトによる提供先の住所がない（提供記録の記載事項）",
)
def opt_out_recipient_without_address(context: Context) -> Iterator[Hit]:
    for i, recipient in enumerate(context.policy.third_party.recipients):
        if recipient.basis is RecipientBasis.OPT_OUT and recipient.address is None:
            yield Hit(
                ("third_party", "recipients", i),
                f"recipient {recipient.id!r} receives data by opt-out: each provision record "
                "must state its name and address (and representative), but no address is given",
            )
