"""Field rules of DESIGN §6 as pure functions."""

import pytest
from django.core.exceptions import ValidationError

from extmail.validation import clean_account, clean_mail_address, clean_password, parse_server


@pytest.mark.parametrize("text, expected", [
    ("pop.example.co.jp", ("pop.example.co.jp", None)),
    ("POP.Example.CO.JP:110", ("pop.example.co.jp", 110)),
    ("ｐｏｐ．ｅｘａｍｐｌｅ．ｊｐ：１１０", ("pop.example.jp", 110)),
    ("  smtp.example.jp:587 ", ("smtp.example.jp", 587)),
    ("192.0.2.10:995", ("192.0.2.10", 995)),
    ("[2001:db8::1]:110", ("2001:db8::1", 110)),
    ("[2001:DB8::1]", ("2001:db8::1", None)),
    ("2001:db8::1", ("2001:db8::1", None)),
    ("メール.例え.jp", ("xn--4dkua4c.xn--r8jz45g.jp", None)),
    ("pop.example.jp.:1", ("pop.example.jp", 1)),
    ("pop.example.jp:65535", ("pop.example.jp", 65535)),
])
def test_server_parsing(text, expected):
    assert parse_server(text) == expected


@pytest.mark.parametrize("text", [
    "", "pop.example.jp:0", "pop.example.jp:65536", "pop.example.jp:", "pop.example.jp:abc",
    "pop example.jp", "pop.example.jp\r\n", "[2001:db8::1", "[2001:db8::1]110",
    "[not-v6]:110", "-pop.example.jp", "pop_.example.jp", "a" * 64 + ".jp", "1.2.3",
    "pop.example.jp:１２３４５６", "ho\x00st",
])
def test_server_parsing_rejects(text):
    with pytest.raises(ValidationError):
        parse_server(text)


def test_mail_address_normalised_and_checked():
    assert clean_mail_address(" ｔａｒｏ＠Example.CO.JP ") == "taro@example.co.jp"
    for bad in ["", "taro", "taro@", "@example.jp", "taro@exa mple.jp", "a" * 250 + "@x.jp",
                "taro@example.jp\n"]:
        with pytest.raises(ValidationError):
            clean_mail_address(bad)


def test_account_rules():
    assert clean_account("fuji-taro") == "fuji-taro"
    for bad in ["", "a\rb", "a\nb", "a\x00b", "x" * 256, "tab\there"]:
        with pytest.raises(ValidationError):
            clean_account(bad)


def test_password_kept_exactly():
    assert clean_password(" Ｆ8m3dG ") == " Ｆ8m3dG "  # no trimming, no width conversion
    for bad in ["a\rb", "a\nb", "a\x00b", "p" * 256]:
        with pytest.raises(ValidationError):
            clean_password(bad)
