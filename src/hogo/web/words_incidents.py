"""The console's words for working an incident (APPI Art. 26; PPC Rules Arts. 8–10), in
Japanese and English; part of WORDS."""

from __future__ import annotations

INCIDENT_WORDS: dict[str, dict[str, str]] = {
    "incident_open": {"ja": "対応中", "en": "Open"},
    "incident_closed": {"ja": "終了", "en": "Closed"},
    "deadlines": {
        "ja": "個人情報保護委員会への報告期限",
        "en": "Deadlines for reporting to the PPC",
    },
    "report": {"ja": "報告", "en": "Report"},
    "report_due": {"ja": "提出期限", "en": "Due"},
    "report_status": {"ja": "状況", "en": "Status"},
    "filed_on": {"ja": "提出日", "en": "Filed on"},
    "preliminary": {"ja": "速報", "en": "Preliminary report"},
    "final": {"ja": "確報", "en": "Final report"},
    "not_filed": {"ja": "未提出", "en": "not filed"},
    "facts": {"ja": "判明している事実", "en": "What is known"},
    "under_investigation": {"ja": "調査中", "en": "Under investigation"},
    "f_known_at": {"ja": "事態を認識した日", "en": "Day the company knew"},
    "f_occurred_at": {"ja": "発生日", "en": "Day it happened"},
    "f_discovered_on": {"ja": "発覚日", "en": "Day it was discovered"},
    "f_vendor": {"ja": "関係する委託先", "en": "Vendor involved"},
    "f_preliminary_filed_on": {
        "ja": "速報を提出した日",
        "en": "Day the preliminary report was filed",
    },
    "f_final_filed_on": {"ja": "確報を提出した日", "en": "Day the final report was filed"},
    "f_summary": {"ja": "概要", "en": "Summary"},
    "f_discovered": {"ja": "発覚の経緯", "en": "How it was discovered"},
    "f_medium": {"ja": "漏えい等が生じた媒体", "en": "Medium (paper, a database…)"},
    "f_cause": {"ja": "発生原因", "en": "Cause"},
    "f_secondary_damage": {
        "ja": "二次被害又はそのおそれの有無及びその内容",
        "en": "Secondary damage or its risk, and what it is",
    },
    "f_measures": {"ja": "本人への対応の実施状況", "en": "Measures for the people affected"},
    "f_publication": {"ja": "公表の実施状況", "en": "Publication"},
    "f_prevention": {"ja": "実施済みの再発防止策", "en": "Prevention measures taken"},
    "f_prevention_planned": {"ja": "今後実施予定の再発防止策", "en": "Prevention measures planned"},
    "f_other": {"ja": "その他参考となる事項", "en": "Other matters for reference"},
    "f_unlawful_purpose": {"ja": "不正の目的によるおそれ", "en": "Unlawful purpose suspected"},
    "f_strongly_encrypted": {"ja": "高度な暗号化等の措置", "en": "Strong encryption"},
    "notified_status": {
        "ja": "本人への通知：対象{people}人のうち{notified}人に通知済み",
        "en": "Notices: {notified} of {people} people notified",
    },
    "last_notice": {"ja": "最終通知日", "en": "last notices queued"},
    "record_filing": {"ja": "報告の提出日を記録する", "en": "Record the filing dates"},
    "notify_people": {"ja": "本人への通知", "en": "Notify the people affected"},
    "notify_help": {
        "ja": "対象者のうち、まだ通知していない方への通知メールを送信待ちに登録します。連絡先のない方は人数をお知らせします。",
        "en": "Queues a notice to everyone in scope not yet notified. People with no address held are counted.",
    },
    "notify_button": {"ja": "未通知の本人に通知する", "en": "Notify those not yet notified"},
    "notify_done": {
        "ja": "{queued}人への通知を送信待ちに登録しました（以前に通知済み{already}人／対象{people}人）。",
        "en": "Queued {queued} notice(s); {already} of {people} people had been notified before.",
    },
    "notify_unreachable": {
        "ja": "{n}人は連絡先がないため通知できません。事案の公表と問い合わせ窓口の設置により対応してください（法第26条第2項ただし書）。",
        "en": "{n} people cannot be reached (no e-mail address held, or erased): publish the facts and open an inquiry contact instead (APPI Art. 26(2) proviso).",
    },
    "empty_scope": {
        "ja": "影響を受ける本人がまだ登録されていません。先に対象者を追加してください。",
        "en": "No one is in the scope yet: add the people affected first.",
    },
    "scope_by_source": {
        "ja": "取得元で対象者を追加",
        "en": "Add people by the source of their data",
    },
    "choose_source": {"ja": "取得元を選んでください。", "en": "Choose a source."},
    "close_incident": {"ja": "事案を終了する", "en": "Close the incident"},
    "close_help": {
        "ja": "終了すると事案の内容は変更できなくなり、報告期限の管理も終わります。",
        "en": "Once closed, nothing about the incident can change and its deadlines stop counting.",
    },
    "close_confirm": {"ja": "上記を確認のうえ終了します", "en": "I understand: close it"},
    "confirm_required": {
        "ja": "終了するには確認欄にチェックを入れてください。",
        "en": "Tick the box to confirm.",
    },
    "unfiled_preliminary": {
        "ja": "報告が必要な事案ですが、速報が未提出です。",
        "en": "A report is required and the preliminary report has not been filed.",
    },
    "unfiled_final": {
        "ja": "報告が必要な事案ですが、確報が未提出です。",
        "en": "A report is required and the final report has not been filed.",
    },
    "update_incident": {
        "ja": "調査で判明した事実を記録する",
        "en": "Record what the investigation found",
    },
    "no_vendor": {"ja": "委託先の関与なし", "en": "No vendor involved"},
    "save_facts": {"ja": "記録する", "en": "Save"},
    "ev_open": {"ja": "登録", "en": "Opened"},
    "ev_update": {"ja": "更新", "en": "Updated"},
    "ev_scope": {"ja": "対象者の追加", "en": "Scope widened"},
    "ev_notify": {"ja": "本人への通知", "en": "Notices queued"},
    "ev_close": {"ja": "終了", "en": "Closed"},
    "ev_scope_line": {
        "ja": "{added}人を追加（計{people}人）",
        "en": "{added} added ({people} in all)",
    },
    "ev_notify_line": {
        "ja": "{queued}人に通知、連絡先なし{unreachable}人",
        "en": "{queued} queued, {unreachable} unreachable",
    },
    "cannot_clear": {
        "ja": "記録済みの内容は空欄にできません。訂正する場合は正しい内容を入力してください。",
        "en": "What is recorded cannot be emptied: enter the correct value instead.",
    },
    "nothing_changed": {"ja": "変更された項目はありません。", "en": "Nothing was changed."},
    "occurred_out_of_order": {
        "ja": "発生日が、事態を認識した日または発覚日より後になっています。",
        "en": "The day it happened is after the day the company knew, or after its discovery.",
    },
    "discovered_out_of_order": {
        "ja": "発覚日が、事態を認識した日より後になっています。",
        "en": "The day it was discovered is after the day the company knew.",
    },
    "filed_before_known": {
        "ja": "提出日が、事態を認識した日より前になっています。",
        "en": "The filing date is before the day the company knew.",
    },
    "text_too_long": {
        "ja": "20,000字以内で入力してください。",
        "en": "Keep it to 20,000 characters.",
    },
    "control_characters": {
        "ja": "制御文字が含まれています。改行以外の制御文字は使えません。",
        "en": "It contains control characters: only line breaks are allowed.",
    },
    "future_date": {"ja": "未来の日付は入力できません。", "en": "The date is in the future."},
}
