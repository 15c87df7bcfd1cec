# These tests write names with letters that look like Latin ones, on purpose.
# ruff: noqa: RUF003
"""Screening sees through disguises of listed names: look-alike letters of another script,
business words abbreviated, legal forms spelt out in the languages of trade, words run
together or split; and names that only share a legal form or trade words stay apart."""

from __future__ import annotations

from typing import Any

import pytest

from clearway.domain.screening.normalise import normalise
from clearway.services.screening import NameMatcher, transliterate
from clearway.services.screening.look_alikes import LOOK_ALIKES

MATCHER = NameMatcher()


def found(screener: Any, name: str, country: str | None = None) -> list[str]:
    return [match.entity_id for match in screener.screen(name, country, limit=20)]


# BANCO NACIONAL DE CUBA (ofac-sdn:306), MAHAN AIR (ofac-sdn:12927) and IRISL (ofac-sdn:25396)
# with Latin letters swapped for the Cyrillic, Greek and Armenian letters that look like them.
LOOK_ALIKE_NAMES = (
    # Cyrillic В А С О Е mixed into Latin words
    ("\u0412\u0410N\u0421\u041e N\u0410\u0421I\u041eN\u0410L D\u0415 \u0421U\u0412\u0410",
     "ofac-sdn:306", "Cyrillic"),
    # Greek Β Α Ν Ο Ι Ε
    ("\u0392\u0391\u039dC\u039f \u039d\u0391C\u0399\u039f\u039d\u0391L D\u0395 CU\u0392\u0391",
     "ofac-sdn:306", "Greek"),
    # Armenian Օ and Ս
    ("BANCO NACI\u0555NAL DE C\u054dBA", "ofac-sdn:306", "Armenian"),
    # a word written only in Greek look-alikes (ΜΑΗΑΝ) beside a mixed one (ΑΙR)
    ("\u039c\u0391\u0397\u0391\u039d \u0391\u0399R", "ofac-sdn:12927", "Greek"),
    # Armenian Տ for S
    ("IRI\u054fL", "ofac-sdn:25396", "Armenian"),
)  # fmt: skip


@pytest.mark.parametrize(("name", "entity_id", "script"), LOOK_ALIKE_NAMES)
def test_a_listed_name_in_look_alike_letters_is_found_and_flagged(
    screener_full: Any, name: str, entity_id: str, script: str
) -> None:
    matches = screener_full.screen(name)
    assert matches, name
    top = matches[0]
    assert top.entity_id == entity_id
    assert top.score == 1.0
    assert top.mixed_script is True
    assert top.document()["mixed_script"] is True
    assert f"mixes scripts: {script} letters written to look like Latin ones" in (
        top.explanation.text
    )


def test_look_alike_letters_read_as_the_latin_ones_they_look_like() -> None:
    # from Unicode's confusables.txt (UTS #39): Cyrillic А, В, Н, Р, Х; Greek Ρ; Armenian Օ, Տ
    assert [LOOK_ALIKES[c] for c in "\u0410\u0412\u041d\u0420\u0425\u03a1\u0555\u054f"] == [
        "A", "B", "H", "P", "X", "P", "O", "S",
    ]  # fmt: skip
    # an upper-case I look-alike is an I, not the l the standard folds it with
    assert LOOK_ALIKES["\u0406"] == "I"
    # letters with no Latin twin are not look-alikes (Б is 6 in the standard, Ж nothing)
    assert "\u0431" not in LOOK_ALIKES and "\u0416" not in LOOK_ALIKES
    assert normalise("\u0421\u041e\u0421\u0410 COLA", transliterate).words == ("coca", "cola")


