"""The console's words, in Japanese and English (a test checks every key has both)."""

from __future__ import annotations

from hogo.web.words_requests import REQUEST_WORDS

WORDS: dict[str, dict[str, str]] = {
    "console": {"ja": "個人情報管理コンソール", "en": "Privacy console"},
    "log_in": {"ja": "ログイン", "en": "Log in"},
    "log_out": {"ja": "ログアウト", "en": "Log out"},
    "username": {"ja": "ユーザー名", "en": "Username"},
    "password": {"ja": "パスワード", "en": "Password"},
    "bad_login": {
        "ja": "ユーザー名またはパスワードが正しくありません。",
        "en": "The username or password is not right.",
    },
    "expired_form": {
        "ja": "フォームの有効期限が切れました。もう一度お試しください。",
        "en": "The form expired. Please try again.",
    },
    "dashboard": {"ja": "ダッシュボード", "en": "Dashboard"},
    "subjects": {"ja": "本人の検索", "en": "Subjects"},
    "audit": {"ja": "アクセス記録", "en": "Audit trail"},
    "policy": {"ja": "プライバシーポリシー", "en": "Privacy policy"},
    "subjects_held": {"ja": "保有している本人の数", "en": "Subjects held"},
    "policy_in_force": {"ja": "施行中のポリシー", "en": "Policy in force"},
    "find_by_email": {"ja": "メールアドレスで検索", "en": "Find by e-mail"},
    "find_by_phone": {"ja": "電話番号で検索", "en": "Find by phone"},
    "email": {"ja": "メールアドレス", "en": "E-mail"},
    "phone": {"ja": "電話番号", "en": "Phone"},
    "search": {"ja": "検索", "en": "Search"},
    "no_match": {"ja": "該当する本人はいません。", "en": "No subject matches."},
    "items": {"ja": "保有項目", "en": "Items held"},
    "consents": {"ja": "同意・オプトアウト", "en": "Consents and opt-outs"},
    "restrictions": {"ja": "利用停止等", "en": "Restrictions"},
    "none": {"ja": "なし", "en": "None"},
    "verify_trail": {"ja": "改ざんの有無を検証", "en": "Verify the trail"},
    "trail_ok": {"ja": "記録は改ざんされていません。", "en": "The trail is intact."},
    "trail_broken": {"ja": "記録に不整合があります。", "en": "The trail is broken."},
    "forbidden": {
        "ja": "この操作を行う権限がありません。",
        "en": "Your role does not allow this.",
    },
    "role": {"ja": "役割", "en": "Role"},
    "granted": {"ja": "同意あり", "en": "granted"},
    "withdrawn": {"ja": "撤回・オプトアウト", "en": "withdrawn / opted out"},
    "collected": {"ja": "取得日", "en": "Collected"},
    "source": {"ja": "取得元", "en": "Source"},
    "value": {"ja": "値", "en": "Value"},
    "erased": {"ja": "消去済み", "en": "erased"},
    "portal": {"ja": "個人情報に関する手続き", "en": "Your personal information"},
    "portal_intro": {
        "ja": "当社が保有するお客様の個人情報について、利用目的の確認、配信の停止、開示等のご請求をこちらから行えます。",
        "en": "Here you can read how we use your personal information, stop marketing, and make requests about the data we hold.",
    },
    "read_policy": {"ja": "プライバシーポリシーを読む", "en": "Read the privacy policy"},
    "preferences": {"ja": "同意・配信設定の確認と変更", "en": "See and change your choices"},
    "make_request": {"ja": "開示・訂正・削除等のご請求", "en": "Make a request about your data"},
    "email_prompt": {
        "ja": "ご登録のメールアドレスを入力してください。確認コードをお送りします。",
        "en": "Enter your e-mail address. We will send you a confirmation code.",
    },
    "send_code": {"ja": "確認コードを送る", "en": "Send the code"},
    "code_sent": {
        "ja": "入力されたアドレスで当社に登録がある場合、確認コードをお送りしました。メールに記載の6桁のコードを入力してください。",
        "en": "If we hold data for this address, we have sent it a code. Enter the six-digit code from the message.",
    },
    "code": {"ja": "確認コード（6桁）", "en": "Confirmation code (six digits)"},
    "confirm": {"ja": "確認する", "en": "Confirm"},
    "code_wrong": {
        "ja": "確認コードが正しくないか、有効期限が切れています。",
        "en": "The code is wrong or has expired.",
    },
    "rate_limited": {
        "ja": "短時間に多くのコードが要求されました。1時間ほどおいてからお試しください。",
        "en": "Too many codes were asked for. Please try again in an hour.",
    },
    "your_choices": {"ja": "現在の設定", "en": "Your choices"},
    "on": {"ja": "利用を認める", "en": "Allowed"},
    "off": {"ja": "利用を停止する", "en": "Stopped"},
    "save": {"ja": "変更する", "en": "Change"},
    "no_choices": {
        "ja": "変更できる設定はありません。",
        "en": "There is nothing for you to choose here.",
    },
    "saved": {"ja": "設定を変更しました。", "en": "Your choice is saved."},
    "opted_out": {
        "ja": "「{label}」のための利用を停止しました。今後、この目的でのご連絡はいたしません。",
        "en": "We have stopped using your data for “{label}”. You will not hear from us for it again.",
    },
    "link_invalid": {
        "ja": "このリンクは無効です。お手数ですが、設定ページから手続きしてください。",
        "en": "This link is not valid. Please use the preferences page instead.",
    },
    "back": {"ja": "トップへ戻る", "en": "Back to the start"},
    "session_over": {
        "ja": "確認の有効期限が切れました。もう一度メールアドレスを入力してください。",
        "en": "Your confirmation has expired. Please enter your e-mail address again.",
    },
    **REQUEST_WORDS,
}
