"""MRNs: layout and the ISO 6346 check character."""

from __future__ import annotations

from datetime import date

from clearway.domain.mrn import check_character, is_valid_mrn, new_mrn


def test_check_character_by_hand() -> None:
    # 2,6,G=17,B=12,0,…,1: values weighted by 2**position, summed, mod 11, mod 10.
    body = "26GB" + "0" * 11 + "1" + "R"
    values = [2, 6, 17, 12] + [0] * 11 + [1, 29]  # R = 29 in ISO 6346
    total = sum(value * 2**position for position, value in enumerate(values))
    assert check_character(body) == str(total % 11 % 10)


def test_new_mrns_are_valid_and_distinct() -> None:
    mrns = {new_mrn("IM", "GB", date(2026, 11, 23)) for _ in range(2000)}
    assert len(mrns) == 2000
    for mrn in mrns:
        assert len(mrn) == 18
        assert mrn.startswith("26GB")
        assert mrn[16] == "R"
        assert is_valid_mrn(mrn)


def test_single_character_changes_are_caught() -> None:
    # ISO 6346 maps remainders 0 and 10 both to "0", so a few substitutions slip through;
    # and a change whose value differs by a multiple of 11 (H for 7) is invisible too.
    caught = changes = 0
    for _ in range(200):
        mrn = new_mrn("EX", "GB", date(2026, 11, 23))
        assert mrn[16] == "A"
        for position in range(4, 16):
            replacement = "7" if mrn[position] != "7" else "8"
            altered = mrn[:position] + replacement + mrn[position + 1 :]
            changes += 1
            caught += not is_valid_mrn(altered)
    assert caught / changes > 0.9


def test_identifiers_are_uuid7_and_time_ordered() -> None:
    import time
    import uuid

    from clearway.domain.identifiers import uuid7

    first = uuid7()
    time.sleep(0.002)
    later = [uuid7() for _ in range(1000)]
    assert first.version == 7
    assert first.variant == uuid.RFC_4122
    assert all(first < other for other in later)
    assert len(set(later)) == 1000
    milliseconds = first.int >> 80
    assert abs(milliseconds - time.time_ns() // 1_000_000) < 5_000


def test_identifier_text_is_the_uuid_text_form_and_random_bits_differ() -> None:
    import uuid

    from clearway.domain.identifiers import new_id

    made = [new_id() for _ in range(5000)]  # more than one draw of system randomness
    parsed = [uuid.UUID(text) for text in made]
    assert [str(value) for value in parsed] == made
    assert {value.version for value in parsed} == {7}
    assert len(set(made)) == 5000
    # The 74 random bits: no two identifiers share them, and every bit takes both values.
    randoms = [value.int & (2**62 - 1) | (value.int >> 64 & 0xFFF) << 62 for value in parsed]
    assert len(set(randoms)) == 5000
    assert all(0 < sum(r >> bit & 1 for r in randoms) < 5000 for bit in range(74))


def test_a_forked_process_does_not_repeat_its_parents_identifiers() -> None:
    import os

    from clearway.domain.identifiers import new_id

    new_id()  # the parent holds drawn bytes at the fork
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reading)
        os.write(writing, "\n".join(new_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(writing)
    parent_ids = {new_id() for _ in range(50)}
    with os.fdopen(reading) as pipe:
        child_ids = set(pipe.read().split("\n"))
    os.waitpid(child, 0)
    assert len(child_ids) == 50

    def random_bits(text: str) -> str:  # what follows the time and the version digit
        return text.replace("-", "")[13:]

    assert not {random_bits(t) for t in parent_ids} & {random_bits(t) for t in child_ids}
