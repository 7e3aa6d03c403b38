"""The console's words for the policy's pickers, binding a request to its subject, and the
receipt records (Art. 30), in Japanese and English; part of WORDS."""

from __future__ import annotations

CONSOLE_WORDS: dict[str, dict[str, str]] = {
    "not_in_policy": {
        "ja": "施行中のプライバシーポリシーに定めのない値です: {values}",
        "en": "Not declared in the policy in force: {values}",
    },
    "not_in_list": {
        "ja": "選択肢にない値です。",
        "en": "This is not one of the values offered.",
    },
    # Binding a request to its subject at verification (web/console_requests.py).
    "identify_subject": {"ja": "本人の特定", "en": "Identify the person"},
    "subject_unmatched": {
        "ja": "この請求の連絡先に一致する本人がいないか、複数います。検索して本人を特定し、本人確認とあわせて記録してください。",
        "en": "The request's address matched no subject, or several. Search, identify the person and record it with the identity check.",
    },
    "search_request_address": {
        "ja": "請求の連絡先で検索",
        "en": "Search with the request's address",
    },
    "no_address_to_search": {
        "ja": "この請求には検索に使えるメールアドレスがありません。",
        "en": "This request has no e-mail address to search with.",
    },
    "search_what": {
        "ja": "メールアドレスまたは電話番号を入力してください。",
        "en": "Enter an e-mail address or a phone number.",
    },
    "bind_subject": {"ja": "請求の対象となる本人", "en": "The person the request is about"},
    "leave_unidentified": {"ja": "まだ特定しない", "en": "Not identified yet"},
    "no_such_subject": {
        "ja": "本人ID {subject} は見つかりません。",
        "en": "There is no subject {subject}.",
    },
    # Receipt records (web/console_records.py).
    "receipts": {"ja": "第三者からの受領の記録", "en": "Receipt records"},
    "receipts_intro": {
        "ja": "第三者から個人データの提供を受けた際に確認し、記録した事項です（法第30条）。記録は3年間保存します。",
        "en": "What was confirmed and recorded on receiving personal data from another business (APPI Art. 30). Records are kept for 3 years.",
    },
    "provider": {"ja": "提供者", "en": "Provider"},
    "provider_address": {"ja": "提供者の住所", "en": "Provider's address"},
    "representative": {"ja": "代表者", "en": "Representative"},
    "acquisition_method": {"ja": "提供者による取得の経緯", "en": "How the provider acquired it"},
    "items_received": {"ja": "受領した項目", "en": "Items received"},
    "received_on": {"ja": "受領日", "en": "Received on"},
    "ppc_publication": {
        "ja": "個人情報保護委員会による公表",
        "en": "PPC publication of the provider's filing",
    },
    "basis_consent": {"ja": "本人の同意", "en": "Consent"},
    "basis_opt_out": {"ja": "オプトアウト", "en": "Opt-out"},
    "all": {"ja": "すべて", "en": "All"},
    "received_from": {"ja": "受領日（から）", "en": "Received from"},
    "received_to": {"ja": "受領日（まで）", "en": "Received until"},
    "bad_period": {
        "ja": "期間の開始日が終了日より後になっています。",
        "en": "The period starts after it ends.",
    },
    "no_records": {"ja": "該当する記録はありません。", "en": "No records match."},
}
