"""Rules on the public notice itself: who, how to reach them, requests, security, dates."""

from __future__ import annotations

from collections.abc import Iterator

from hogo.policy.check.registry import Context, Hit, Severity, rule
from hogo.policy.schema import Contact, RequestKind

# Art. 38(1): fees may be charged for notice of purpose and disclosure (records included).
_FEE_KINDS = {RequestKind.PURPOSE_NOTICE, RequestKind.DISCLOSURE, RequestKind.PROVISION_RECORDS}

# Art. 39: a person may sue two weeks after the request arrives.
_RESPONSE_BOUND_DAYS = 14

_SECURITY_AREAS = ("basic_policy", "rules", "organizational", "human", "physical", "technical")


@rule(
    "HG025",
    Severity.ERROR,
    "APPI Art. 32(1)(iv); Cabinet Order Art. 10(ii)",
    en="no complaint contact",
    ja="苦情の申出先がない",
)
def no_complaint_contact(context: Context) -> Iterator[Hit]:
    if context.policy.organization.complaint_contact is None:
        yield Hit(
            ("organization",),
            "no complaint_contact: the public notice must say where complaints are received",
        )


@rule(
    "HG026",
    Severity.ERROR,
    "APPI Art. 32(1)(i)",
    en="business operator's address or representative missing",
    ja="事業者の住所または代表者の氏名がない",
)
def organization_incomplete(context: Context) -> Iterator[Hit]:
    org = context.policy.organization
    if org.address is None:
        yield Hit(("organization",), "organization.address is missing from the public notice")
    if org.representative is None:
        yield Hit(
            ("organization",),
            "organization.representative (the representative's name) is missing from the "
            "public notice",
        )


@rule(
    "HG027",
    Severity.ERROR,
    "APPI Art. 32(1)(iii), 37",
    en="no contact point for requests",
    ja="開示等の請求の受付窓口がない",
)
def no_request_contact(context: Context) -> Iterator[Hit]:
    policy = context.policy
    if policy.organization.contact is None:
        yield Hit(
            ("organization",),
            "no organization.contact: people must know where to send requests and inquiries",
        )
    elif not policy.organization.contact.channels and not policy.requests.channels:
        yield Hit(
            ("organization", "contact"),
            "the contact point lists no channel (email, phone, form, post, counter)",
        )


@rule(
    "HG028",
    Severity.ERROR,
    "APPI Art. 38(1)",
    en="fee for a request kind the law does not allow fees for",
    ja="手数料を徴収できない請求への手数料",
)
def fee_not_allowed(context: Context) -> Iterator[Hit]:
    fees = context.policy.requests.fees
    if fees is None:
        return
    for kind, amount in fees.amounts.items():
        if kind not in _FEE_KINDS and amount > 0:
            yield Hit(
                ("requests", "fees", "amounts", kind.value),
                f"a fee of {amount} yen for {kind.value!r}: fees may be charged only for "
                "notice of purpose and disclosure",
            )


@rule(
    "HG029",
    Severity.WARNING,
    "APPI Art. 32(1)(iv); Cabinet Order Art. 10(i)",
    en="security measures missing for an area",
    ja="安全管理措置の区分の記載漏れ",
)
def security_area_missing(context: Context) -> Iterator[Hit]:
    security = context.policy.security
    for area in _SECURITY_AREAS:
        if not getattr(security, area):
            yield Hit(
                ("security",),
                f"no {area.replace('_', ' ')} measures are stated (security.{area})",
            )


@rule(
    "HG030",
    Severity.WARNING,
    "APPI Art. 32(1)(iv); PPC Guidelines 10-7",
    en="data handled abroad without the foreign environment described",
    ja="外国での取扱いに関する外的環境の把握の記載がない",
)
def abroad_without_environment(context: Context) -> Iterator[Hit]:
    policy = context.policy
    countries = {r.country for r in policy.third_party.recipients if r.is_abroad and r.country}
    countries |= {v.country for v in policy.entrustment.vendors if v.country not in (None, "JP")}
    countries |= {m.country for m in policy.modules if m.country not in (None, "JP")}
    environment = policy.security.foreign_environment
    described = {c.country for c in environment.countries} if environment else set()
    for country in sorted(c for c in countries - described if c):
        yield Hit(
            ("security",),
            f"personal data is handled in {country}, but security.foreign_environment does "
            "not describe that country's system and the measures taken",
        )


@rule(
    "HG031",
    Severity.WARNING,
    "APPI Art. 39",
    en="response target longer than two weeks",
    ja="回答期限が2週間を超える",
)
def slow_response(context: Context) -> Iterator[Hit]:
    days = context.policy.requests.response_days
    if days > _RESPONSE_BOUND_DAYS:
        yield Hit(
            ("requests", "response_days"),
            f"requests are answered within {days} days, but a person may sue after "
            f"{_RESPONSE_BOUND_DAYS}",
        )


@rule(
    "HG032",
    Severity.ERROR,
    "hogo",
    en="policy dates out of order",
    ja="制定日・改定日の不整合",
)
def dates_out_of_order(context: Context) -> Iterator[Hit]:
    meta = context.policy.policy
    if meta.last_revised is not None and meta.last_revised < meta.established:
        yield Hit(
            ("policy", "last_revised"),
            f"last revised {meta.last_revised} is before established {meta.established}",
        )
    if meta.established > context.today:
        yield Hit(
            ("policy", "established"),
            f"established {meta.established} is after today ({context.today})",
        )


@rule(
    "HG035",
    Severity.ERROR,
    "APPI Art. 32(2), 33, 34, 35",
    en="a request the law gives people is not offered",
    ja="法律上認められる請求の受付がない",
)
def request_kind_missing(context: Context) -> Iterator[Hit]:
    offered = set(context.policy.requests.kinds)
    missing = [kind.value for kind in RequestKind if kind not in offered]
    if missing:
        yield Hit(
            ("requests", "kinds"),
            f"people have the right to make these requests but the policy does not offer "
            f"them: {', '.join(missing)}",
        )


def _reachable(contact: Contact) -> bool:
    return any((contact.email, contact.phone, contact.form_url, contact.postal_address))


@rule(
    "HG036",
    Severity.ERROR,
    "APPI Art. 32(1)(iii), (iv); Cabinet Order Art. 10(ii)",
    en="contact point with no way to reach it",
    ja="連絡手段のない窓口",
)
def unreachable_contact(context: Context) -> Iterator[Hit]:
    org = context.policy.organization
    for key, contact in (("contact", org.contact), ("complaint_contact", org.complaint_contact)):
        if contact is not None and not _reachable(contact):
            yield Hit(
                ("organization", key),
                f"organization.{key} gives no e-mail, telephone, form or postal address",
            )
