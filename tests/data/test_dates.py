"""C5W3 date data: the course's vocabularies, encoding and shapes; seeded, held-out and extended sets."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tf_course.data import dates
from tf_course.data.dates import (
    COURSE_FORMATS,
    HUMAN_VOCAB,
    INV_MACHINE_VOCAB,
    MACHINE_VOCAB,
    format_human,
    int_to_string,
    load_dataset,
    ordinal,
    preprocess_data,
    string_to_int,
)


@pytest.fixture(scope="module")
def course_data():
    return load_dataset(10000, split="test")


def test_vocabularies_are_the_courses():
    assert len(HUMAN_VOCAB) == 37 and len(MACHINE_VOCAB) == 11
    assert HUMAN_VOCAB[" "] == 0 and HUMAN_VOCAB["."] == 1 and HUMAN_VOCAB["/"] == 2
    assert [HUMAN_VOCAB[str(d)] for d in range(10)] == list(range(3, 13))
    letters = "abcdefghijlmnoprstuvwy"  # no k, q, x, z: no English month or weekday name has them
    assert [HUMAN_VOCAB[c] for c in letters] == list(range(13, 35))
    assert HUMAN_VOCAB["<unk>"] == 35 and HUMAN_VOCAB["<pad>"] == 36
    assert MACHINE_VOCAB == {"-": 0, **{str(d): d + 1 for d in range(10)}}
    assert INV_MACHINE_VOCAB == {v: k for k, v in MACHINE_VOCAB.items()}


def test_course_example_encoding():
    # the course's "9 may 1998": '9'->12 ' '->0 'm'->24 'a'->13 'y'->34 ' '->0 '1'->4 '9'->12 '9'->12 '8'->11
    x = string_to_int("9 may 1998", 30, HUMAN_VOCAB)
    assert x == [12, 0, 24, 13, 34, 0, 4, 12, 12, 11] + [36] * 20
    y = string_to_int("1998-05-09", 10, MACHINE_VOCAB)
    assert y == [2, 10, 10, 9, 0, 1, 6, 0, 1, 10]
    assert int_to_string(y, INV_MACHINE_VOCAB) == "1998-05-09"
    X, Y, Xoh, Yoh = preprocess_data([("9 may 1998", "1998-05-09")], HUMAN_VOCAB, MACHINE_VOCAB, 30, 10)
    np.testing.assert_array_equal(X[0], x)
    np.testing.assert_array_equal(Y[0], y)
    np.testing.assert_array_equal(Xoh[0].argmax(-1), x)
    assert Xoh.dtype == np.float32 and Xoh.sum() == 30 and Yoh.sum() == 10


def test_string_to_int_lowercases_cuts_and_marks_unknown_characters():
    x = string_to_int("Tue, 10 Jul 2007 (kz)" + "9" * 20, 30, HUMAN_VOCAB)
    # "tue 10 jul 2007 (kz)" (the comma removed: 20 characters) + ten of the twenty 9s: no padding
    assert x[:4] == [30, 31, 17, 0] and x[16:20] == [35] * 4 and x[20:] == [12] * 10
    with pytest.raises(ValueError, match="expected a string of 10 characters"):
        string_to_int("1998-5-9", 10, MACHINE_VOCAB)


def test_course_shapes_and_formats(course_data):
    dataset, human_vocab, machine_vocab, inv = course_data
    X, Y, Xoh, Yoh = preprocess_data(dataset, human_vocab, machine_vocab, 30, 10)
    assert X.shape == (10000, 30) and Y.shape == (10000, 10)
    assert Xoh.shape == (10000, 30, 37) and Yoh.shape == (10000, 10, 11)
    assert not (X == 35).any()  # every character of the course's formats is in the vocabulary
    for human, iso in dataset[:200]:
        assert human == human.lower() and "," not in human and len(human) <= 30
        dt.date.fromisoformat(iso)
    # the course's weights: 'full' is 10 of the 24 formats
    assert len(COURSE_FORMATS) == 24 and COURSE_FORMATS.count("full") == 10
    full = sum(h.split()[0] in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
               for h, _ in dataset)
    assert abs(full / len(dataset) - 10 / 24) < 0.02


def test_babel_formats_as_the_course_writes_them():
    day = dt.date(1998, 5, 9)
    got = {f: dates.course_text(format_human(day, f)) for f in dict.fromkeys(COURSE_FORMATS)}
    assert got == {
        "short": "5/9/98", "medium": "may 9 1998", "long": "may 9 1998", "full": "saturday may 9 1998",
        "d MMM YYY": "9 may 1998", "d MMMM YYY": "9 may 1998", "dd MMM YYY": "09 may 1998",
        "d MMM, YYY": "9 may 1998", "d MMMM, YYY": "9 may 1998", "dd, MMM YYY": "09 may 1998",
        "d MM YY": "9 05 98", "MMMM d YYY": "may 9 1998", "MMMM d, YYY": "may 9 1998", "dd.MM.YY": "09.05.98",
    }
    # babel's Y is the week-based year: the course writes 2018-12-31 as "31 dec 2019"
    assert format_human(dt.date(2018, 12, 31), "d MMM YYY", week_year=True) == "31 Dec 2019"
    assert format_human(dt.date(2018, 12, 31), "d MMM YYY") == "31 Dec 2018"
    assert format_human(dt.date(2016, 8, 21), "{o} 'of' MMMM y") == "21st of August 2016"
    assert [ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]


def test_seeded_deterministic_and_held_out(course_data):
    a = load_dataset(50, seed=3, split="train")[0]
    assert a == load_dataset(50, seed=3, split="train")[0] and a != load_dataset(50, seed=4, split="train")[0]
    train_days = set(dates.split_days("train"))
    test_days = set(dates.split_days("test"))
    assert not train_days & test_days and len(train_days) + len(test_days) == (dates.END - dates.START).days + 1
    held_out = {iso for _, iso in course_data[0]}
    train = {iso for _, iso in load_dataset(5000, seed=1, split="train")[0]}
    assert held_out and not held_out & train


def test_extended_formats_are_harder_but_encodable():
    dataset = load_dataset(500, seed=0, formats="extended_only", split="test")[0]
    texts = [h for h, _ in dataset]
    assert any(" of " in t.lower() for t in texts) and any(t != t.lower() and t != t.title() for t in texts)
    assert any(any(s in t.lower() for s in ("st ", "nd ", "rd ", "th ")) for t in texts)
    X = preprocess_data(dataset, HUMAN_VOCAB, MACHINE_VOCAB)[0]
    assert not (X == 35).any()  # lower-cased, commas removed: still the course's characters
    def extended_share(formats: str, m: int) -> float:  # extended strings keep babel's capitals or commas
        return float(np.mean([h != h.lower() or " of " in h or "," in h
                              for h, _ in load_dataset(m, seed=0, formats=formats, split="train")[0]]))

    assert 0.3 < extended_share("extended", 200) < 0.7
    assert 0.2 < extended_share("mixed", 2000) < 0.3  # the pipeline's default: a quarter
    assert extended_share("course", 500) == 0.0
    # "course" is the course's data, unchanged by the other choices (the same draws for the same seed)
    assert load_dataset(4, seed=0, formats="course", split="train")[0] == [
        ("saturday january 16 2021", "2021-01-16"), ("4/7/08", "2008-04-07"), ("sep 18 2000", "2000-09-18"),
        ("2/28/86", "1986-02-28")]
    with pytest.raises(ValueError, match="expected formats"):
        load_dataset(1, formats="faker")
