"""Generated text for the C5W2 assignments when GloVe and the course sentences are not at hand.

1. :func:`relation_corpus`: a templated English corpus with relations built in, for training
   skip-gram word vectors offline. Every word of a relation pair (france/paris, king/queen,
   cat/cats, small/smaller) appears with *role* words (country vs city, he vs she, one vs many,
   very vs than) and *identity* words it shares with its partner (french; crown; mouse; pebble),
   never in the same sentence as its partner. So vectors come out roughly as role + identity, and
   the offset between the two roles is shared by all pairs: analogies (b - a + c) and a gender
   direction exist to be found. Neutral job words get a planted gender bias (a receptionist is
   "she" 80% of the time, an engineer "he") that the debiasing then removes.
   :func:`analogy_questions` writes the word2vec question file of the same relations.
   Some pairs (``held_out``) are in the corpus only through their role and identity sentences; the
   others are also stated outright ("paris is the capital of france"). Questions ask a seen pair
   a:b to be completed on a held-out pair c:?.
2. :func:`emoji_sentences`: labelled short sentences for the five Emojify classes (0 heart, 1
   baseball, 2 smile, 3 disappointed, 4 fork and knife), from templates and class lexicons.

Everything is deterministic in ``seed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# (country, capital, shared identity word)
CAPITALS = [
    ("france", "paris", "french"), ("italy", "rome", "italian"), ("spain", "madrid", "spanish"),
    ("germany", "berlin", "german"), ("japan", "tokyo", "japanese"), ("china", "beijing", "chinese"),
    ("russia", "moscow", "russian"), ("greece", "athens", "greek"), ("egypt", "cairo", "egyptian"),
    ("poland", "warsaw", "polish"), ("portugal", "lisbon", "portuguese"), ("sweden", "stockholm", "swedish"),
    ("norway", "oslo", "norwegian"), ("turkey", "ankara", "turkish"), ("india", "delhi", "indian"),
    ("kenya", "nairobi", "kenyan"), ("peru", "lima", "peruvian"), ("canada", "ottawa", "canadian"),
    ("austria", "vienna", "austrian"), ("ireland", "dublin", "irish"), ("finland", "helsinki", "finnish"),
    ("cuba", "havana", "cuban"), ("thailand", "bangkok", "thai"), ("vietnam", "hanoi", "vietnamese"),
]
# (male, female, identity)
GENDERED = [
    ("man", "woman", "adult"), ("king", "queen", "throne"), ("boy", "girl", "child"),
    ("father", "mother", "parent"), ("brother", "sister", "sibling"), ("husband", "wife", "marriage"),
    ("uncle", "aunt", "relative"), ("son", "daughter", "born"), ("prince", "princess", "castle"),
    ("actor", "actress", "film"), ("nephew", "niece", "cousin"), ("grandfather", "grandmother", "elderly"),
    ("waiter", "waitress", "restaurant"), ("monk", "nun", "monastery"), ("groom", "bride", "ceremony"),
    ("emperor", "empress", "empire"), ("duke", "duchess", "estate"), ("steward", "stewardess", "airline"),
]
# (singular, plural, identity)
PLURALS = [
    ("cat", "cats", "mouse"), ("dog", "dogs", "bone"), ("bird", "birds", "nest"), ("car", "cars", "road"),
    ("boat", "boats", "harbor"), ("apple", "apples", "orchard"), ("book", "books", "library"),
    ("key", "keys", "lock"), ("bell", "bells", "tower"), ("horse", "horses", "stable"), ("cow", "cows", "farm"),
    ("bee", "bees", "hive"), ("star", "stars", "sky"), ("flower", "flowers", "garden"), ("coin", "coins", "bank"),
    ("shoe", "shoes", "foot"), ("cup", "cups", "tea"), ("chair", "chairs", "table"),
]
# (adjective, comparative, identity)
COMPARATIVES = [
    ("small", "smaller", "pebble"), ("large", "larger", "mountain"), ("big", "bigger", "elephant"),
    ("fast", "faster", "rocket"), ("slow", "slower", "snail"), ("tall", "taller", "giraffe"),
    ("short", "shorter", "stool"), ("old", "older", "ruin"), ("young", "younger", "puppy"),
    ("cold", "colder", "ice"), ("warm", "warmer", "fire"), ("strong", "stronger", "ox"),
    ("long", "longer", "snake"), ("bright", "brighter", "sun"), ("dark", "darker", "cave"),
    ("loud", "louder", "drum"), ("cheap", "cheaper", "market"), ("soft", "softer", "pillow"),
]
RELATIONS: dict[str, list[tuple[str, str, str]]] = {
    "capital-country": CAPITALS, "gender": GENDERED, "plural-nouns": PLURALS, "comparative": COMPARATIVES,
}
# words that should carry no gender; (word, P("she")) plants a bias that neutralize must remove
NEUTRAL_JOBS = [
    ("receptionist", 0.8), ("nurse", 0.8), ("teacher", 0.65), ("singer", 0.6), ("doctor", 0.35),
    ("engineer", 0.2), ("pilot", 0.25), ("warrior", 0.15), ("scientist", 0.35), ("programmer", 0.25),
]
NEUTRAL_TOPICS = ["science", "arts", "literature", "technology", "music", "history", "computer", "fashion"]
FILLER = ["the", "a", "and", "of", "in", "on", "with", "today", "often", "again", "there", "here", "all", "this",
          "that", "we", "they", "saw", "read", "about", "near", "from", "new", "good", "every", "day", "said"]


@dataclass(frozen=True)
class RelationCorpus:
    """A generated corpus (lists of tokens) and its relation pairs.

    Attributes:
        sentences: the token lists.
        held_out: per relation, the pairs whose relation the corpus never states.
        seen: per relation, the pairs it also states outright.
    """

    sentences: list[list[str]]
    held_out: dict[str, list[tuple[str, str]]]
    seen: dict[str, list[tuple[str, str]]]


def _role_sentence(rng: np.random.Generator, relation: str, which: int, word: str, identity: str) -> list[str]:
    """One sentence about ``word`` (role ``which``: 0 first of the pair, 1 second) with its identity word."""
    f = FILLER
    pick = rng.choice
    if relation == "capital-country":
        if which == 0:
            roles = [["the", "country", "of", word, "where", "people", "speak", identity],
                     [word, "is", "a", "large", "nation", "with", "a", identity, "border"],
                     ["the", identity, "government", "of", "the", "country", word],
                     [word, "is", "a", "country", "of", identity, "farmland"]]
        else:
            roles = [["the", "city", "of", word, "where", "people", "speak", identity],
                     [word, "is", "a", "busy", "city", "with", "many", identity, "streets"],
                     ["the", identity, "mayor", "of", "the", "city", word],
                     [word, "is", "a", "city", "of", identity, "buildings"]]
    elif relation == "gender":
        pron = ["he", "his", "him", "himself"] if which == 0 else ["she", "her", "hers", "herself"]
        roles = [["the", word, "said", pick(pron), "saw", "the", identity],
                 [pick(pron), "is", "the", word, "of", "the", identity],
                 ["the", word, "and", pick(pron), "own", identity],
                 ["we", "met", "the", word, "and", pick(pron), identity]]
    elif relation == "plural-nouns":
        count = ["one", "a", "single", "each"] if which == 0 else ["many", "two", "several", "some"]
        verb = ["is", "was"] if which == 0 else ["are", "were"]
        roles = [[pick(count), word, pick(verb), "near", "the", identity],
                 ["there", pick(verb), pick(count), word, "by", "the", identity],
                 ["we", "saw", pick(count), word, "at", "the", identity]]
    else:  # comparative
        if which == 0:
            roles = [["the", identity, "is", "very", word],
                     ["a", "quite", word, identity, pick(f)],
                     ["it", "looks", "so", word, "like", "a", identity]]
        else:
            roles = [["the", identity, "is", word, "than", "the", "other"],
                     ["it", "is", "much", word, "than", "a", identity],
                     ["even", word, "than", "the", identity]]
    sentence = list(roles[int(rng.integers(len(roles)))])
    if rng.random() < 0.5:
        sentence.insert(0, str(pick(f)))
    return sentence


def _statement(relation: str, first: str, second: str) -> list[str]:
    """A sentence that states the pair's relation outright (only for the seen pairs)."""
    return {"capital-country": [second, "is", "the", "capital", "of", first],
            "gender": ["the", second, "is", "the", "female", first],
            "plural-nouns": ["more", "than", "one", first, "makes", second],
            "comparative": ["more", first, "is", second]}[relation]