def test_a_name_wholly_in_cyrillic_is_transliterated_not_read_as_look_alikes(
    screener_full: Any,
) -> None:
    # Сбербанк is a Russian word, not a disguised Latin one: it reads "sberbank"
    assert normalise("\u0421\u0431\u0435\u0440\u0431\u0430\u043d\u043a", transliterate).words == (
        "sberbank",
    )
    # Сергей Аксёнов still finds AKSYONOV, Sergey Valeryevich, and is no mixed-script name
    matches = screener_full.screen(
        "\u0421\u0435\u0440\u0433\u0435\u0439 \u0410\u043a\u0441\u0451\u043d\u043e\u0432"
    )
    assert matches[0].entity_id == "ofac-sdn:16642"
    assert matches[0].mixed_script is False
    assert "mixes scripts" not in matches[0].explanation.text
    # and the same Latin name is no mixed-script name either
    latin = screener_full.screen("Banco Nacional de Cuba")[0]
    assert (latin.entity_id, latin.mixed_script) == ("ofac-sdn:306", False)
    assert latin.document()["mixed_script"] is False


# Listed firms with their business words abbreviated or their legal form spelt out, in the
# words a trader types: (name screened, entity id).
DISGUISED_FIRMS = (
    # business words abbreviated
    ("Al Wasel & Babel Genl Trdg LLC", "ofac-sdn:8210"),  # AL WASEL AND BABEL GENERAL TRADING LLC
    ("Mines & Metals Engg GmbH", "ofac-sdn:11612"),  # MINES AND METALS ENGINEERING GMBH
    ("MCS Intl GmbH", "ofac-sdn:16013"),  # MCS INTERNATIONAL GMBH
    ("Syrian Hotel Mgmt LLC", "ofac-sdn:29861"),  # SYRIAN HOTEL MANAGEMENT LLC
    ("Alcardinal Genl Trdg LLC", "ofac-sdn:27592"),  # ALCARDINAL GENERAL TRADING LLC
    # and a listed abbreviation (SHPG) written out
    ("Shanghai Dongfeng Shipping Co Ltd", "ofac-sdn:23779"),  # SHANGHAI DONGFENG SHPG CO LTD
    ("Thaephyongsan Shpg Co Ltd", "ofac-sdn:19581"),  # THAEPHYONGSAN SHIPPING CO LTD
    # legal forms spelt out: Spanish, Turkish, French, German, Italian, Portuguese, English,
    # Russian (romanised)
    ("Cimex Sociedad Anónima", "ofac-sdn:537"),  # CIMEX, S.A.
    ("Manara Sociedad por Acciones Simplificada", "ofac-sdn:27235"),  # MANARA S.A.S.
    ("Step Anonim Şirketi", "ofac-sdn:12551"),  # STEP A.S.
    ("Moa Nickel Société Anonyme", "ofac-sdn:3751"),  # MOA NICKEL SA
    ("Tropic Tours Gesellschaft mit beschränkter Haftung", "ofac-sdn:2110"),  # TROPIC TOURS GMBH
    ("Mega Group Società a responsabilità limitata", "ofac-sdn:13065"),  # MEGA GROUP S.R.L.
    ("Negociamos MCM Limitada", "ofac-sdn:12013"),  # NEGOCIAMOS MCM LTDA
    ("Rustanker Limited Liability Company", "ofac-sdn:29507"),  # RUSTANKER LLC
    ("Kalinin Machine Plant Joint Stock Company", "ofac-sdn:17259"),  # KALININ MACHINE PLANT JSC
    ("KPSK Obshchestvo s Ogranichennoy Otvetstvennostyu", "ofac-sdn:22403"),  # KPSK, OOO
)


@pytest.mark.parametrize(("name", "entity_id"), DISGUISED_FIRMS)
def test_abbreviated_words_and_spelt_out_legal_forms_find_the_listed_firm(
    screener_full: Any, name: str, entity_id: str
) -> None:
    matches = screener_full.screen(name, limit=20)
    assert entity_id in [match.entity_id for match in matches], name
    assert next(m for m in matches if m.entity_id == entity_id).score == 1.0


