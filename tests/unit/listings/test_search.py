"""What a listing is found by: its words, their pinyin initials and their keypad keys."""

from __future__ import annotations

from kiosk_server.listings.search import PART_SEPARATOR, initials, phone_keys, search_text


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


def test_the_long_text_is_searched_by_its_words_only() -> None:
    words, letters, keys = search_text(["保洁员", None, ""], "负责楼道").split(PART_SEPARATOR)

    assert words == "保洁员 负责楼道"
    assert letters == "bjy"
    assert keys == "259"


def test_no_part_holds_the_separator_so_no_match_spans_two_parts() -> None:
    text = search_text(["第一行\n第二行", "Ａ  B"], "正文\r\n第二段")

    assert text.count(PART_SEPARATOR) == 2
    assert text.split(PART_SEPARATOR)[0] == "第一行 第二行 a b 正文 第二段"
