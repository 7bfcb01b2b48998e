import unicodedata

from app.text import collation_key, fold, name_sort_key, nfc, search_terms, squash, text_key


class TestFold:
    def test_strips_tones_and_marks_and_lowercases(self) -> None:
        assert fold("Nguyễn Văn Đức") == "nguyen van duc"

    def test_maps_d_with_stroke_in_both_cases(self) -> None:
        assert fold("Đ đ") == "d d"

    def test_decomposed_input_folds_like_precomposed(self) -> None:
        decomposed = unicodedata.normalize("NFD", "Hồ sơ một cửa")
        assert decomposed != "Hồ sơ một cửa"
        assert fold(decomposed) == fold("Hồ sơ một cửa") == "ho so mot cua"

    def test_collapses_whitespace(self) -> None:
        assert fold("  hồ \t sơ \n") == "ho so"


def test_nfc_makes_combining_marks_equal_to_precomposed() -> None:
    assert nfc(unicodedata.normalize("NFD", "Đức")) == "Đức"


def test_search_terms_are_folded_words() -> None:
    assert search_terms(" Hồ  SƠ ") == ["ho", "so"]
    assert search_terms("   ") == []


class TestVietnameseOrder:
    def test_letters_follow_the_vietnamese_alphabet(self) -> None:
        words = ["đ", "e", "d", "â", "ă", "a", "ơ", "ô", "o", "ư", "u"]
        assert sorted(words, key=collation_key) == ["a", "ă", "â", "d", "đ", "e", "o", "ô", "ơ", "u", "ư"]

    def test_tones_only_break_ties(self) -> None:
        assert sorted(["bà", "ba", "bá", "bả", "bạ", "bã"], key=collation_key) == [
            "ba",
            "bà",
            "bả",
            "bã",
            "bá",
            "bạ",
        ]

    def test_names_sort_by_given_name_then_whole_name(self) -> None:
        names = ["Nguyễn Văn Đức", "Trần Thị An", "Lê Văn Dũng", "Phạm Ánh", "Hoàng Văn An"]
        assert sorted(names, key=name_sort_key) == [
            "Hoàng Văn An",
            "Trần Thị An",
            "Phạm Ánh",
            "Lê Văn Dũng",
            "Nguyễn Văn Đức",
        ]


def test_squash_keeps_case_and_marks_but_not_extra_spaces() -> None:
    assert squash("  Hồ \t sơ\nMột  cửa ") == "Hồ sơ Một cửa"
    assert squash(unicodedata.normalize("NFD", "Đức")) == "Đức"


def test_text_key_ignores_case_and_spacing_but_not_accents() -> None:
    assert text_key(" MỘT   Cửa ") == text_key("một cửa") == "một cửa"
    assert text_key("mot cua") != text_key("một cửa")
