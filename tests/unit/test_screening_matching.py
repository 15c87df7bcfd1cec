"""Screening names against the full SDN, DPL and UN lists: normalisation, transliteration,
fuzzy matching with reasons, and dismissals of false positives per party."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clearway.domain.declaration import Address, Party
from clearway.domain.screening.evaluation import ScoredPair, best_threshold, counts_at
from clearway.domain.screening.match import Dismissal, party_key
from clearway.domain.screening.normalise import normalise, skeleton
from clearway.services.screening import DEFAULT_THRESHOLD, NameMatcher, Screener

MATCHER = NameMatcher()


def found(screener: Any, name: str, country: str | None = None, limit: int = 10) -> list[str]:
    return [match.entity_id for match in screener.screen(name, country, limit=limit)]


def test_normalisation_drops_case_accents_punctuation_and_legal_forms() -> None:
    assert normalise("Müller GmbH & Co. KG").words == ("muller",)
    assert normalise("Müller GmbH & Co. KG").legal_forms == ("gmbh", "co", "kg")
    assert normalise("ACME TRADING CO., LTD.").words == ("acme", "trading")
    assert normalise("Grupo López S.A. de C.V.").words == ("grupo", "lopez")
    assert normalise("Siemens Sp. z o.o.").words == ("siemens",)
    assert normalise("O'Brien-Smith").words == ("obrien", "smith")
    # a name made only of legal-form words stays a name
    assert normalise("Limited").words == ("limited",)
    assert skeleton("muhammad") == skeleton("mohammed") == "mhmd"


def test_legal_form_case_and_word_order_do_not_change_the_score() -> None:
    assert MATCHER.score("Acme Trading LLC", "ACME TRADING LIMITED") == 1.0
    assert MATCHER.score("OOO Romashka", "Romashka, \u041e\u041e\u041e") == 1.0  # Cyrillic
    assert MATCHER.score("PUTIN, Vladimir", "Vladimir Putin") == 1.0
    assert MATCHER.score("Société Générale", "SOCIETE GENERALE S.A.") == 1.0


def test_typos_and_missing_middle_names_still_score_high_different_people_do_not() -> None:
    assert MATCHER.score("Olaf Scholze", "Olaf Scholz") > DEFAULT_THRESHOLD
    assert MATCHER.score("Vladimir Putin", "PUTIN, Vladimir Vladimirovich") > DEFAULT_THRESHOLD
    assert MATCHER.score("Octavian Scholz", "Olaf Scholz") < DEFAULT_THRESHOLD
    # vessels whose numbers differ are different vessels
    assert MATCHER.score("IMICO NEKA 455", "IMICO NEKA 456") < DEFAULT_THRESHOLD


def test_a_misspelling_is_an_edit_within_the_budget_another_name_is_not() -> None:
    similarity = MATCHER.word_similarity
    # one edit per three letters, at most one: a typing error, not another name
    assert similarity("lindenberg", "lindenburg") == 0.9
    assert similarity("lindenberg", "lindemann") == 0.0
    assert abs(similarity("kim", "kin") - 2 / 3) < 1e-9
    assert similarity("al", "el") == 0.0  # two letters: no edit allowed
    # spellings of one sound (transliterations) are alike when they are fairly alike ...
    assert similarity("muhammad", "mohammed") == 0.9
    assert similarity("yevgeniy", "evgeniy") == 0.9
    # ... not words that merely share their consonants
    assert similarity("cedar", "quwaydir") == 0.0
    assert similarity("hamidawi", "ahmed") == 0.0
    assert MATCHER.score("Anna Pavlova", "PETROVA, Anna") < DEFAULT_THRESHOLD
    assert MATCHER.score("Ivan Petrow", "PETROV, Ivan") > DEFAULT_THRESHOLD


def test_names_written_together_or_apart_are_one_name() -> None:
    assert MATCHER.score("RAMCHARANLTD", "RAMCHARAN LTD") == 1.0
    assert MATCHER.score("Alnaser Trading", "AL NASER TRADING") == 1.0
    assert MATCHER.score("GUGA.ARM.SRO", "GUGA ARM SRO") == 1.0
    # but two names that only sound alike run together, with few letters, are not
    assert MATCHER.score("Union Paper Oy", "PARIN") < DEFAULT_THRESHOLD


def test_cyrillic_names_are_transliterated_and_found(screener_full: Any) -> None:
    matches = screener_full.screen("Сергей Аксёнов")
    assert matches[0].entity_id == "ofac-sdn:16642"
    assert matches[0].listed_name == "AKSYONOV, Sergey Valeryevich"
    assert "ofac-sdn:21171" in found(screener_full, "Евгений Пригожин")  # PRIGOZHIN, Yevgeniy


def test_arabic_script_names_are_found(screener_full: Any) -> None:
    matches = screener_full.screen("صدام حسين التكريتي")
    assert matches[0].listed_name == "SADDAM HUSSEIN AL-TIKRITI"
    assert matches[0].score == 1.0
    # and the Latin spelling finds the same entry (and the SDN's)
    latin = found(screener_full, "Saddam Hussein al-Tikriti")
    assert {matches[0].entity_id, "ofac-sdn:7843"} <= set(latin)
    # an Arabic spelling finds the Latin-only SDN entry of BIN LADEN, Usama
    assert "ofac-sdn:6365" in found(screener_full, "أسامة بن لادن")


def test_a_match_explains_itself(screener_full: Any) -> None:
    match = screener_full.screen("Banco Nacional de Cuba SA", country="CU")[0]
    assert match.entity_id == "ofac-sdn:306"
    assert match.score == 1.0
    assert match.programmes == ("CUBA",)
    text = match.explanation.text
    assert "primary name 'BANCO NACIONAL DE CUBA'" in text
    assert "banco=banco" in text and "legal forms not compared: sa" in text
    assert "country CU is one of the entity's" in text
    assert match.explanation.components["name"] == 1.0
    assert match.explanation.components["country"] > 0
    document = match.document()
    assert document["explanation"]["components"]["name"] == 1.0
    assert document["source"] == "ofac-sdn"


def test_a_country_the_entity_is_not_known_in_lowers_the_score(screener_full: Any) -> None:
    home = screener_full.screen("Banco Nacional de Cuba", country="CU")[0]
    abroad = screener_full.screen("Banco Nacional de Cuba", country="NO")[0]
    assert abroad.entity_id == home.entity_id
    assert abroad.score < home.score
    assert abroad.explanation.components["country"] < 0


def test_clean_trader_names_match_nothing(screener_full: Any) -> None:
    clean = (
        "Northwind Fresh Produce Ltd",
        "Albion Building Supplies",
        "Cotswold Wines Limited",
        # a one-word listed name (HORIZON, SUNRISE) in a longer trader's name is little evidence
        "Horizon Foods Ltd",
        "Sunrise Electronics Co., Ltd",
    )
    for name in clean:
        assert screener_full.screen(name, country="GB") == []


# Names as screening meets them: listed names rewritten (typing errors, other order, initials,
# run together, other legal forms, other scripts) and clean traders sharing words with listed
# names.
BLOCKING_QUERIES = (
    "Vladimir Vladimirovich PUTN",
    "Saddam Husein al Tikriti",
    "صدام حسين التكريتي",
    "Евгений Пригожин",
    "A. Aksyonov",
    "BANCONACIONALDECUBA",
    "Banco Nacional de Cuba S.A.",
    "AL NASER TRADING",
    "Sunrise Electronics Co., Ltd",
    "Horizon Foods Ltd",
    "Golden Wines Co., Ltd",
    "Crown Engineering Pte Ltd",
    "Mohammed Ali",
    "Kim Chol",
    "ABU AHMED",
    "IRISL Europe GmbH",
    "Mahan Airlines",
    "Hassan Dahir Aweys",
    "Union Paper Oy",
    "Al Wasel & Babel General Trading L.L.C.",
)


def test_blocking_finds_every_entity_an_exhaustive_scan_does(screener_full: Any) -> None:
    """The index never passes over a listed name the matcher scores at or above the
    threshold: on these queries, screening through it finds exactly what scoring every one of
    the 27,701 listed names finds."""
    from clearway.domain.screening.entity import NameStrength
    from clearway.services.screening.screener import WEAK_ALIAS_FACTOR

    listed = [
        (entity.entity_id, name.strength, MATCHER.prepare(name.text))
        for entity in screener_full.entities
        for name in entity.names
    ]
    found_somewhere = 0
    for text in BLOCKING_QUERIES:
        query = MATCHER.prepare(text)
        exhaustive = {
            entity_id
            for entity_id, strength, prepared in listed
            if MATCHER.compare(query, prepared).score
            * (WEAK_ALIAS_FACTOR if strength is NameStrength.WEAK else 1.0)
            >= DEFAULT_THRESHOLD
        }
        assert exhaustive == set(found(screener_full, text, limit=1000)), text
        found_somewhere += bool(exhaustive)
    assert found_somewhere >= 10  # the sample does exercise matches


def test_an_empty_screener_matches_nothing() -> None:
    assert Screener().screen("Banco Nacional de Cuba") == []
    assert Screener().screen_party(Party("Banco Nacional de Cuba")) == []


def test_a_dismissal_stops_a_match_for_that_party_only(screener_full: Any) -> None:
    cuban = Party(
        "Banco Nacional de Cuba",
        id="GB123456789000",
        address=Address("1 Quay Street", "Bristol", "BS1 4DJ", "GB"),
    )
    other = Party("Banco Nacional de Cuba", id="GB987654321000", country="GB")
    assert "ofac-sdn:306" in [m.entity_id for m in screener_full.screen_party(cuban)]
    dismissal = Dismissal(
        1, party_key(cuban), "ofac-sdn:306", "our client since 1990", "agency", datetime.now(UTC)
    )
    dismissed = screener_full.with_dismissals([dismissal])
    assert "ofac-sdn:306" not in [m.entity_id for m in dismissed.screen_party(cuban)]
    # the same party lodged again, with its name in another case, is still dismissed
    again = Party("BANCO NACIONAL DE CUBA", id="GB123456789000", country="GB")
    assert party_key(again) == party_key(cuban)
    assert "ofac-sdn:306" not in [m.entity_id for m in dismissed.screen_party(again)]
    # another party of the same name is screened as before
    assert "ofac-sdn:306" in [m.entity_id for m in dismissed.screen_party(other)]
    # and the screener it came from is unchanged
    assert "ofac-sdn:306" in [m.entity_id for m in screener_full.screen_party(cuban)]


def test_party_key_is_stable_across_spelling_and_legal_form() -> None:
    first = Party("Acme Trading Ltd", id="gb1", country="GB")
    second = Party("ACME TRADING LIMITED", id="GB1", country="gb")
    assert party_key(first) == party_key(second) == "GB1|acme trading|GB"


def test_precision_recall_and_the_best_threshold() -> None:
    pairs = [ScoredPair(0.9, True), ScoredPair(0.8, False), ScoredPair(0.7, True)]
    at = counts_at(pairs, 0.75)
    assert (at.true_positives, at.false_positives, at.false_negatives) == (1, 1, 1)
    assert at.f1 == 0.5
    best = best_threshold(pairs)
    assert (best.threshold, round(best.f1, 3)) == (0.7, 0.8)
