"""Surrogates: same value, same fake within a scope; another fake in another scope; the
same across processes; of the original's type and locale."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from stdnum import iban, luhn

from privacy.masking import mask
from privacy.surrogates import surrogate

REPO_ROOT = Path(__file__).resolve().parents[2]
HMAC_KEY = "0" * 64


@pytest.fixture(autouse=True)
def fixed_hmac_key(settings):
    settings.LOOPLABEL_HMAC_KEY = HMAC_KEY


def test_same_value_same_fake_within_a_scope():
    text = "Jane Doe wrote to bob@example.com. Later Jane Doe wrote to bob@example.com again."
    masked = mask(text, strategy="surrogate", scope="project-1").masked_text
    first, second = masked.split(". Later ")
    assert first + " again." == second
    assert "Jane Doe" not in masked and "bob@example.com" not in masked


def test_equal_values_differently_written_share_a_fake():
    assert surrogate("PHONE", "+44 20 7946 0958", scope="p") == surrogate("PHONE", "+44-20-7946-0958", scope="p")
    assert surrogate("EMAIL", "Bob@Example.com", scope="p") == surrogate("EMAIL", "bob@example.com", scope="p")


def test_other_scope_other_fake():
    values = [("PERSON", "Jane Doe"), ("EMAIL", "bob@example.com"), ("PHONE", "+44 20 7946 0958"),
              ("CREDIT_CARD", "4111 1111 1111 1111"), ("IBAN", "DE89 3704 0044 0532 0130 00")]
    for kind, value in values:
        assert surrogate(kind, value, scope="project-1") != surrogate(kind, value, scope="project-2"), kind


def test_other_hmac_key_other_fake(settings):
    before = surrogate("EMAIL", "bob@example.com", scope="p")
    settings.LOOPLABEL_HMAC_KEY = "1" * 64
    assert surrogate("EMAIL", "bob@example.com", scope="p") != before


def test_stable_across_processes():
    text = "Jane Doe, bob@example.com, +44 20 7946 0958, 4111 1111 1111 1111, born 23.03.1940"
    here = mask(text, strategy="surrogate", scope="project-9").masked_text
    # A fresh interpreter (with its own hash seed) that only knows the HMAC key.
    code = (
        "import json\n"
        "from django.conf import settings\n"
        f"settings.configure(LOOPLABEL_HMAC_KEY={HMAC_KEY!r})\n"
        "from privacy.masking import mask\n"
        f"print(json.dumps(mask({text!r}, strategy='surrogate', scope='project-9').masked_text))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONHASHSEED": "random"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=environment,
                               capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == here


def test_fakes_keep_type_and_layout():
    card = surrogate("CREDIT_CARD", "4111 1111 1111 1111", scope="p")
    assert len(card) == 19 and card[4] == card[9] == " " and card[0] == "4"
    assert luhn.is_valid(card.replace(" ", ""))
    fake_iban = surrogate("IBAN", "DE89 3704 0044 0532 0130 00", scope="p")
    assert fake_iban.startswith("DE") and fake_iban.count(" ") == 5 and iban.is_valid(fake_iban)
    assert "@" in surrogate("EMAIL", "bob@example.com", scope="p")
    ssn = surrogate("US_SSN", "536-22-8726", scope="p")
    assert len(ssn) == 11 and ssn[3] == ssn[6] == "-"
    assert len(surrogate("CN_RESIDENT_ID", "11010519491231002X", scope="p")) == 18
    assert ":" in surrogate("IP_ADDRESS", "2001:db8::1", scope="p")
    assert surrogate("IP_ADDRESS", "10.0.0.1", scope="p").count(".") == 3
    date = surrogate("DATE", "23.03.1940", scope="p")
    assert len(date) == 10 and date[2] == date[5] == "."


def test_fakes_follow_the_locale_of_the_original():
    assert all("\u4e00" <= c <= "\u9fff" for c in surrogate("PERSON", "王伟", scope="p", locale="zh_CN"))
    masked = mask("我叫王伟，电话13800138000。", strategy="surrogate", scope="p").masked_text
    assert "王伟" not in masked and "13800138000" not in masked and masked.startswith("我叫")


def test_type_without_generator_gets_a_tag():
    assert surrogate("SHOE_SIZE", "44", scope="p") == "[SHOE_SIZE]"
