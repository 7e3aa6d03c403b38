"""The console's words, in Japanese and English (a test checks every key has both)."""

from __future__ import annotations

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
}
