"""The published policy: every section in both languages and formats, escaped and well formed."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from hogo.policy.loader import load_policy, load_policy_text
from hogo.policy.render import render_html, render_markdown, render_sections, section_heading
from hogo.policy.render.escape import md_block, md_inline, md_url
from hogo.policy.render.vocab import TITLES
from hogo.policy.schema import (
    LANGS,
    AccreditedOrganization,
    Agents,
    Basis,
    Company,
    Compliance,
    Fees,
    Lang,
    Leakage,
    Policy,
    Precedence,
    ResponsibleParty,
    Security,
    Statement,
    Text,
)
from hogo.policy.sections import SECTION_KEYS

STARTER = Path(__file__).resolve().parents[2] / "src" / "hogo" / "policy" / "starter" / "hogo.yaml"

# Added to the starter: every part of hogo.yaml that has a section of its own.
RICH_EXTRA = """
more_purposes:
  - {id: newsletter, label: {ja: メールマガジン, en: Newsletter}, basis: opt_out,
     description: {ja: お知らせをお送りするため, en: To send you news}, items: [name, email],
     third_party_provision: true, retention: until_withdrawn}
  - {id: survey, label: {ja: アンケート, en: Surveys}, basis: consent, items: [inquiry],
     description: {ja: サービス改善のため, en: To improve our services}}
retention:
  - {id: inquiry_3y, period: 3y, from: last_contact}
  - {id: until_withdrawn, until: consent_withdrawn}
third_party:
  recipients:
    - {id: us_partner, name: {ja: USパートナー社, en: US Partner Inc.}, country: US,
       items: [name, email], purposes: [newsletter],
       foreign_system: {ja: 米国には包括的な連邦法がありません。, en: The US has no comprehensive federal law.}}
    - {id: broker, name: {ja: 名簿社, en: List Co.}, country: JP, items: [name],
       purposes: [newsletter], basis: opt_out}
  opt_out:
    purpose: newsletter
    items: [name]
    acquisition_method: {ja: お問い合わせフォーム, en: the inquiry form}
    provision_method: {ja: 電子ファイルの送付, en: sending a file}
    stop_on_request: true
    request_method: {ja: メールでのお申し出, en: a request by e-mail}
    update_method: {ja: 毎月更新します, en: updated monthly}
    start_date: 2026-05-01
    ppc_filing: {date: 2026-04-15, reference: PPC-0001}
requests:
  fees: {amounts: {disclosure: 1000}, payment: {ja: 銀行振込, en: bank transfer}}
  marketing_opt_out: {channels: [email], required_items: [name, email]}
modules:
  - {id: ga, name: Google Analytics, provider: Google LLC, country: US,
     purpose: {ja: 利用状況の分析, en: analysing use},
     policy_url: "https://policies.google.com/privacy",
     opt_out_url: "https://tools.google.com/dlpage/gaoptout"}
  - {id: ads, name: Ad Network, provider: Ads Inc., kind: advertising,
     purpose: {ja: 広告の配信, en: delivering advertising}, behavioural_advertising: true}
joint_use:
  - {id: group, users: [{name: {ja: エグザンプル物流株式会社, en: Example Logistics K.K.}}],
     items: [name, email], purposes: [inquiry_response],
     published_at: "https://example.co.jp/joint-use"}
statistics:
  - {id: stats, label: {ja: 問い合わせ件数統計, en: inquiry statistics},
     purpose: inquiry_response, items: [inquiry]}
anonymized:
  - {id: trends, label: {ja: 問い合わせ傾向データ, en: inquiry trend data}, items: [inquiry],
     provided_to: [{ja: 研究機関, en: research institutions}],
     provision_method: {ja: 暗号化ファイルの送付, en: sending an encrypted file}}
