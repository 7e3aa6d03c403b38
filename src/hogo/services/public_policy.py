"""The privacy policy in force, as the public reads it on the portal."""

from __future__ import annotations

from hogo.policy.render import render_html
from hogo.services.anonymized.announce import announced
from hogo.services.ledger import Ledger


def policy_page(ledger: Ledger, lang: str) -> str:
    """The standalone HTML page of the version in force, in `lang`, linking the other one."""
    if lang not in ("ja", "en"):
        lang = "ja"
    with ledger.engine.connect() as conn:
        version = ledger.policy_in_force(conn)
        created = announced(conn)  # APPI Art. 43(3): the datasets made, with their items
    other = "en" if lang == "ja" else "ja"
    return render_html(
        version.policy,
        lang,  # type: ignore[arg-type]
        other_language_href=f"/policy?lang={other}",
        created=created,
    )


def company_name(ledger: Ledger, lang: str) -> str:
    with ledger.engine.connect() as conn:
        version = ledger.policy_in_force(conn)
    return version.policy.organization.name[lang]