def relation_corpus(
    sentences_per_word: int = 60, held_out_fraction: float = 0.35, seed: int = 0,
) -> RelationCorpus:
    """The templated corpus with the relations of :data:`RELATIONS` and the biased neutral words.

    Args:
        sentences_per_word: role sentences per pair word (the corpus has about 150 x this many
            sentences, 5-9 tokens each).
        held_out_fraction: share of each relation's pairs never stated outright (the question pairs).
        seed: the generator's seed.
    """
    rng = np.random.default_rng(seed)
    sentences: list[list[str]] = []
    held_out: dict[str, list[tuple[str, str]]] = {}
    seen: dict[str, list[tuple[str, str]]] = {}
    split_rng = np.random.default_rng([seed, 1])  # the split depends on the seed only, not on the corpus size
    for relation, triples in RELATIONS.items():
        order = split_rng.permutation(len(triples))
        n_held = max(2, int(round(held_out_fraction * len(triples))))
        held = {int(i) for i in order[:n_held]}
        held_out[relation] = [triples[i][:2] for i in sorted(held)]
        seen[relation] = [triples[i][:2] for i in range(len(triples)) if i not in held]
    for relation, triples in RELATIONS.items():
        held = {i for i, t in enumerate(triples) if t[:2] in held_out[relation]}
        for i, (first, second, identity) in enumerate(triples):
            for which, word in ((0, first), (1, second)):
                sentences += [_role_sentence(rng, relation, which, word, identity) for _ in range(sentences_per_word)]
            if i not in held:
                sentences += [_statement(relation, first, second) for _ in range(sentences_per_word // 6)]
    for job, p_she in NEUTRAL_JOBS:
        for _ in range(sentences_per_word):
            pron = ("she" if rng.random() < p_she else "he")
            sentences.append(["the", job, "said", pron, "likes", str(rng.choice(NEUTRAL_TOPICS))])
    for topic in NEUTRAL_TOPICS:
        for _ in range(sentences_per_word // 2):
            sentences.append(["we", "read", "about", topic, "and", str(rng.choice(NEUTRAL_TOPICS)), "today"])
    order = rng.permutation(len(sentences))
    return RelationCorpus([sentences[i] for i in order], held_out, seen)


def analogy_questions(corpus: RelationCorpus) -> list[str]:
    """The word2vec question file's lines for ``corpus``: per relation a ``: section`` header, then
    ``a b c d`` for every seen pair (a, b) and held-out pair (c, d)."""
    lines = []
    for relation, held in corpus.held_out.items():
        lines.append(f": {relation}")
        for a, b in corpus.seen[relation]:
            for c, d in held:
                lines.append(f"{a} {b} {c} {d}")
    return lines


# ---- Emojify -------------------------------------------------------------------------------------

EMOJI_LEXICON: dict[int, dict[str, list[str]]] = {
    0: {"verb": ["love", "adore", "miss", "cherish", "like", "hug", "kiss", "care about", "need", "adored", "loved",
                 "missed"],
        "obj": ["you", "my family", "my mom", "my dad", "her", "him", "my darling", "my sweetheart", "my friends",
                "my wife", "my husband", "my girlfriend", "my boyfriend", "my sister", "my brother", "my baby",
                "my honey", "my grandmother", "my parents", "us"],
        "adj": ["lovely", "sweet", "dear", "romantic", "beloved", "precious", "adorable", "cute", "caring", "loving",
                "affectionate", "in love"]},
    1: {"verb": ["play", "watch", "throw", "hit", "catch", "played", "pitch", "coach", "practice", "won", "join",
                 "kick"],
        "obj": ["baseball", "the ball", "the game", "tennis", "soccer", "the match", "golf", "football",
                "basketball", "the team", "the league", "a home run", "the bat", "the stadium", "sports",
                "the tournament", "volleyball", "the field", "hockey", "the season"],
        "adj": ["sporty", "athletic", "competitive", "fit", "on the team", "a good player", "a great pitcher",
                "the coach", "ready for the game", "in training", "a fan", "the best player"]},
    2: {"verb": ["laugh at", "smile at", "celebrate", "enjoy", "won", "passed", "love", "got", "made", "finished",
                 "aced", "liked"],
        "obj": ["the party", "this joke", "the news", "my birthday", "the prize", "life", "the exam", "the award",
                "the promotion", "the show", "the trip", "the holiday", "the weekend", "the results", "the gift",
                "the concert", "the surprise", "the comedy", "my success", "the victory"],
        "adj": ["happy", "funny", "great", "awesome", "glad", "excited", "proud", "amazing", "fantastic", "wonderful",
                "joyful", "so good", "lol", "hilarious", "cheerful", "delighted", "thrilled", "cool", "fun",
                "the best"]},
    3: {"verb": ["hate", "lost", "failed", "cried about", "miss", "broke", "ruined", "regret", "dropped", "forgot",
                 "missed", "hated"],
        "obj": ["the exam", "my job", "everything", "the bus", "my keys", "this day", "my phone", "the test",
                "the interview", "my money", "the deadline", "my wallet", "the train", "my friend", "the chance",
                "my car", "my dog", "this week", "the news", "my life"],
        "adj": ["sad", "upset", "bad", "awful", "lonely", "terrible", "horrible", "depressed", "miserable",
                "disappointed", "angry", "unhappy", "sick", "hurt", "worried", "stressed", "tired", "not happy",
                "the worst", "heartbroken"]},
    4: {"verb": ["eat", "cook", "want", "bake", "taste", "ate", "order", "crave", "grill", "cooked", "share",
                 "made"],
        "obj": ["food", "pizza", "dinner", "lunch", "a burger", "sushi", "pasta", "breakfast", "a sandwich",
                "some fries", "a salad", "soup", "steak", "chicken", "rice", "noodles", "cake", "dessert",
                "a snack", "bread", "couscous", "the meal", "some fruit", "tacos"],
        "adj": ["hungry", "delicious", "tasty", "yummy", "starving", "so hungry", "full", "craving food",
                "ready to eat", "a good cook", "in the kitchen", "at the restaurant"]},
}
EMOJI_TEMPLATES = ["i {verb} {obj}", "i am so {adj}", "we {verb} {obj} today", "this is {adj}",
                   "you {verb} {obj}", "i feel {adj}", "lets {verb} {obj}", "{obj} is {adj}",
                   "she is {adj} about {obj}", "i really {verb} {obj}", "{adj} i {verb} {obj}",
                   "he {verb} {obj} and is {adj}", "they {verb} {obj}", "i {verb} {obj} it is {adj}"]


def emoji_sentences(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` labelled sentences for Emojify: (sentences (n,) str, labels (n,) int64 in 0..4), balanced.

    At most 10 words each (the course's maxLen), lower-case. The class lexicons are common English
    words of each class (love and family; sports; joy and success; sadness and failure; food).
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 5
    rng.shuffle(labels)
    sentences = []
    for label in labels:
        lex = EMOJI_LEXICON[int(label)]
        template = str(rng.choice(EMOJI_TEMPLATES))
        sentence = template.format(verb=rng.choice(lex["verb"]), obj=rng.choice(lex["obj"]), adj=rng.choice(lex["adj"]))
        sentences.append(" ".join(sentence.split()[:10]))
    return np.array(sentences), labels.astype(np.int64)


def emoji_corpus(sentences: Sequence[str], repeats: int = 20, seed: int = 0) -> list[list[str]]:
    """A skip-gram corpus for Emojify: the tokenised ``sentences``, each ``repeats`` times, plus
    150 x ``repeats`` generated sentences of the five classes (the lexicon words in class contexts), shuffled."""
    rng = np.random.default_rng(seed)
    out = [s.lower().split() for s in sentences for _ in range(repeats)]
    generated, _ = emoji_sentences(150 * repeats, seed=seed + 1)
    out += [s.split() for s in generated]
    return [out[i] for i in rng.permutation(len(out))]
