"""Human-readable dates and their ISO form: the C5W3 "neural machine translation" dataset, made as the course makes it.

The course (``nmt_utils.load_dataset``) draws ``m`` random dates (Faker's ``date_object``: 1970 to
"today"), formats each with ``babel.dates.format_date(..., locale="en_US")`` in a pattern drawn
from 24 :data:`COURSE_FORMATS` (``"full"`` 10 times, ``"d MMMM YYY"`` twice: these are its
weights), lower-cases it and removes commas; the target is ``date.isoformat()``. Here the dates
come from a seeded NumPy generator (no Faker) over a fixed range, :data:`START` to :data:`END`,
so the same seed gives the same dataset on any machine.

One deliberate difference, switchable: the course's ``YYY`` / ``YY`` are babel's *week-based*
year (CLDR ``Y``), so a late-December date whose week contains the next January 1st is written
with the next year ("31 dec 2019" for 2018-12-31) while its target keeps the calendar year. About
0.4 % of the course's pairs contradict themselves that way. By default the patterns' ``Y`` is
rendered as the calendar year ``y``; ``week_year=True`` gives the course's strings exactly.

Held-out data: the days of the range are split once (:data:`SPLIT_SEED`, independent of the data
seed) into training days and :data:`HELD_OUT_FRACTION` held-out days; ``split="train"`` draws only
training days and ``split="test"`` only held-out ones, so a test date is never seen in training,
in any format.

Beyond the course: :data:`EXTENDED_FORMATS` are formats the course never trains on but whose examples
it shows ("21th of August 2016", "March 3rd 2001", "Tue 10 Jul 2007", "22rd maY 1994"): ordinal
days (mostly correct suffixes, sometimes the wrong ones the course's examples use), "of",
abbreviated weekdays, two-digit years, commas, and random mixed case. :data:`EXTENDED_SHARES` says
which share of the examples each ``formats`` value draws from them: ``"course"`` none (the course's data),
``"mixed"`` a quarter (the pipeline's default: the course's formats stay three quarters of the data),
``"extended"`` half and ``"extended_only"`` all of them (the harder held-out set). Their strings keep
case and commas (:func:`string_to_int` lower-cases and removes commas, as the course's does).

Encoding (the course's ``preprocess_data``): the human string becomes ``Tx`` = 30 indices into
:data:`HUMAN_VOCAB` (37: 35 characters, ``<unk>`` 35, ``<pad>`` 36), the ISO date ``Ty`` = 10
indices into :data:`MACHINE_VOCAB` (``-`` and the digits), and both one-hot.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import numpy as np

TX = 30  # input length (characters)
TY = 10  # output length: YYYY-MM-DD
START = _dt.date(1970, 1, 1)
END = _dt.date(2029, 12, 31)
SPLIT_SEED = 20240503
HELD_OUT_FRACTION = 0.2
COURSE_SEED = 12345  # the course's Faker.seed / random.seed

#: The course's 24 FORMATS, duplicates included (they are its sampling weights).
COURSE_FORMATS: tuple[str, ...] = (
    "short", "medium", "long",
    *(["full"] * 10),
    "d MMM YYY", "d MMMM YYY", "dd MMM YYY", "d MMM, YYY", "d MMMM, YYY", "dd, MMM YYY", "d MM YY",
    "d MMMM YYY", "MMMM d YYY", "MMMM d, YYY", "dd.MM.YY",
)

#: Held-out formats beyond the course; ``{o}`` is the ordinal day ("3rd", sometimes a wrong suffix).
EXTENDED_FORMATS: tuple[str, ...] = (
    "{o} 'of' MMMM y", "{o} 'of' MMM y", "MMMM {o} y", "MMMM {o}, y", "{o} MMMM y", "EEE {o} 'of' MMMM y",
    "EEE d MMM y", "EEE, MMM d, y", "EEEE MMMM d y", "d MMMM yy", "EEE dd.MM.y", "MMM {o} y",
)

#: Share of the examples drawn from :data:`EXTENDED_FORMATS` for each ``formats`` value of :func:`load_dataset`.
EXTENDED_SHARES: dict[str, float] = {"course": 0.0, "mixed": 0.25, "extended": 0.5, "extended_only": 1.0}

_HUMAN_CHARS = " ./0123456789abcdefghijlmnoprstuvwy"  # the 35 characters of the course's dataset
#: The course's human_vocab: sorted characters, then ``<unk>`` and ``<pad>``.
HUMAN_VOCAB: dict[str, int] = {c: i for i, c in enumerate([*_HUMAN_CHARS, "<unk>", "<pad>"])}
#: The course's machine_vocab: ``-`` 0, ``0``-``9`` 1-10.
MACHINE_VOCAB: dict[str, int] = {c: i for i, c in enumerate("-0123456789")}
INV_MACHINE_VOCAB: dict[int, str] = {i: c for c, i in MACHINE_VOCAB.items()}
UNK, PAD = HUMAN_VOCAB["<unk>"], HUMAN_VOCAB["<pad>"]

Dataset = list[tuple[str, str]]


def ordinal(day: int) -> str:
    """English ordinal of a day: 1 -> ``"1st"``, 2 -> ``"2nd"``, 11 -> ``"11th"``, 23 -> ``"23rd"``."""
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def format_human(day: _dt.date, pattern: str, week_year: bool = False, ordinal_text: str | None = None) -> str:
    """``day`` formatted by babel (locale en_US) with ``pattern``, case and commas kept.

    Args:
        day: the date.
        pattern: a babel/CLDR pattern or one of ``short``/``medium``/``long``/``full``; ``{o}``
            stands for the ordinal day.
        week_year: keep the pattern's ``Y`` (babel's week-based year, as the course does); False
            renders it as the calendar year.
        ordinal_text: what ``{o}`` becomes (default :func:`ordinal` of the day).
    """
    from babel.dates import format_date  # babel is only needed to make data

    if not week_year and pattern not in ("short", "medium", "long", "full"):
        pattern = _calendar_year(pattern)
    parts = pattern.split("{o}")
    text = [format_date(day, format=part, locale="en_US") if part else "" for part in parts]
    return (ordinal_text or ordinal(day.day)).join(text)


def _calendar_year(pattern: str) -> str:
    """``pattern`` with its (unquoted) week-year letters ``Y`` replaced by calendar-year ``y``."""
    out, quoted = [], False
    for char in pattern:
        if char == "'":
            quoted = not quoted
        out.append("y" if char == "Y" and not quoted else char)
    return "".join(out)


def course_text(text: str) -> str:
    """What the course keeps of a formatted date: lower-cased, commas removed."""
    return text.lower().replace(",", "")


def split_days(split: str) -> np.ndarray:
    """Day offsets from :data:`START` in ``split``: ``"train"``, ``"test"`` (held out) or ``"all"``."""
    n_days = (END - START).days + 1
    if split == "all":
        return np.arange(n_days)
    order = np.random.default_rng(SPLIT_SEED).permutation(n_days)
    n_test = int(round(n_days * HELD_OUT_FRACTION))
    if split == "test":
        return np.sort(order[:n_test])
    if split == "train":
        return np.sort(order[n_test:])
    raise ValueError(f"expected split 'train', 'test' or 'all', found {split!r}")


def _mixed_case(text: str, rng: np.random.Generator) -> str:
    flips = rng.random(len(text)) < 0.3
    return "".join(c.swapcase() if f else c for c, f in zip(text, flips))


def _extended(day: _dt.date, rng: np.random.Generator) -> str:
    pattern = EXTENDED_FORMATS[rng.integers(len(EXTENDED_FORMATS))]
    suffix = ordinal(day.day) if rng.random() < 0.75 else f"{day.day}{('st', 'nd', 'rd', 'th')[rng.integers(4)]}"
    text = format_human(day, pattern, ordinal_text=suffix)
    return _mixed_case(text, rng) if rng.random() < 0.5 else text


def load_dataset(
    m: int,
    seed: int = COURSE_SEED,
    formats: str = "course",
    split: str = "all",
    week_year: bool = False,
) -> tuple[Dataset, dict[str, int], dict[str, int], dict[int, str]]:
    """``m`` (human date, ISO date) pairs and the course's three vocabularies.

    Args:
        m: number of examples.
        seed: the generator's seed (same seed, same pairs).
        formats: ``"course"`` (the course's 24 weighted formats, lower-cased, commas removed),
            ``"mixed"`` (a quarter :data:`EXTENDED_FORMATS`), ``"extended"`` (half) or
            ``"extended_only"`` (see :data:`EXTENDED_SHARES`).
        split: which days to draw from: ``"train"``, ``"test"`` (never in ``"train"``) or ``"all"``.
        week_year: render ``YYY`` as babel's week-based year, exactly as the course does.

    Returns:
        ``(dataset, human_vocab, machine_vocab, inv_machine_vocab)``, e.g. ``dataset[0] ==
        ("9 may 1998", "1998-05-09")``; the vocabularies are :data:`HUMAN_VOCAB` (37),
        :data:`MACHINE_VOCAB` (11) and :data:`INV_MACHINE_VOCAB`.
    """
    if formats not in EXTENDED_SHARES:
        raise ValueError(f"expected formats {', '.join(map(repr, EXTENDED_SHARES))}, found {formats!r}")
    if m < 0:
        raise ValueError(f"expected m >= 0 examples, found {m}")
    rng = np.random.default_rng(seed)
    days = split_days(split)
    offsets = days[rng.integers(len(days), size=m)]
    extended_share = EXTENDED_SHARES[formats]
    dataset: Dataset = []
    for offset in offsets:
        day = START + _dt.timedelta(days=int(offset))
        if extended_share and rng.random() < extended_share:
            human = _extended(day, rng)
        else:
            human = course_text(format_human(day, COURSE_FORMATS[rng.integers(len(COURSE_FORMATS))], week_year))
        dataset.append((human, day.isoformat()))
    return dataset, dict(HUMAN_VOCAB), dict(MACHINE_VOCAB), dict(INV_MACHINE_VOCAB)


def string_to_int(string: str, length: int, vocab: dict[str, int]) -> list[int]:
    """The course's ``string_to_int``: lower-case, drop commas, cut to ``length``, map, pad.

    Unknown characters map to ``vocab["<unk>"]`` (the course's ``vocab.get(x, '<unk>')`` would put
    the string ``'<unk>'`` itself in the list), padding is ``vocab["<pad>"]``; a vocabulary
    without ``<pad>`` (the machine one) is used for strings of exactly ``length``.

    Returns:
        ``length`` integers, e.g. ``string_to_int("9 may 1998", 30, HUMAN_VOCAB)[:10] ==
        [12, 0, 24, 13, 34, 0, 4, 12, 12, 11]`` then 20 x 36.
    """
    string = course_text(string)[:length]
    unk = vocab.get("<unk>")
    rep = []
    for char in string:
        if char in vocab:
            rep.append(vocab[char])
        elif unk is None:
            raise ValueError(f"expected characters of the vocabulary {sorted(vocab)}, found {char!r} in {string!r}")
        else:
            rep.append(unk)
    if len(rep) < length:
        if "<pad>" not in vocab:
            raise ValueError(f"expected a string of {length} characters, found {string!r}")
        rep += [vocab["<pad>"]] * (length - len(rep))
    return rep


def int_to_string(ints: Sequence[int], inv_vocab: dict[int, str]) -> str:
    """Indices back to their characters: ``[2, 10, 10, 9, 0, 1, 6, 0, 1, 10]`` -> ``"1998-05-09"``."""
    return "".join(inv_vocab[int(i)] for i in ints)


def one_hot(indices: np.ndarray, depth: int) -> np.ndarray:
    """float32 one-hot of integer ``indices`` (..., ) -> (..., depth), like ``keras.utils.to_categorical``."""
    return np.eye(depth, dtype=np.float32)[np.asarray(indices)]


def preprocess_data(
    dataset: Dataset,
    human_vocab: dict[str, int],
    machine_vocab: dict[str, int],
    Tx: int = TX,
    Ty: int = TY,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The course's ``preprocess_data``.

    Returns:
        ``X`` (m, Tx) int, ``Y`` (m, Ty) int, ``Xoh`` (m, Tx, len(human_vocab)) float32 and
        ``Yoh`` (m, Ty, len(machine_vocab)) float32.
    """
    if not dataset:
        X, Y = np.zeros((0, Tx), np.int64), np.zeros((0, Ty), np.int64)
    else:
        X = np.array([string_to_int(h, Tx, human_vocab) for h, _ in dataset], dtype=np.int64)
        Y = np.array([string_to_int(t, Ty, machine_vocab) for _, t in dataset], dtype=np.int64)
    return X, Y, one_hot(X, len(human_vocab)), one_hot(Y, len(machine_vocab))
