"""What a listing is found by: its words, their pinyin initials and their keypad keys."""

from __future__ import annotations

from kiosk_server.listings.search import (
    PART_SEPARATOR,
    column_for,
    initials,
    phone_keys,
    search_parts,
    title_text,
)


def test_initials_follow_the_reading_the_phrase_calls_for() -> None:
    assert initials("小区绿化保洁") == "xqlhbj"
    # 行 reads háng in 银行 and xíng in 行走; 重 reads chóng in 重庆.
    assert initials("银行 行走 重庆") == "yh xz cq"


def test_letters_and_digits_keep_themselves_and_punctuation_breaks_the_word() -> None:
    assert initials("5g基站(计件)") == "5gjz jj"


def test_initials_are_typed_on_the_keys_of_a_phone_keypad() -> None:
    assert phone_keys("bj") == "25"  # 保洁
    assert phone_keys("dg") == "34"  # 电工
    assert phone_keys("md") == "63"  # 面点
    assert phone_keys("5g jz") == "54 59"


def test_the_names_are_written_as_words_initials_and_keys() -> None:
    parts = search_parts(["保洁员", None, "", "楼道"])

    assert parts.search_words == "保洁员 楼道"
    assert parts.search_letters == "bjy ld"
    assert parts.search_keys == "259 53"


def test_each_query_word_is_looked_for_where_it_can_be() -> None:
    assert column_for("25") == "search_keys"  # a remote's digit keys
    assert column_for("bj") == "search_letters"  # the TV's letter grid; Latin words
    assert column_for("保洁") == "search_words"
    assert column_for("5g") == "search_words"
    # Latin words and a name's own digits are in the column each goes to.
    parts = search_parts(["Excel文员", "5G基站100%"])
    assert "excel" in parts.search_letters
    assert "100" in parts.search_keys


def test_no_part_of_a_title_holds_the_separator_so_no_match_spans_two_parts() -> None:
    text = title_text("第一行\n第二行 Ａ  B")

    assert text.count(PART_SEPARATOR) == 2
    assert text.split(PART_SEPARATOR)[0] == "第一行 第二行 a b"
