"""Japanese UI text (source of truth for locale/ja): `python scripts/ja_messages.py` fills the
.po from this table after `make messages`, then compile with `manage.py compilemessages`.

Keeping the table in Python makes untranslated or stale entries easy to spot in review: the
script lists every msgid of the .po that has no entry here.
"""

from __future__ import annotations

import sys
from pathlib import Path

JA: dict[str, str] = {
    # users
    "Personal info": "個人情報",
    "Permissions": "権限",
    "Use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.":
        "半角英数字と「.」「_」「-」で1～64文字、先頭は英数字にしてください。",
    "login ID": "ログインID",
    "name": "氏名",
    "furigana": "ふりがな",
    "mail address": "メールアドレス",
    "administrator": "責任者",
    "Administrators manage every user and every linkage.":
        "責任者はすべての利用者と外部メール連係を管理できます。",
    "active": "有効",
    "registered": "登録日時",
    "user": "利用者",
    "users": "利用者",
    "Japanese": "日本語",
    "English": "英語",
    # admin
    "Mailbox password": "メールボックスのパスワード",
    "Outgoing server password": "送信サーバーのパスワード",
    "set on %(date)s": "%(date)s に設定済み",
    "not set": "未設定",
    "External mail linkage": "外部メール連係",
    # causes
    "The server name was not found.": "サーバー名が見つかりませんでした。",
    "Check the spelling of the server's host name against your provider's information.":
        "プロバイダーの案内と見比べて、ホスト名のつづりを確認してください。",
    "This server address cannot be used.": "このサーバーのアドレスは使用できません。",
    "The name points to an address inside a private network. Enter the provider's public "
    "server name, or ask the administrator (責任者).":
        "この名前は社内などのプライベートなアドレスを指しています。プロバイダーの公開サーバー名を"
        "入力するか、beat-box責任者にご相談ください。",
    "The server refused the connection.": "サーバーに接続を拒否されました。",
    "Check the host name and port number. The provider may not accept connections from "
    "outside, or the port may be wrong for the SSL setting.":
        "ホスト名とポート番号を確認してください。プロバイダーが外部からの接続を受け付けていないか、"
        "SSL使用の設定に対してポート番号が合っていない可能性があります。",
    "The server did not answer in time.": "サーバーから時間内に応答がありませんでした。",
    "Check the host name and port number. If they are right, the server or the line may be "
    "busy: try the connection check again later.":
        "ホスト名とポート番号を確認してください。正しい場合は、サーバーや回線が混み合っている"
        "可能性があります。しばらくしてから接続確認をやり直してください。",
    "The server closed the connection.": "サーバーが接続を切断しました。",
    "Check the port number and the SSL setting. Try again later if they are right.":
        "ポート番号とSSL使用の設定を確認してください。正しい場合は、しばらくしてからやり直してください。",
    "The server's certificate is not trusted.": "サーバーの証明書を信頼できません。",
    "The certificate was not issued by a known certificate authority. Check the host name, "
    "or ask your provider which server name to use with SSL.":
        "証明書が既知の認証局から発行されていません。ホスト名を確認するか、SSLで使うサーバー名を"
        "プロバイダーにお問い合わせください。",
    "The server's certificate has expired.": "サーバーの証明書の有効期限が切れています。",
    "The provider must renew its certificate. Ask your provider, or try again later.":
        "証明書の更新はプロバイダー側で行う必要があります。プロバイダーにお問い合わせいただくか、"
        "しばらくしてからやり直してください。",
    "The server's certificate is for a different name.":
        "サーバーの証明書が別の名前に対して発行されています。",
    "Enter the server name exactly as your provider gives it for SSL connections.":
        "SSL接続用としてプロバイダーが案内しているサーバー名を、そのとおりに入力してください。",
    "The encrypted connection could not be set up.": "暗号化した接続を確立できませんでした。",
    "Check the SSL setting and the port number: SSL usually uses port 995 (POP) or 465 (SMTP).":
        "SSL使用の設定とポート番号を確認してください。SSLでは通常、POPは995番、SMTPは465番を使います。",
    "The server offered encryption but could not set it up.":
        "サーバーは暗号化に対応していると応答しましたが、暗号化を確立できませんでした。",
    "For safety the box does not fall back to an unencrypted connection. Ask your provider, "
    "or try the SSL setting instead.":
        "安全のため、beat-boxは暗号化なしの接続に切り替えません。プロバイダーにお問い合わせいただくか、"
        "SSL使用を「する」にして試してください。",
    "This is not a POP server.": "POPサーバーではありません。",
    "Check the incoming server's host name and port number (POP usually uses 110, or 995 "
    "with SSL).":
        "受信サーバーのホスト名とポート番号を確認してください(POPは通常110番、SSL使用時は995番です)。",
    "IMAP servers cannot be used.": "IMAPサーバーを指定することはできません。",
    "beat-box receives mail with POP or APOP only. Enter your provider's POP server instead "
    "(often port 110, or 995 with SSL).":
        "beat-boxはPOPまたはAPOPでのみメールを受信します。プロバイダーのPOPサーバーを指定して"
        "ください(多くは110番、SSL使用時は995番です)。",
    "This server does not offer APOP.": "このサーバーはAPOPに対応していません。",
    "Choose 'Automatic' or 'USER/PASS' for POP authentication.":
        "POP認証方式で「自動」または「USER/PASS」を選んでください。",
    "The mailbox account name or password was not accepted.":
        "メールボックスのアカウント名またはパスワードが受け付けられませんでした。",
    "Type the account name and password again exactly as your provider gave them (upper and "
    "lower case differ).":
        "プロバイダーから通知されたとおりに、アカウント名とパスワードを入力し直してください"
        "(大文字と小文字は区別されます)。",
    "This server cannot keep mail on the server for beat-box.":
        "このサーバーでは、メールをメールボックスに残す設定は使えません。",
    "It does not support UIDL, which is needed to leave mail on the server. Choose "
    "'Do not leave'.":
        "メールを残すために必要なUIDLにサーバーが対応していません。「残さない」を選んでください。",
    "This is not an SMTP server.": "SMTPサーバーではありません。",
    "Check the outgoing server's host name and port number (SMTP usually uses 25 or 587, or "
    "465 with SSL).":
        "送信サーバーのホスト名とポート番号を確認してください(SMTPは通常25番か587番、SSL使用時は465番です)。",
    "The outgoing server does not offer authentication.": "送信サーバーが認証に対応していません。",
    "Choose 'No authentication, or authenticate with the standard settings', or check the "
    "outgoing server name and port.":
        "認証方式で「認証なし または 標準設定を用いて認証」を選ぶか、送信サーバー名とポート番号を確認してください。",
    "The outgoing server did not accept the account name or password.":
        "送信サーバーでアカウント名またはパスワードが受け付けられませんでした。",
    "Check the outgoing server's account name and password. If your provider uses the "
    "mailbox account, choose the standard settings.":
        "送信サーバーのアカウント名とパスワードを確認してください。メールボックスと同じアカウントを"
        "使うプロバイダーでは「標準設定を用いて認証」を選んでください。",
    "The outgoing server's authentication method cannot be used with this password.":
        "送信サーバーの認証方式では、このパスワードを使えません。",
    "Ask your provider which authentication method to use.":
        "どの認証方式を使えばよいか、プロバイダーにお問い合わせください。",
    "The outgoing server refused to send mail for this address.":
        "送信サーバーが、このアドレスからのメール送信を拒否しました。",
    "Check the outgoing server name. Your provider may require authentication: choose "
    "'Specify' and enter the outgoing server's account and password.":
        "送信サーバー名を確認してください。認証が必要なプロバイダーの場合は、認証方式で「指定する」を"
        "選び、送信サーバーのアカウント名とパスワードを入力してください。",
    "A value contains characters that cannot be sent to the server.":
        "サーバーに送ることのできない文字が含まれています。",
    "Remove line breaks from the account names and passwords.":
        "アカウント名とパスワードから改行を取り除いてください。",
    "The server answered in an unexpected way.": "サーバーから想定外の応答がありました。",
    "Check the host name and port number. Try again later if they are right.":
        "ホスト名とポート番号を確認してください。正しい場合は、しばらくしてからやり直してください。",
    "The stored password can no longer be read.": "保存されているパスワードを読み出せません。",
    "Enter the passwords again on the change screen.": "変更画面でパスワードを入力し直してください。",
    "The connection check failed.": "接続確認に失敗しました。",
    "Check the settings and try again.": "設定内容を確認して、もう一度お試しください。",
    # form
    "Mail address": "メールアドレス",
    "The address of the outside mailbox. Example: taro@example.co.jp":
        "外部のメールボックスのアドレスです。例: taro@example.co.jp",
    "Incoming server host name (IP address)": "受信サーバー ホスト名(IPアドレス)",
    "POP or APOP server. Add ':port' for a port other than the usual one. Example: "
    "pop.example.co.jp or pop.example.co.jp:110":
        "POPまたはAPOPサーバーです。通常と異なるポートを使う場合は「:ポート番号」を付けます。"
        "例: pop.example.co.jp , pop.example.co.jp:110",
    "Mailbox account name": "メールボックスのアカウント名",
    "The name the mail server knows you by (login name, user ID). Example: taro":
        "メールサーバーが利用者を識別する名前です(ログイン名、ユーザーIDなど)。例: taro",
    "Type it exactly: upper and lower case may differ. It is shown as ****** and cannot be "
    "viewed later.":
        "大文字・小文字を区別して正確に入力してください。******と表示され、後から見ることはできません。",
    "POP authentication": "POP認証方式",
    "Mail in the mailbox": "メールをメールボックスに",
    "Choose 'Do not leave' if you read this mail only through beat-box. Choose 'Leave' if "
    "you also read it from outside the office.":
        "beat-box経由でのみ受信する場合は「残さない」、オフィスの外からも受信する場合は「残す」を選んでください。",
    "Use SSL": "SSL使用",
    "'Use' encrypts the connection with POP over SSL (port 995 by default).":
        "「する」を選ぶとPOP over SSLで通信を暗号化します(既定のポートは995番)。",
    "Outgoing server host name (IP address)": "送信サーバー ホスト名(IPアドレス)",
    "SMTP server. Add ':port' for a port other than the usual one. Example: "
    "smtp.example.co.jp or smtp.example.co.jp:587":
        "SMTPサーバーです。通常と異なるポートを使う場合は「:ポート番号」を付けます。"
        "例: smtp.example.co.jp , smtp.example.co.jp:587",
    "Authentication": "認証方式",
    "With the first choice the check finds out by itself whether the server needs no "
    "authentication, POP before SMTP, or SMTP AUTH with the mailbox account.":
        "上を選ぶと、認証なし・POP before SMTP・メールボックスのアカウントでのSMTP認証のどれが"
        "必要かを接続確認で自動的に判別します。",
    "Outgoing server account name": "送信サーバーのアカウント名",
    "Only when Authentication is 'Specify'.": "認証方式で「指定する」を選んだ場合のみ入力します。",
    "Leave blank to keep the stored password, unless you change the server, port, account or "
    "SSL setting.":
        "空欄のままにすると保存済みのパスワードを使います。ただし、サーバー・ポート・アカウント名・"
        "SSL使用を変更した場合は入力し直してください。",
    "'Use' encrypts the connection with SMTP over SSL (port 465 by default).":
        "「する」を選ぶとSMTP over SSLで通信を暗号化します(既定のポートは465番)。",
    "Incoming mail server": "メール受信サーバー",
    "Outgoing mail server": "メール送信サーバー",
    "Save": "設定",
    "Enter the mailbox password.": "メールボックスのパスワードを入力してください。",
    "You changed where this password is sent: enter it again.":
        "接続先の設定を変更したため、パスワードをもう一度入力してください。",
    "Enter the outgoing server password.": "送信サーバーのパスワードを入力してください。",
    # model choices and fields
    "Automatic (APOP when offered)": "自動(使える場合はAPOP)",
    "USER/PASS": "USER/PASS",
    "APOP": "APOP",
    "No authentication, or authenticate with the standard settings":
        "認証なし または 標準設定を用いて認証",
    "Specify": "指定する",
    "No authentication": "認証なし",
    "POP before SMTP": "POP before SMTP",
    "SMTP AUTH": "SMTP認証",
    "Not checked": "未確認",
    "Checking": "確認中",
    "Checked": "確認済み",
    "Check failed": "確認失敗",
    "POP server": "受信サーバー",
    "POP port": "受信ポート",
    "mailbox account": "メールボックスのアカウント名",
    "leave mail on the server": "メールをメールボックスに残す",
    "POP over SSL": "POP over SSL",
    "SMTP server": "送信サーバー",
    "SMTP port": "送信ポート",
    "SMTP account": "送信サーバーのアカウント名",
    "SMTP over SSL": "SMTP over SSL",
    "state": "状態",
    "sending method": "送信方式",
    "SMTP AUTH mechanism": "SMTP認証の方式",
    "primary address": "主たるメールアドレス",
    "last successful check": "最後に接続確認できた日時",
    "external mail linkage": "外部メール連係",
    "external mail linkages": "外部メール連係",
    "mailbox": "メールボックス",
    "mailboxes": "メールボックス",
    "Waiting": "待機中",
    "Succeeded": "成功",
    "Failed": "失敗",
    # rules
    "You already have an external mail linkage for this address.":
        "このメールアドレスの外部メール連係はすでに登録されています。",
    "Each user can link only one address in the customer domain (%(domain)s).":
        "お客様ドメイン(%(domain)s)のメールアドレスによる外部メール連係は、利用者ごとに1つしか追加できません。",
    "Too many connection checks in a short time. Please wait %(minutes)d minutes and try again.":
        "短時間に接続確認が繰り返されました。%(minutes)d分ほどしばらく待ってからやり直してください。",
    "A mail address cannot contain line breaks.": "メールアドレスに改行は使えません。",
    "Enter the mail address.": "メールアドレスを入力してください。",
    "A mail address can have at most 254 characters.": "メールアドレスは254文字以内で入力してください。",
    "Enter a mail address such as taro@example.co.jp.":
        "taro@example.co.jp のような形式でメールアドレスを入力してください。",
    "Enter the host name.": "ホスト名を入力してください。",
    "This is not a valid host name.": "ホスト名として正しくありません。",
    "This is not a valid host name or IPv4 address.": "ホスト名またはIPv4アドレスとして正しくありません。",
    "A host name cannot contain spaces or line breaks.": "ホスト名に空白や改行は使えません。",
    "Enter the server's host name or IP address.": "サーバーのホスト名またはIPアドレスを入力してください。",
    "An IPv6 address must be closed with ']'.": "IPv6アドレスは「]」で閉じてください。",
    "Write the port after the address as [address]:port.":
        "ポート番号は [アドレス]:ポート番号 の形で指定してください。",
    "This is not a valid IPv6 address.": "IPv6アドレスとして正しくありません。",
    "The port must be a number from 1 to 65535.": "ポート番号は1～65535の数字で指定してください。",
    "Enter the account name.": "アカウント名を入力してください。",
    "The account name cannot contain line breaks.": "アカウント名に改行は使えません。",
    "The account name can have at most 255 characters.": "アカウント名は255文字以内で入力してください。",
    "The account name contains characters that cannot be used.": "アカウント名に使えない文字が含まれています。",
    "The password cannot contain line breaks.": "パスワードに改行は使えません。",
    "The password can have at most 255 characters.": "パスワードは255文字以内で入力してください。",
    # pages
    "Settings": "設定",
    "Administrator": "責任者",
    "Log out": "ログアウト",
    "beat-box settings": "beat設定",
    "My settings": "自身の設定",
    "Manage external mail linkages": "外部メール連係管理",
    "Add an external mail linkage": "外部メール連係追加",
    "Mail client settings": "メールクライアント設定",
    "Administration": "管理",
    "Administration site": "管理サイト",
    "Connection check failed": "接続確認に失敗しました",
    "Incoming server": "受信サーバー",
    "Outgoing server": "送信サーバー",
    "The linkage has been saved, but no mailbox was created and no mail will be received or "
    "sent until a check succeeds.":
        "外部メール連係は保存されましたが、接続確認が完了するまでメールボックスは作られず、メールの送受信もできません。",
    "Correct the settings": "設定を修正する",
    "Check again with the same settings": "同じ設定で接続確認をやり直す",
    "Step-by-step report (administrator only)": "接続確認の詳細(責任者のみ表示)",
    "Step": "手順",
    "Result": "結果",
    "Detail": "詳細",
    "Server reply": "サーバーの応答",
    "Connection check complete": "接続確認完了",
    "beat-box and the external mailbox are now linked.":
        "beat-boxと外部メールボックスの連係を確認できました。",
    "Mail waiting on the server": "サーバー上のメール",
    "%(n)s message": "%(n)s通",
    "Sending method": "送信方式",
    "Next, set up your mail program to use beat-box.":
        "続いて、メールソフトをbeat-box経由で使うように設定してください。",
    "Checking the connection": "接続確認中",
    "beat-box is connecting to the servers of %(address)s. This page updates by itself; it "
    "usually takes a few seconds and at most about half a minute.":
        "beat-boxが %(address)s のサーバーに接続しています。この画面は自動的に切り替わります。"
        "通常は数秒、長くても30秒ほどで終わります。",
    "The check has not started yet. The box's background worker may be stopped: please tell "
    "the administrator (責任者).":
        "接続確認がまだ始まっていません。beat-boxのバックグラウンド処理が停止している可能性があります。"
        "beat-box責任者にお知らせください。",
    "Update now": "今すぐ更新",
    "Confirm the settings": "設定内容の確認",
    "Check that the settings are correct, then click [Start the connection check]. The "
    "mailbox inside beat-box is created only when the check succeeds.":
        "設定内容に誤りがないことを確認し、[接続確認を開始]ボタンをクリックしてください。"
        "beat-box内のメールボックスは、接続確認が完了したときに作られます。",
    "(unchanged)": "(変更なし)",
    "Leave": "残す",
    "Do not leave": "残さない",
    "Use": "する",
    "Do not use": "しない",
    "Start the connection check": "接続確認を開始",
    "Back to the form": "入力画面に戻る",
    "Change an external mail linkage": "外部メール連係の変更",
    "Enter the settings from your provider's contract or notice: they are the same settings "
    "your mail program used before beat-box. Nothing you enter here is sent anywhere except "
    "to the servers you name.":
        "プロバイダーの会員証や通知書に記載された内容を入力してください。beat-boxを導入する前に"
        "メールソフトに設定していた内容と同じです。入力した内容は、ここで指定したサーバー以外には送られません。",
    "Please correct the items marked below.": "下の項目を修正してください。",
    "Add": "追加",
    "State": "状態",
    "Primary": "主たるメールアドレス",
    "Connection check": "接続確認",
    "Change": "変更",
    "You have no external mail linkages yet.": "外部メール連係はまだ登録されていません。",
    "Set up your mail program with these values for each mailbox. The password is your "
    "beat-box password.":
        "メールボックスごとに、次の値をメールソフトに設定してください。パスワードはbeat-boxのパスワードです。",
    "Incoming (POP) server": "受信(POP)サーバー",
    "Outgoing (SMTP) server": "送信(SMTP)サーバー",
    "Account name": "アカウント名",
    "The underlined mailbox is the one a mail program reaches when it logs in with only the "
    "part before '@'.":
        "下線のメールボックスは、メールソフトが「@」より前の部分だけでログインしたときに使われるものです。",
    "Login locked": "ログインの一時停止",
    "Too many failed logins. This login ID is locked for 15 minutes. Ask the administrator "
    "(責任者) if you have forgotten your password.":
        "ログインに続けて失敗したため、このログインIDは15分間ロックされています。パスワードを"
        "忘れた場合はbeat-box責任者にご相談ください。",
    "Log in": "ログイン",
    "Log in to beat-box": "beat-boxにログイン",
    "The login ID or password is not correct.": "ログインIDまたはパスワードが正しくありません。",
    "Login ID": "ログインID",
    "Password": "パスワード",
    "The server does not use SSL on this port.": "このポートではサーバーがSSLを使っていません。",
    "Set 'Use SSL' to 'Do not use', or enter the SSL port your provider gives (usually 995 for "
    "POP, 465 for SMTP).":
        "SSL使用を「しない」にするか、プロバイダーが案内するSSL用のポート番号(通常はPOPが995番、"
        "SMTPが465番)を指定してください。",
    "This port expects an SSL connection.": "このポートはSSLでの接続を待っています。",
    "Set 'Use SSL' to 'Use' for this server, or enter the port for connections without SSL "
    "(usually 110 for POP, 25 or 587 for SMTP).":
        "このサーバーのSSL使用を「する」にするか、SSLを使わない接続用のポート番号(通常はPOPが110番、"
        "SMTPが25番か587番)を指定してください。",
    # user management (issue 4)
    "Name": "氏名",
    "Furigana": "ふりがな",
    "Used to sort users.": "利用者の並び順に使います。",
    "Administrator (責任者)": "beat-box責任者",
    "beat-box password": "beat-boxのパスワード",
    "beat-box password (again)": "beat-boxのパスワード(確認)",
    "The two passwords differ.": "2つのパスワードが一致しません。",
    "Cannot be changed later.": "後から変更することはできません。",
    "This login ID is already used.": "このログインIDはすでに使われています。",
    "Leave blank to keep the current password.": "空欄のままにすると、今のパスワードのままです。",
    "User %(login)s was added.": "利用者 %(login)s を追加しました。",
    "User %(login)s was changed.": "利用者 %(login)s を変更しました。",
    "User %(login)s was deleted.": "利用者 %(login)s を削除しました。",
    "when": "日時",
    "by": "操作した人",
    "by (login ID)": "操作した人(ログインID)",
    "action": "操作",
    "user concerned": "対象の利用者",
    "target": "対象",
    "details": "詳細",
    "audit entry": "操作記録",
    "audit log": "操作記録",
    "You cannot delete your own user.": "ご自身の利用者は削除できません。",
    "You cannot remove your own administrator (責任者) role.":
        "ご自身のbeat-box責任者の権限を外すことはできません。",
    "At least one administrator (責任者) must remain.":
        "beat-box責任者は少なくとも1人必要です。",
    "New mailbox password": "新しいメールボックスのパスワード",
    "Leave blank to keep the stored one. A new password is used only after it passes a "
    "connection check.":
        "空欄のままにすると保存済みのパスワードを使います。新しいパスワードは接続確認に成功してから使われます。",
    "New outgoing server password": "新しい送信サーバーのパスワード",
    "Only for 'Specify' authentication.": "認証方式が「指定する」の場合のみ。",
    "This linkage does not use its own outgoing server account.":
        "この外部メール連係は送信サーバーのアカウントを指定していません。",
    "The new password is being checked; it is used once the connection check succeeds.":
        "新しいパスワードで接続確認をしています。成功すると新しいパスワードが使われます。",
    "Run the connection check again": "接続確認をやり直す",
    "Connection checks started: %(n)d": "接続確認を開始しました: %(n)d件",
    "Primary mail address": "主たるメールアドレス",
    "This is the primary mail address. Choose another primary mail address first, then "
    "delete this one.":
        "これは主たるメールアドレスです。先に別のメールアドレスを主たるメールアドレスに指定してから削除してください。",
    "Only a linkage whose connection check succeeded can be the primary mail address.":
        "主たるメールアドレスにできるのは、接続確認が完了した外部メール連係だけです。",
    "Choose a linkage first.": "外部メール連係を選んでください。",
    "The external mail linkage for %(address)s was deleted.":
        "%(address)s の外部メール連係を削除しました。",
    "The primary mail address is now %(address)s.":
        "主たるメールアドレスを %(address)s にしました。",
    "User management": "利用者管理",
    "Audit log": "操作記録",
    "Filter": "絞り込み",
    "When": "日時",
    "By": "操作した人",
    "Action": "操作",
    "User concerned": "対象の利用者",
    "Target": "対象",
    "Details": "詳細",
    "Nothing recorded yet.": "まだ記録はありません。",
    "Delete a user": "利用者の削除",
    "Delete %(name)s (%(login)s)?": "%(name)s (%(login)s) を削除しますか?",
    "These external mail linkages are deleted too, with their mailboxes inside beat-box and "
    "all the mail in them:":
        "次の外部メール連係も、beat-box内のメールボックスとその中のすべてのメールとともに削除されます:",
    "This user has no external mail linkages.": "この利用者の外部メール連係はありません。",
    "Delete": "削除",
    "Cancel": "キャンセル",
    "Add a user": "利用者の追加",
    "Edit a user": "利用者の変更",
    "External mail linkages": "外部メール連係",
    "Yes": "はい",
    "Edit": "変更",
    "Add a linkage": "外部メール連係追加",
    "You are working on the settings of %(name)s (%(login)s) as administrator.":
        "beat-box責任者として %(name)s (%(login)s) さんの設定を操作しています。",
    "Delete an external mail linkage": "外部メール連係の削除",
    "%(address)s is the primary mail address and there are other linkages. Choose another "
    "primary mail address first, then delete this one.":
        "%(address)s は主たるメールアドレスで、ほかにも外部メール連係があります。先に別のメールアドレスを"
        "主たるメールアドレスに指定してから削除してください。",
    "Choose the primary mail address": "主たるメールアドレス指定へ",
    "Back to the list": "一覧に戻る",
    "Delete the linkage for %(address)s?": "%(address)s の外部メール連係を削除しますか?",
    "Its mailbox inside beat-box is deleted together with all the mail in it. Mail that is "
    "still on the provider's server is not touched.":
        "beat-box内のメールボックスも、その中のすべてのメールとともに削除されます。プロバイダーのサーバーに"
        "残っているメールはそのままです。",
    "It has no mailbox inside beat-box yet, so no mail is lost.":
        "beat-box内のメールボックスはまだ作られていないため、失われるメールはありません。",
    "checked %(when)s": "%(when)s 確認",
    "Status": "状況確認",
    "Choose a linkage, then click what to do next.": "外部メール連係を選んでから、操作のボタンをクリックしてください。",
    "The primary mail address is the mailbox a mail program reaches when it logs in to "
    "beat-box with only the part before '@'. Only linkages whose connection check succeeded "
    "can be chosen.":
        "主たるメールアドレスは、メールソフトが「@」より前の部分だけでbeat-boxにログインしたときに使われる"
        "メールボックスです。接続確認が完了した外部メール連係から選べます。",
    "Set": "指定",
    "No linkage has passed its connection check yet.": "接続確認が完了した外部メール連係はまだありません。",
    "Not yet checked": "接続確認がまだの外部メール連係",
    "Last successful check": "最後に接続確認できた日時",
    "Local mailbox": "beat-box内のメールボックス",
    "created": "作成済み",
    "not created yet (created by the first successful check)":
        "未作成(最初の接続確認の完了時に作られます)",
    "Latest connection check": "最新の接続確認",
    "No connection check has been run yet.": "接続確認はまだ行われていません。",
    "a check of changed settings": "変更した設定の接続確認",
    "See the check in progress": "確認中の画面を見る",
    # bulk registration (issue 5)
    "The same login ID is on row %(row)d too.": "同じログインIDが%(row)d行目にもあります。",
    "Enter the login ID.": "ログインIDを入力してください。",
    "There is no user with this login ID (add them on the 利用者 sheet).":
        "このログインIDの利用者がいません(利用者シートに追加してください)。",
    "Workbook (.xlsx)": "Excelファイル(.xlsx)",
    "Choose a workbook (.xlsx) of at most %(mb)d MB.":
        "%(mb)dMB以下のExcelファイル(.xlsx)を選んでください。",
    "Exported without passwords.": "パスワードを除いて書き出しました。",
    "The file is larger than %(mb)d MB.": "ファイルが%(mb)dMBを超えています。",
    "The file is protected by a password. Remove the password in Excel, save, and upload again.":
        "ファイルがパスワードで保護されています。Excelでパスワードを解除して保存し、もう一度アップロードしてください。",
    "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) and upload again.":
        "古い形式のExcelファイル(.xls)です。Excelブック(.xlsx)として保存し、もう一度アップロードしてください。",
    "This is not an Excel workbook (.xlsx). CSV and other formats cannot be used: save as .xlsx "
    "and upload again.":
        "Excelブック(.xlsx)ではありません。CSVなどの形式は使えません。.xlsxとして保存し、もう一度アップロードしてください。",
    "The workbook is damaged and cannot be read.": "ファイルが壊れているため読み込めません。",
    "The workbook contains too many parts.": "ファイルの構成要素が多すぎます。",
    "The workbook is compressed suspiciously strongly and is not read (a possible zip bomb).":
        "ファイルの圧縮率が異常に高いため読み込みません(zip爆弾の可能性があります)。",
    "The workbook is too large once unpacked.": "展開後のファイルが大きすぎます。",
    "This is not an Excel workbook (.xlsx).": "Excelブック(.xlsx)ではありません。",
    "The sheet '%(sheet)s' is missing.": "「%(sheet)s」シートがありません。",
    "The sheet is hidden. Show it (or delete it) and upload again.":
        "非表示のシートです。表示する(または削除する)してから、もう一度アップロードしてください。",
    "The workbook contains XML constructs that are not allowed (entities or external "
    "references) and is not read.":
        "ファイルに使用できないXMLの構造(エンティティや外部参照)が含まれているため読み込みません。",
    "Too many rows: at most %(n)d rows can be registered at once.":
        "行が多すぎます。一度に登録できるのは%(n)d行までです。",
    "The header row is missing.": "見出しの行がありません。",
    "This row is hidden. Show it (or delete it) and upload again.":
        "非表示の行です。表示する(または削除する)してから、もう一度アップロードしてください。",
    "Unknown column heading '%(text)s'.": "見出し「%(text)s」は使えません。",
    "The column '%(text)s' appears twice.": "「%(text)s」の列が2つあります。",
    "The column '%(text)s' is missing.": "「%(text)s」の列がありません。",
    "There is a value in a column without a heading.": "見出しのない列に値があります。",
    "The value is longer than %(n)d characters.": "値が%(n)d文字を超えています。",
    "The cell contains a line break.": "セルに改行が含まれています。",
    "The cell contains a formula. Enter the value itself.": "セルが数式です。値そのものを入力してください。",
    "The cell is a date or time. Format the column as text and enter it again.":
        "セルが日付または時刻になっています。列の書式を文字列にして入力し直してください。",
    "The cell is a number (a leading 0 may have been lost). Format the column as text and "
    "enter it again.":
        "セルが数値になっています(先頭の0が消えている可能性があります)。列の書式を文字列にして入力し直してください。",
    "Choose one of: %(values)s.": "次のいずれかを指定してください: %(values)s",
    "Waiting for confirmation": "登録待ち",
    "Registered": "登録済み",
    "bulk registration": "一括登録",
    "bulk registrations": "一括登録",
    "This preview has expired. Upload the workbook again.":
        "確認の有効期限が切れました。もう一度ファイルをアップロードしてください。",
    "Some login IDs were registered after the preview (%(ids)s). Upload the workbook again.":
        "確認の後に登録されたログインIDがあります(%(ids)s)。もう一度ファイルをアップロードしてください。",
    "Bulk registration": "利用者情報一括登録",
    "Register many users and external mail linkages at once from an Excel workbook. Every row "
    "is checked first; if anything is wrong, nothing is registered.":
        "Excelファイルから利用者と外部メール連係をまとめて登録します。登録の前にすべての行を確認し、"
        "問題が1つでもあれば何も登録しません。",
    "Download the template (.xlsx)": "テンプレートのダウンロード(.xlsx)",
    "Export users and linkages (.xlsx, without passwords)":
        "利用者と外部メール連係の書き出し(.xlsx、パスワードなし)",
    "Check the workbook": "ファイルを確認",
    "Sheet": "シート",
    "Row": "行",
    "Column": "列",
    "Problem": "問題",
    "Check before registering": "登録前の確認",
    "%(name)s: no problems found. %(users)s users and %(linkages)s external mail linkages "
    "will be registered.":
        "%(name)s: 問題は見つかりませんでした。利用者%(users)s人と外部メール連係%(linkages)s件を登録します。",
    "Register": "登録",
    "Users": "利用者",
    "%(users)s users and %(linkages)s external mail linkages were registered at %(when)s. "
    "Their connection checks run one after another.":
        "%(when)s に利用者%(users)s人と外部メール連係%(linkages)s件を登録しました。接続確認を順番に行っています。",
    "Failed checks": "接続確認に失敗したもの",
    # the add form's rules, repeated by the import's row checker (Django's own wording)
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).":
        "この値は %(limit_value)d 文字以下でなければなりません( %(show_value)d 文字になっています)。",
    "This field is required.": "このフィールドは必須です。",
    "Select a valid choice. %(value)s is not one of the available choices.":
        "正しく選択してください。 %(value)s は候補にありません。",
    "Null characters are not allowed.": "何か文字を入力してください。",
    # fetching (issue 6)
    "Delivered": "受信済み",
    "Quarantined (virus)": "隔離(ウイルス)",
    "Failed, will retry": "失敗(再試行します)",
    "Set aside": "保留",
    "Left alone (was there before)": "対象外(以前からあったメール)",
    "Receiving has started. This page shows the result when you reload it.":
        "受信を開始しました。結果は、この画面を再読み込みすると表示されます。",
    "Mail can be received once the connection check has succeeded.":
        "接続確認が完了すると、メールを受信できるようになります。",
    "Only mail arriving from now on will be received into beat-box.":
        "これから届くメールだけをbeat-boxに受信します。",
    "Mail has already been received, so this can no longer be chosen.":
        "すでにメールを受信しているため、この設定は選べません。",
    "Receiving mail for %(address)s has stopped: the provider refused the account name or "
    "password several times. Correct the password in Manage external mail linkages.":
        "%(address)s のメールの受信を停止しました。プロバイダーにアカウント名またはパスワードを何度か"
        "拒否されました。外部メール連係管理でパスワードを修正してください。",
    "Receiving mail for %(address)s works again.": "%(address)s のメールの受信を再開しました。",
    "beat-box will receive the mail already on the server too.":
        "サーバーにすでにあるメールも、beat-boxに受信します。",
    "Receive only mail arriving from now on": "これから届くメールだけを受信する",
    "Receiving": "受信",
    "Receiving is stopped because the provider refused the account name or password several "
    "times. Correct the password on the change screen, or click [Receive now] to try again.":
        "プロバイダーにアカウント名またはパスワードを何度か拒否されたため、受信を停止しています。"
        "変更画面でパスワードを修正するか、[今すぐ受信]をクリックしてもう一度試してください。",
    "Last received": "最後に受信した日時",
    "Messages received (today / total)": "受信したメール(今日 / 合計)",
    "Quarantined (virus found)": "隔離したメール(ウイルス検出)",
    "Set aside (could not be received)": "保留したメール(受信できなかったもの)",
    "Last error": "最後のエラー",
    "Next receiving": "次の受信",
    "stopped": "停止中",
    "soon": "まもなく",
    "Receive now": "今すぐ受信",
    "Mail is received once the connection check has succeeded.":
        "接続確認が完了すると、メールを受信します。",
}
JA_PLURAL = {"%(n)s message": ["%(n)s通"], "%(n)s linkage": ["%(n)s件"],
             "%(n)s problem in %(file_name)s: nothing was registered.":
                 ["%(file_name)s に問題が%(n)s件あります。何も登録していません。"],
             "%(n)s imported beat-box password is still being secured; those users can "
             "already log in.":
                 ["取り込んだbeat-boxのパスワード%(n)s件を安全な形式に変換中です(該当の利用者はすでにログインできます)。"]}


def main() -> int:
    import polib

    path = Path(__file__).resolve().parent.parent / "locale/ja/LC_MESSAGES/django.po"
    po = polib.pofile(str(path))
    missing = []
    for entry in po:
        if entry.msgid in JA_PLURAL:
            entry.msgstr_plural = dict(enumerate(JA_PLURAL[entry.msgid]))
        elif entry.msgid in JA:
            entry.msgstr = JA[entry.msgid]
        else:
            missing.append(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata["Language"] = "ja"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save(str(path))
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
