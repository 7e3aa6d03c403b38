"""The portal's words for requests (Arts. 32–35), in Japanese and English; part of WORDS."""

from __future__ import annotations

KIND_WORDS: dict[str, dict[str, str]] = {
    "purpose_notice": {"ja": "利用目的の通知", "en": "Tell me the purposes of use"},
    "purpose_notice_help": {
        "ja": "当社がお客様の個人情報を何のために利用しているかをお知らせします。",
        "en": "We tell you what we use your personal information for.",
    },
    "disclosure": {"ja": "開示", "en": "Disclosure"},
    "disclosure_help": {
        "ja": "当社が保有するお客様の個人情報の内容をお渡しします。",
        "en": "We give you a copy of the personal information we hold about you.",
    },
    "provision_records": {"ja": "第三者提供記録の開示", "en": "Records of provision to others"},
    "provision_records_help": {
        "ja": "お客様の情報をいつ、どの第三者に提供したか（または受け取ったか）の記録をお渡しします。",
        "en": "We show you when we gave your data to others, or received it, and to or from whom.",
    },
    "correction": {"ja": "訂正", "en": "Correction"},
    "correction_help": {
        "ja": "誤っている情報を正しい内容に直します。どの情報をどう直すかをご記入ください。",
        "en": "We put right data that is wrong. Tell us what is wrong and what it should be.",
    },
    "addition": {"ja": "追加", "en": "Addition"},
    "addition_help": {
        "ja": "足りない情報を追加します。追加してほしい内容をご記入ください。",
        "en": "We add data that is missing. Tell us what to add.",
    },
    "deletion": {"ja": "削除", "en": "Deletion"},
    "deletion_help": {
        "ja": "事実と異なる情報などを削除します。",
        "en": "We delete data that is not true or should not be there.",
    },
    "suspension_of_use": {"ja": "利用の停止", "en": "Stop using my data"},
    "suspension_of_use_help": {
        "ja": "お客様の情報の利用を停止します（目的外の利用や不要になった場合など）。",
        "en": "We stop using your data, e.g. if it is used beyond its purpose or no longer needed.",
    },
    "erasure": {"ja": "消去", "en": "Erasure"},
    "erasure_help": {
        "ja": "お客様の情報を当社のシステムから消去します。",
        "en": "We erase your data from our systems.",
    },
    "stop_provision": {"ja": "第三者への提供の停止", "en": "Stop giving my data to others"},
    "stop_provision_help": {
        "ja": "お客様の情報を第三者に提供することをやめます。",
        "en": "We stop giving your data to third parties.",
    },
}

REQUEST_WORDS: dict[str, dict[str, str]] = {
    **{f"rk_{key}": value for key, value in KIND_WORDS.items()},
    "rq_new": {"ja": "ご請求の受付", "en": "Make a request"},
    "rq_intro": {
        "ja": "ご請求の種類を選び、ご連絡先のメールアドレスを入力してください。確認コードをお送りします。",
        "en": "Choose what you ask for and enter your e-mail address. We will send you a code.",
    },
    "rq_kind": {"ja": "ご請求の種類", "en": "What you ask for"},
    "rq_kind_missing": {"ja": "種類を選んでください。", "en": "Please choose one."},
    "rq_details": {
        "ja": "訂正・追加の内容（訂正・追加の場合のみ）",
        "en": "What to correct or add (for a correction or an addition only)",
    },
    "rq_details_help": {
        "ja": "2,000字まで。その他の種類では入力不要です。",
        "en": "Up to 2,000 characters. Leave empty for any other kind.",
    },
    "rq_details_long": {
        "ja": "2,000字以内でご記入ください。",
        "en": "Please keep it to 2,000 characters.",
    },
    "rq_email_bad": {
        "ja": "メールアドレスの形式が正しくありません。",
        "en": "This does not look like an e-mail address.",
    },
    "rq_code_sent": {
        "ja": "入力されたアドレスに確認コードをお送りしました。メールに記載の6桁のコードを入力してください。",
        "en": "We have sent a code to the address you gave. Enter the six-digit code from the message.",
    },
    "rq_received": {"ja": "ご請求を受け付けました", "en": "We have received your request"},
    "rq_reference": {"ja": "受付番号", "en": "Your reference"},
    "rq_keep": {
        "ja": "受付番号は状況の確認に必要です。控えておいてください。受付のお知らせもメールでお送りします。",
        "en": "You need the reference to check on the request: please keep it. We also send it to you by e-mail.",
    },
    "rq_status": {"ja": "ご請求の状況確認", "en": "Check a request"},
    "rq_status_intro": {
        "ja": "受付番号と、ご請求時に入力したメールアドレスを入力してください。",
        "en": "Enter your reference and the e-mail address you made the request from.",
    },
    "rq_show": {"ja": "状況を見る", "en": "Show the status"},
    "rq_not_found": {
        "ja": "この受付番号とメールアドレスの組み合わせに該当するご請求は見つかりませんでした。",
        "en": "We found no request with this reference and address.",
    },
    "rq_state": {"ja": "状況", "en": "Status"},
    "rq_received_on": {"ja": "受付日", "en": "Received"},
    "rq_due_on": {"ja": "回答期限", "en": "Answer due by"},
    "rq_fee": {"ja": "手数料", "en": "Fee"},
    "rq_yen": {"ja": "{fee}円", "en": "¥{fee}"},
    "rs_received": {"ja": "受付済み", "en": "Received"},
    "rs_verifying": {"ja": "本人確認中", "en": "Checking who you are"},
    "rs_in_progress": {"ja": "対応中", "en": "In progress"},
    "rs_answered": {"ja": "回答済み", "en": "Answered"},
    "rs_refused": {
        "ja": "お応えできませんでした（理由はメールでお知らせしています）",
        "en": "Refused (we wrote to you with the reason)",
    },
    "rs_withdrawn": {"ja": "取り下げ済み", "en": "Withdrawn"},
    "rq_package": {"ja": "開示結果のダウンロード", "en": "Download the answer"},
    "rq_package_confirm": {
        "ja": "ダウンロードの前に、メールアドレスをもう一度確認します。確認コードをお送りします。",
        "en": "Before the download we check your address again: we will send you a code.",
    },
    "rq_download_json": {"ja": "JSON形式でダウンロード", "en": "Download as JSON"},
    "rq_download_html": {"ja": "HTML形式で表示", "en": "Open as a web page"},
    "rq_check_status": {"ja": "ご請求の状況確認", "en": "Check a request"},
}