"""


def _rich_text() -> str:
    data = yaml.safe_load(STARTER.read_text(encoding="utf-8"))
    extra = yaml.safe_load(RICH_EXTRA)
    data["purposes"] += extra.pop("more_purposes")
    for key in ("third_party", "requests"):
        data[key] = {**data.get(key, {}), **extra.pop(key)}
    data.update(extra)
    text: str = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return text


@pytest.fixture(scope="module")
def starter() -> Policy:
    return load_policy(STARTER).policy


@pytest.fixture(scope="module")
def rich() -> Policy:
    return load_policy_text(_rich_text(), "rich.yaml").policy


def _update(model: Any, **changes: Any) -> Any:
    return model.model_copy(update=changes)


def _meta(policy: Policy, **changes: Any) -> Policy:
    updated: Policy = _update(policy, policy=_update(policy.policy, **changes))
    return updated


class _Checker(HTMLParser):
    """Counts elements and ids, and records every tag closed out of order or left open."""

    VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"))

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: Counter[str] = Counter()
        self.ids: list[str] = []
        self.attrs: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attrs.append((tag, dict(attrs)))
        self.ids.extend(value for name, value in attrs if name == "id" and value)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        if tag not in self.VOID:
            self.errors.append(f"<{tag} /> is not a void element")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def _parse(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.errors == []
    assert checker.stack == [], f"unclosed: {checker.stack}"
    assert len(checker.ids) == len(set(checker.ids)), "duplicate ids"
    return checker


@pytest.mark.parametrize("lang", LANGS)
def test_rich_policy_has_every_section_in_order(rich: Policy, lang: Lang) -> None:
    sections = render_sections(rich, lang)
    assert [s.key for s in sections] == list(SECTION_KEYS)
    assert [s.number for s in sections] == list(range(1, len(SECTION_KEYS) + 1))
    assert all(s.body.strip() for s in sections)


@pytest.mark.parametrize("lang", LANGS)
def test_every_title_appears_in_markdown_and_html(rich: Policy, lang: Lang) -> None:
    markdown, html = render_markdown(rich, lang), render_html(rich, lang)
    for section in render_sections(rich, lang):
        heading = section_heading(section, lang)
        assert f"## {heading}\n" in markdown
        assert f'<h2 id="{section.key}-title">{heading}</h2>' in html
        assert f'<a href="#{section.key}">{heading}</a>' in html
    assert "## 第1条（基本方針）" in render_markdown(rich, "ja")
    assert "## Article 1 (General Provisions)" in render_markdown(rich, "en")


@pytest.mark.parametrize("lang", LANGS)
def test_sections_without_content_are_left_out_and_numbers_close_up(
    starter: Policy, lang: Lang
) -> None:
    sections = render_sections(starter, lang)
    absent = {"opt_out", "joint_use", "modules", "statistics"}
    assert {s.key for s in sections} == set(SECTION_KEYS) - absent
    assert [s.number for s in sections] == list(range(1, len(sections) + 1))
    markdown, html = render_markdown(starter, lang), render_html(starter, lang)
    for key in absent:
        assert TITLES[lang][key] not in markdown
        assert f'id="{key}"' not in html


def test_a_statement_is_appended_and_can_carry_a_section_alone(starter: Policy) -> None:
    clause = Text(
        ja="グループ会社とは共同利用しません。", en="We do not share data within the group."
    )
    policy = _update(starter, statements=[Statement(section="joint_use", text=clause)])
    for lang in LANGS:
        sections = {s.key: s for s in render_sections(policy, lang)}
        assert sections["joint_use"].body == clause[lang]
        assert sections["joint_use"].number == sections["entrustment"].number + 1


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("which", ["starter", "rich"])
def test_html_is_a_well_formed_accessible_page(
    request: pytest.FixtureRequest, which: str, lang: Lang
) -> None:
    policy: Policy = request.getfixturevalue(which)
    html = render_html(policy, lang, other_language_href="../other/")
    checker = _parse(html)
    assert html.startswith("<!doctype html>")
    assert f'<html lang="{lang}">' in html
    assert '<meta charset="utf-8">' in html
    assert 'name="viewport"' in html
    assert checker.tags["h1"] == 1 and checker.tags["title"] == 1
    assert checker.tags["nav"] == 1 and checker.tags["main"] == 1 and checker.tags["footer"] == 1
    assert '<a class="skip-link" href="#main">' in html and 'id="main"' in html
    assert "@media print" in html
    keys = [s.key for s in render_sections(policy, lang)]
    sections = [attrs for tag, attrs in checker.attrs if tag == "section"]
    assert [a["id"] for a in sections] == keys
    assert all(a["aria-labelledby"] == f"{a['id']}-title" for a in sections)
    assert html.count('href="../other/"') == 1
    assert policy.organization.name[lang] in html


def test_tables_and_lists_become_html(rich: Policy) -> None:
    html = render_html(rich, "en")
    assert html.count("<table>") == 2  # recipients, retention
    assert "<th>Retention period</th>" in html
    assert '<a href="https://policies.google.com/privacy">' in html


SCRIPT = "<script>alert(1)</script>"
URL = "https://example.org/"


@pytest.mark.parametrize("lang", LANGS)
def test_user_text_cannot_inject_markup(starter: Policy, lang: Lang) -> None:
    evil = Text(ja=f"氏名{SCRIPT} *強調* [link](https://evil.example) | x", en=f"name{SCRIPT} *em*")
    org = _update(
        starter.organization,
        name=Text(ja=f"<b>悪い</b>会社{SCRIPT}", en=f"<b>Bad</b> Co.{SCRIPT}"),
        contact=_update(starter.organization.contact, form_url='https://x.example/"><script>x'),
    )
    items = [_update(starter.items[0], label=evil), *starter.items[1:]]
    policy = _update(starter, items=items, organization=org)
    markdown = render_markdown(policy, lang)
    assert "<script>" not in markdown and "<b>" not in markdown
    assert r"\<script\>" in markdown
    assert r"\*" in markdown
    html = render_html(policy, lang)
    _parse(html)
    assert "<script" not in html and "<b>" not in html and "<em>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://evil.example"' not in html
    assert "%22%3E%3Cscript%3Ex" in html


def test_escaping_neutralises_block_markup_at_line_start() -> None:
    assert md_inline("# title") == r"\# title"
    assert md_inline("- item") == r"\- item"
    assert md_inline("1. first") == r"1\. first"
    assert md_inline("1.0") == "1.0"
    assert md_inline("a\n\n===") == "a ==="
    assert md_inline("a|b_c") == r"a\|b\_c"
    assert md_block("one\n> two\n\n---") == "one\\\n\\> two\n\n\\---"
    assert md_url("https://x.example/a b<c>") == "<https://x.example/a%20b%3Cc%3E>"


def test_translation_note_only_in_the_language_that_does_not_prevail(starter: Policy) -> None:
    ja_note, en_note = "英語版が優先します", "the Japanese version prevails"
    assert en_note in render_markdown(starter, "en") and en_note in render_html(starter, "en")
    assert ja_note not in render_markdown(starter, "ja")
    flipped = _meta(starter, authoritative_language="en")
    assert ja_note in render_markdown(flipped, "ja") and ja_note in render_html(flipped, "ja")
    assert en_note not in render_markdown(flipped, "en")
    assert 'class="translation-note"' not in render_html(flipped, "en")


# What the law and the seeds need each section to say, in the words a reader sees.
EXPECTED: dict[tuple[Lang, str], tuple[str, ...]] = {
    ("ja", "general"): (
        "個人情報の保護に関する法律、個人情報保護委員会のガイドラインその他の関係法令",
    ),
    ("ja", "purposes"): (
        "ご本人の同意を得た場合に限ります",
        "停止のお申し出があった場合",
        "第三者への提供が含まれます（第4条及び第5条）",
        "法令で認められる場合を除き、あらかじめご本人の同意を得ます",
    ),
    ("ja", "third_party"): (
        "次の場合を除き、あらかじめご本人の同意を得ることなく個人データを第三者に提供しません",
        "（1）法令に基づく場合",
        "公衆衛生の向上又は児童の健全な育成の推進",
        "事業の承継",
        "| USパートナー社 | — | — | 米国 |",
        "外国にある第三者への提供",
        "所在国：米国",
        "米国には包括的な連邦法がありません。",
        "記録を作成し",
    ),
    ("en", "third_party"): ("Country: United States", "The US has no comprehensive federal law."),
    ("ja", "opt_out"): (
        "株式会社エグザンプル、東京都千代田区丸の内一丁目1番1号、代表取締役 山田太郎",
        "第三者への提供を利用目的とすること",
        "第三者に提供される個人データの項目：氏名",
        "取得の方法：お問い合わせフォーム",
        "第三者への提供の方法：電子ファイルの送付",
        "提供を停止します",
        "求めを受け付ける方法：メールでのお申し出",
        "更新の方法：毎月更新します",
        "開始する予定日：2026年5月1日",
        "2026年4月15日",
    ),
    ("en", "joint_use"): (
        "Example Logistics K.K.",
        "Items of personal data used jointly: name and e-mail address",
        "<https://example.co.jp/joint-use>",
    ),
    ("ja", "retention"): (
        "| お問い合わせへの対応 | 3年（最終のお問い合わせから） |",
        "| メールマガジン | 同意の撤回まで |",
        "遅滞なく消去します",
    ),
    ("en", "retention"): (
        "| Responding to inquiries | 3 years from the last contact |",
        "| Surveys | as long as needed to achieve the purpose |",
    ),
    ("ja", "requests"): (
        "（2）開示（第三者提供記録の開示を含みます。）",
        "内容の訂正、追加又は削除",
        "開示：1,000円",
        "銀行振込",
        "14日以内",
        "正当な理由なく同一内容の請求が繰り返される場合",
        "配信停止",
        "（1）氏名",
    ),
    ("en", "requests"): ("Disclosure: 1,000 yen", "within 14 days", "a power of attorney"),
    ("ja", "statistics"): (
        "特定の個人を識別することができない形式",
        "匿名加工情報に含まれる個人に関する情報の項目：お問い合わせ内容",
        "匿名加工情報である旨を明示します",
    ),
    ("ja", "leakage"): ("個人情報保護委員会に速報及び確報", "速やかに通知します"),
    ("ja", "changes"): ("当社ウェブサイトへの掲載", "同意を得ます"),
    ("ja", "contact"): ("受付時間：平日10:00〜18:00（土日祝日・年末年始を除きます）",),
    ("en", "contact"): ("Hours: weekdays 10:00–18:00", "privacy@example.co.jp"),
}


@pytest.mark.parametrize(("lang", "key"), list(EXPECTED))
def test_each_section_says_what_it_must(rich: Policy, lang: Lang, key: str) -> None:
    body = {s.key: s.body for s in render_sections(rich, lang)}[key]
    missing = [phrase for phrase in EXPECTED[lang, key] if phrase not in body]
    assert missing == []


def test_entrustment_does_not_name_vendors(rich: Policy) -> None:
    for lang in LANGS:
        text = render_markdown(rich, lang)
        assert rich.entrustment.vendors[0].name[lang] not in text
        assert rich.entrustment.vendors[0].tasks[0][lang].lower() in text.lower()


def test_behavioural_advertising_is_explained_only_when_used(rich: Policy) -> None:
    assert "行動ターゲティング広告" in render_markdown(rich, "ja")
    quiet = _update(rich, modules=rich.modules[:1])
    assert "行動ターゲティング広告" not in render_markdown(quiet, "ja")
    assert "Behavioural advertising" not in render_markdown(quiet, "en")


def test_statistics_title_follows_what_is_released(rich: Policy) -> None:
    only_stats = _update(rich, anonymized=[])
    assert render_sections(only_stats, "en")[11].title == "Statistics"


def test_dates_and_version_close_the_document(starter: Policy) -> None:
    ja, en = render_markdown(starter, "ja"), render_markdown(starter, "en")
    assert "制定日：2026年4月1日" in ja and "最終改定日：2026年4月1日" in ja and "版：1.0" in ja
    assert "Established: April 1, 2026" in en and "Version: 1.0" in en
    assert ja.rstrip().endswith("以上")
    assert "制定日：2026年4月1日" in render_html(starter, "ja").split("<footer>")[1]


def test_subject_term_and_organization_name(starter: Policy) -> None:
    ja = render_markdown(starter, "ja")
    assert "株式会社エグザンプル（以下「当社」といいます。）" in ja and "ご本人の同意" in ja
    en = render_markdown(starter, "en")
    assert 'Example K.K. ("we", "us" or "our")' in en and "without your prior consent" in en
    term = Text(ja="情報提供者", en="the Information Provider")
    custom = _meta(starter, subject_term=term, title=Text(ja="個人情報保護方針", en="Data Policy"))
    ja, en = render_markdown(custom, "ja"), render_markdown(custom, "en")
    assert (
        "「情報提供者」といいます" in ja and "情報提供者の同意" in ja and "ご本人の同意" not in ja
    )
    assert "the Information Provider's prior consent" in en
    bare = _meta(starter, subject_term=Text(ja="情報提供者", en="Information Provider"))
    assert "without the Information Provider's prior consent" in render_markdown(bare, "en")
    assert ja.startswith("# 個人情報保護方針\n")
    assert "<title>Data Policy | Example K.K.</title>" in render_html(custom, "en")


def test_other_language_link_must_be_safe(starter: Policy) -> None:
    assert 'hreflang="en"' in render_html(starter, "ja", other_language_href="../en/")
    assert 'class="other-language"' not in render_html(starter, "ja")
    with pytest.raises(ValueError, match="relative or http"):
        render_html(starter, "ja", other_language_href="javascript:alert(1)")
    html = render_html(starter, "ja", other_language_href='../en/"><script>')
    assert "<script>" not in html


def test_unknown_language_is_refused(starter: Policy) -> None:
    with pytest.raises(ValueError, match="not one of"):
        render_markdown(starter, "fr")  # type: ignore[arg-type]


def _variants(rich: Policy) -> list[Policy]:
    """Optional parts switched on or off: every template branch must render, not just the rich one."""
    t = Text(ja="テキスト", en="text")
    org = rich.organization
    described = [_update(item, description=t) for item in rich.items]
    return [
        _update(
            rich,
            organization=_update(
                org,
                contact=None,
                complaint_contact=None,
                group_name=t,
                group_companies=[Company(name=t, address=t)],
                accredited_organization=AccreditedOrganization(
                    name=t, complaint_contact=t, url=URL
                ),
            ),
            compliance=Compliance(
                precedence=Precedence(other_documents=t, rule="other_documents_prevail")
            ),
            requests=_update(
                rich.requests, agents=Agents(allowed=False), fees=Fees(), refusal=t, note=t
            ),
            leakage=Leakage(notify_subjects=False, report_to_ppc=False, publish=False, statement=t),
            changes=_update(rich.changes, advance_notice_days=30, statement=t),
            security=Security(),
        ),
        _update(
            rich,
            sources=[],
            items=described,
            statistics=[],
            policy=_update(rich.policy, preamble=t),
        ),
        _update(
            rich,
            third_party=_update(rich.third_party, exceptions=[], not_third_party=[]),
            anonymized=[],
        ),
    ]


def test_optional_parts_render_in_both_languages_and_formats(rich: Policy) -> None:
    for policy in _variants(rich):
        for lang in LANGS:
            assert render_markdown(policy, lang)
            _parse(render_html(policy, lang))
    first, second = (render_markdown(p, "ja") for p in _variants(rich)[:2])
    assert (
        "代理人による請求は受け付けておりません" in first
        and "請求に手数料はいただきません" in first
    )
    assert "当該定めが優先して適用されます" in first and "効力発生日の30日前まで" in first
    assert "認定個人情報保護団体である" in first
    assert "  - 氏名：テキスト" in second


def test_the_full_check_fixture_renders(full_policy_path: Path) -> None:
    policy = load_policy(full_policy_path).policy
    for lang in LANGS:
        assert render_markdown(policy, lang).startswith("# ")
        _parse(render_html(policy, lang))


# ---------------------------------------------------------------------------------------
# Nothing said twice, nothing the policy does not state.


def _body(policy: Policy, lang: Lang, key: str) -> str:
    return {s.key: s.body for s in render_sections(policy, lang)}.get(key, "")


PREAMBLE_DEFINING = Text(
    ja="株式会社エグザンプル（以下「当社」といいます。）は、お客様の個人情報を次のとおり取り扱います。",
    en='Example K.K. ("we") handles personal information as follows.',
)
PREAMBLE_PLAIN = Text(
    ja="本方針は、当社がお客様の個人情報をどのように取り扱うかをご説明するものです。",
    en="This policy explains how we handle personal information.",
)


@pytest.mark.parametrize("preamble", [PREAMBLE_DEFINING, PREAMBLE_PLAIN])
def test_a_preamble_replaces_the_standard_opening(starter: Policy, preamble: Text) -> None:
    policy = _meta(starter, preamble=preamble)
    ja, en = render_markdown(policy, "ja"), render_markdown(policy, "en")
    assert preamble.ja in ja and preamble.en in en
    assert "重要な社会的責務" not in ja and "important responsibility" not in en
    assert ja.count("以下「当社」") + ja.count("「当社」とは") == 1
    assert en.count('("we"') + en.count('"we", "us" and "our" mean') == 1
    if preamble is PREAMBLE_PLAIN:
        assert "本方針において、「当社」とは株式会社エグザンプルをいいます。" in ja


def test_a_preamble_defines_a_custom_subject_term_once(starter: Policy) -> None:
    term = Text(ja="情報提供者", en="Information Provider")
    defining = Text(
        ja="株式会社エグザンプル（以下「当社」といいます。）に個人情報を提供される方を「情報提供者」といいます。",
        en='Example K.K. ("we") calls a person who provides personal information an "Information Provider".',
    )
    for preamble, times in ((defining, 1), (PREAMBLE_DEFINING, 1)):
        policy = _meta(starter, preamble=preamble, subject_term=term)
        ja, en = render_markdown(policy, "ja"), render_markdown(policy, "en")
        assert ja.count("「情報提供者」") == times
        assert en.count('"Information Provider"') == times
    assert "「情報提供者」とは個人情報によって識別される特定の個人" in render_markdown(
        _meta(starter, preamble=PREAMBLE_DEFINING, subject_term=term), "ja"
    )


def test_joint_use_without_a_responsible_party_does_not_name_the_company(rich: Policy) -> None:
    assert rich.joint_use[0].responsible is None
    for lang in LANGS:
        body = _body(rich, lang, "joint_use")
        assert rich.organization.name[lang] not in body
        assert rich.organization.address[lang] not in body  # type: ignore[index]
        assert "責任を有する者" not in body and "responsible" not in body.lower()
        assert "<https://example.co.jp/joint-use>" in body
    named = ResponsibleParty(name=Text(ja="エグザンプル物流株式会社", en="Example Logistics K.K."))
    group = _update(rich.joint_use[0], responsible=named)
    policy = _update(rich, joint_use=[group])
    ja, en = _body(policy, "ja", "joint_use"), _body(policy, "en", "joint_use")
    assert "管理について責任を有する者の氏名又は名称：エグザンプル物流株式会社" in ja
    assert "住所" not in ja and "代表者" not in ja
    assert "(name): Example Logistics K.K." in en


def test_opt_out_names_only_the_provider_details_given(rich: Policy) -> None:
    bare = _update(rich.organization, address=None, representative=None)
    policy = _update(rich, organization=bare)
    ja, en = _body(policy, "ja", "opt_out"), _body(policy, "en", "opt_out")
    assert "個人情報取扱事業者の氏名又は名称：株式会社エグザンプル\n" in ja + "\n"
    assert "住所" not in ja and "代表者" not in ja
    assert "Name of the provider: Example K.K.\n" in en
    full = _body(rich, "ja", "opt_out")
    assert "氏名又は名称、住所及び代表者の氏名：株式会社エグザンプル、東京都" in full


@pytest.mark.parametrize("lang", LANGS)
def test_no_request_kinds_renders_no_list_and_no_procedure(starter: Policy, lang: Lang) -> None:
    policy = _update(starter, requests=_update(starter.requests, kinds=[]))
    body = _body(policy, lang, "requests")
    if lang == "ja":
        words = ("開示（", "訂正", "利用の停止", "利用目的の通知", "応じられない")
    else:
        words = ("Disclosure", "Correction", "Suspension", "Notice of the purposes", "refuse")
    assert [w for w in words if w in body] == []
    assert "（1）" not in body and "1. " not in body
    assert "14" not in body and "回答" not in body and "Our response" not in body
    assert ("第" if lang == "ja" else "Article") in body  # points to the contact article
    contact = _body(policy, lang, "contact")
    assert "開示等の請求" not in contact and "requests under" not in contact
    offered = _body(starter, lang, "requests")
    assert ("（1）利用目的の通知" if lang == "ja" else "1. Notice of the purposes") in offered


def test_marketing_opt_out_names_no_address_the_policy_does_not_give(rich: Policy) -> None:
    for lang in LANGS:
        body = _body(rich, lang, "requests")
        marketing = body.split("###")[-1]
        assert "privacy@example.co.jp" not in marketing
        assert "速やかに" not in marketing and "promptly" not in marketing


def test_complaints_are_taken_where_the_policy_says(starter: Policy) -> None:
    org = starter.organization
    # a complaint desk of its own: named under its own heading
    ja = _body(starter, "ja", "contact")
    assert "### 苦情・ご相談の窓口" in ja and "苦情・ご相談は、次の窓口まで" not in ja
    # no complaint desk: the inquiry desk is not said to take complaints
    none = _update(starter, organization=_update(org, complaint_contact=None))
    assert "苦情" not in _body(none, "ja", "contact")
    assert "complaint" not in _body(none, "en", "contact").lower()
    # the same desk: named once, for both
    same = _update(starter, organization=_update(org, complaint_contact=org.contact))
    ja, en = _body(same, "ja", "contact"), _body(same, "en", "contact")
    assert "開示等の請求及び個人情報の取扱いに関する苦情・ご相談は、次の窓口まで" in ja
    assert ja.count("**個人情報お問い合わせ窓口**") == 1 and "### 苦情" not in ja
    assert en.count("- E-mail:") == 1 and "complaints about how we handle" in en


def test_statutory_and_other_grounds_are_listed_once(starter: Policy) -> None:
    ground = Text(ja="正当な理由がある場合", en="where there are legitimate reasons")
    policy = _update(starter, third_party=_update(starter.third_party, other_grounds=[ground]))
    ja, en = _body(policy, "ja", "third_party"), _body(policy, "en", "third_party")
    assert "（5）正当な理由がある場合" in ja and ja.count("正当な理由") == 1
    assert "5. Where there are legitimate reasons." in en


def test_records_of_provision_list_what_the_law_requires(rich: Policy) -> None:
    ja = _body(rich, "ja", "third_party")
    for line in (
        "- 提供先の氏名又は名称その他の提供先を特定するに足りる事項",
        "- ご本人の同意を得て提供した場合は、その旨",
        "- オプトアウトにより提供した場合は、提供の年月日",
    ):
        assert line in ja
    no_opt_out = _update(rich, third_party=_update(rich.third_party, opt_out=None))
    assert "提供の年月日" not in _body(no_opt_out, "ja", "third_party")


def test_supervision_in_the_company_words_replaces_the_standard_sentence(
    starter: Policy,
) -> None:
    own = Text(ja="委託先を適切に監督します。", en="We supervise vendors appropriately.")
    standard_ja, standard_en = (
        "秘密保持及び安全管理措置に関する事項を定めた契約",
        "cover confidentiality",
    )
    alone = _update(starter, entrustment=_update(starter.entrustment, supervision=own, vendors=[]))
    ja, en = _body(alone, "ja", "entrustment"), _body(alone, "en", "entrustment")
    assert own.ja in ja and standard_ja not in ja
    assert own.en in en and standard_en not in en
    # with a vendor register, the standard sentence is backed by it and the text adds to it
    backed = _update(starter, entrustment=_update(starter.entrustment, supervision=own))
    assert standard_ja in _body(backed, "ja", "entrustment")


def test_shared_items_basis_and_retention_notes_are_said_once(starter: Policy) -> None:
    first = starter.purposes[0]
    second = _update(
        first,
        id="callback",
        label=Text(ja="折り返しのご連絡", en="Calling back"),
        description=Text(ja="お問い合わせに電話で折り返すため", en="To call you back"),
    )
    note = Text(ja="法令で定める場合は延長します。", en="Extended where the law requires.")
    rule = _update(starter.retention[0], note=note)
    consented = [_update(p, basis=Basis.CONSENT) for p in (first, second)]
    policy = _update(starter, purposes=consented, retention=[rule])
    ja, en = _body(policy, "ja", "purposes"), _body(policy, "en", "purposes")
    assert ja.count("氏名、メールアドレス、電話番号、お問い合わせ内容") == 1
    assert "特に記載のない限り" in ja and "利用する情報：" not in ja
    assert ja.count("同意を得た場合に限り") == 1 and "いずれの利用目的についても" in ja
    assert en.count("withdrawn at any time") == 1 and "Information used:" not in en
    retention = _body(policy, "ja", "retention")
    assert retention.count(note.ja) == 1 and "備考" not in retention


def test_retention_note_for_some_purposes_names_them(rich: Policy) -> None:
    note = Text(ja="法令で定める場合は延長します。", en="Extended where the law requires.")
    rules = [_update(rich.retention[0], note=note), *rich.retention[1:]]
    policy = _update(rich, retention=rules)
    assert "お問い合わせへの対応について：法令で定める場合は延長します。" in _body(
        policy, "ja", "retention"
    )


def test_behavioural_advertising_offers_an_opt_out_only_when_one_is_given(rich: Policy) -> None:
    ja = render_markdown(rich, "ja")
    assert "行動ターゲティング広告を希望されない場合" not in ja  # the ad module has no opt-out URL
    ads = _update(rich.modules[1], opt_out_url="https://ads.example/optout")
    with_opt_out = _update(rich, modules=[rich.modules[0], ads])
    assert "行動ターゲティング広告を希望されない場合" in render_markdown(with_opt_out, "ja")
    assert "opt-outs shown above" in render_markdown(with_opt_out, "en")


def test_changes_without_advance_notice_never_say_zero_days(starter: Policy) -> None:
    policy = _update(starter, changes=_update(starter.changes, advance_notice_days=0))
    ja, en = _body(policy, "ja", "changes"), _body(policy, "en", "changes")
    assert "0日前" not in ja and "効力発生日" not in ja and "公表した時から適用" in ja
    assert "0 days" not in en and "from the time it is published" in en


def test_written_sources_with_their_own_notice_need_no_general_sentence(starter: Policy) -> None:
    sentence = "あらかじめご本人に利用目的を明示します"
    assert starter.sources[0].purpose_notice is not None
    assert sentence not in _body(starter, "ja", "acquisition")
    silent = _update(starter.sources[0], purpose_notice=None)
    assert sentence in _body(_update(starter, sources=[silent]), "ja", "acquisition")