def test_legal_forms_spelt_out_read_as_their_short_forms() -> None:
    cases = {
        "Acme Sociedad Anónima": ("sa",),
        "Acme Sociedade Anônima": ("sa",),
        "Acme Limited Liability Company": ("llc",),
        "Acme Gesellschaft mit beschränkter Haftung": ("gmbh",),
        "Acme Aktiengesellschaft": ("ag",),
        "Acme Società per azioni": ("spa",),
        "Acme Société à responsabilité limitée": ("sarl",),
        "Acme Obshchestvo s ogranichennoy otvetstvennostyu": ("ooo",),
        "Acme Anonim Şirketi": ("as",),
        "Acme Public Limited Company": ("plc",),
        "Acme Private Limited": ("pvt ltd",),
        "Acme Joint Stock Company": ("jsc",),
        "Acme Kabushiki Kaisha": ("kk",),
        "Acme Sendirian Berhad": ("sdn bhd",),
        "Perseroan Terbatas Acme": ("pt",),
        "Acme Youxian Gongsi": ("co ltd",),
        # the forms in their own script, as transliterated: 有限公司, 주식회사, ООО in full
        "Acme \u6709\u9650\u516c\u53f8": ("co ltd",),
        "Acme \uc8fc\uc2dd\ud68c\uc0ac": ("co ltd",),
        "\u041e\u0431\u0449\u0435\u0441\u0442\u0432\u043e \u0441 \u043e\u0433\u0440\u0430\u043d"
        "\u0438\u0447\u0435\u043d\u043d\u043e\u0439 \u043e\u0442\u0432\u0435\u0442\u0441\u0442"
        "\u0432\u0435\u043d\u043d\u043e\u0441\u0442\u044c\u044e Acme": ("ooo",),
    }
    for text, forms in cases.items():
        name = normalise(text, transliterate)
        assert (name.words, name.legal_forms) == (("acme",), forms), text
    # abbreviated business words are written out
    assert normalise("Acme Intl Trdg Grp Inds Mfg Co.").words == (
        "acme", "international", "trading", "group", "industries", "manufacturing",
    )  # fmt: skip


# Words run together or split: (name screened, entity id of the listed name written the
# other way).
RUN_TOGETHER = (
    ("Bankmellat", "ofac-sdn:25019"),  # BANK MELLAT, joined
    ("Bankmellat Trading", "ofac-sdn:25019"),  # joined, with a word more
    ("Rus Tanker LLC", "ofac-sdn:29507"),  # RUSTANKER LLC, split
    ("Smile Wallet", "ofac-sdn:26467"),  # SMILEWALLET S.A.S., split
    ("Persian Gulf Petro Chemical Industries", "ofac-sdn:26817"),  # PETROCHEMICAL, split
)


@pytest.mark.parametrize(("name", "entity_id"), RUN_TOGETHER)
def test_words_run_together_or_split_find_the_listed_name(
    screener_full: Any, name: str, entity_id: str
) -> None:
    assert entity_id in found(screener_full, name), name


def test_a_word_pairs_with_two_words_run_together_only_exactly() -> None:
    bank = MATCHER.compare(MATCHER.prepare("Bankmellat Trading"), MATCHER.prepare("BANK MELLAT"))
    assert bank.score > 0.95
    assert "bankmellat=bank mellat" in bank.describe()
    # run together and misspelt as well is too loose: ALNASR is not AL-ALI, Nasr
    assert MATCHER.score("Alnasr", "AL-ALI, Nasr") < 0.825


# Clean firm names that share only a legal form, spelt out or not, or trade words in some
# language with listed firms.
CLEAN_FIRMS = (
    "Grupo Comercial Andino Sociedad Anónima",
    "Comercial Iberia Sociedad Anónima",
    "Global Trdg Intl Co Ltd",
    "Nordic Timber Aktiengesellschaft",
    "Alpine Dairy Gesellschaft mit beschränkter Haftung",
    "Sunrise Intl Trdg Co",
    "Eastern Star Mfg Co Ltd",
    "Golden Bridge Grupo Industrial SA de CV",
    "Fresh Foods Limited Liability Company",
)


@pytest.mark.parametrize("name", CLEAN_FIRMS)
def test_names_sharing_only_a_legal_form_or_trade_words_match_nothing(
    screener_full: Any, name: str
) -> None:
    assert screener_full.screen(name, country="GB") == []
