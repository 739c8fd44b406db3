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
3. :func:`generic_corpus`: generic English for Emojify's offline word vectors (GloVe's stand-in):
   sentences about everyday topics (:data:`GENERIC_TOPICS`: love, family, sports, joy, success,
   sadness, food, work, school, weather, travel, home, animals, money) with conjugated verbs,
   plurals and function words, about 2,400 distinct words. The word lists are common English
   written from general knowledge, not taken from the course's sentences.

Everything is deterministic in ``seed``.
"""

from __future__ import annotations

import random
import string
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


# ---- Generic English (for Emojify's offline word vectors) -----------------------------------------
# A general-purpose lexicon of common English words by everyday topic, written from general knowledge
# (not from any course file): the five Emojify feelings are among many topics (work, school, weather,
# travel, home, animals, ...), as they are in general text.

GENERIC_TOPICS: dict[str, dict[str, list[str]]] = {
    "love": {
        "noun": ["love", "heart", "hug", "kiss", "darling", "sweetheart", "honey", "valentine", "romance", "date",
                 "crush", "couple", "partner", "girlfriend", "boyfriend", "wife", "husband", "wedding", "marriage",
                 "anniversary", "flower", "rose", "dear", "babe", "soulmate", "affection", "feeling", "lover",
                 "relationship", "proposal", "ring", "bride", "groom", "cuddle", "heartbeat", "passion"],
        "verb": ["love", "adore", "miss", "cherish", "hug", "kiss", "marry", "date", "care", "like", "need",
                 "cuddle", "treasure", "propose", "admire", "hold", "meet"],
        "adj": ["lovely", "sweet", "dear", "beloved", "cute", "romantic", "adorable", "caring", "loving",
                "precious", "beautiful", "pretty", "handsome", "attractive", "gorgeous", "charming", "tender",
                "kind", "gentle", "warm", "special", "perfect", "dearest", "sweetest", "loyal", "faithful"],
    },
    "family": {
        "noun": ["family", "mom", "mum", "mother", "dad", "father", "sister", "brother", "baby", "son",
                 "daughter", "grandmother", "grandfather", "grandma", "grandpa", "parent", "child", "kid",
                 "aunt", "uncle", "cousin", "friend", "friendship", "home", "mommy", "daddy", "twin",
                 "niece", "nephew", "bestie", "buddy", "pal", "neighbor", "birthday"],
        "verb": ["visit", "call", "raise", "miss", "hug", "love", "thank", "help", "protect", "trust", "support",
                 "share", "forgive"],
        "adj": ["close", "dear", "proud", "grateful", "thankful", "kind", "best", "little", "young", "old",
                "together", "lucky", "blessed"],
    },
    "sports": {
        "noun": ["baseball", "ball", "game", "team", "player", "coach", "match", "score", "goal", "point", "bat",
                 "pitch", "pitcher", "stadium", "league", "season", "tennis", "soccer", "football", "basketball",
                 "golf", "hockey", "volleyball", "race", "champion", "championship", "tournament", "fan", "field",
                 "court", "inning", "homerun", "sport", "trophy", "medal", "referee", "glove", "helmet", "racket",
                 "gym", "workout", "training", "practice", "marathon", "runner", "swimmer", "bike", "cup",
                 "playoff", "final", "pool", "skate", "ski", "boxing", "run"],
        "verb": ["play", "throw", "catch", "kick", "hit", "pitch", "score", "run", "swim", "jump", "train",
                 "practice", "coach", "win", "lose", "race", "shoot", "pass", "dribble", "tackle", "serve", "bat",
                 "skate", "ride", "exercise", "compete", "cheer", "watch", "join"],
        "adj": ["athletic", "fit", "sporty", "fast", "strong", "competitive", "professional", "olympic", "quick",
                "active", "tough", "defensive", "offensive", "favorite"],
    },
    "joy": {
        "noun": ["joy", "fun", "party", "smile", "laugh", "laughter", "joke", "humor", "comedy", "celebration",
                 "surprise", "gift", "present", "holiday", "vacation", "weekend", "birthday", "festival",
                 "happiness", "luck", "dance", "song", "prank", "grin", "giggle", "cheer", "fiesta", "hooray"],
        "verb": ["laugh", "smile", "celebrate", "enjoy", "dance", "joke", "giggle", "cheer", "grin", "party",
                 "sing", "relax", "play", "amuse", "entertain", "brighten", "chill"],
        "adj": ["happy", "glad", "funny", "fun", "hilarious", "great", "awesome", "amazing", "wonderful",
                "fantastic", "excited", "exciting", "joyful", "cheerful", "delighted", "thrilled", "cool", "nice",
                "good", "excellent", "brilliant", "super", "fabulous", "incredible", "glorious", "merry",
                "jolly", "pleased", "silly", "crazy", "epic", "lucky", "relaxed", "positive"],
        "interjection": ["haha", "ha", "lol", "hehe", "yay", "wow", "hooray", "lmao", "yes", "woohoo", "cool"],
    },
    "success": {
        "noun": ["success", "prize", "award", "promotion", "raise", "achievement", "victory", "job", "result",
                 "grade", "degree", "diploma", "scholarship", "bonus", "congratulations", "congrats", "offer",
                 "acceptance", "graduation", "goal", "record", "progress", "reward", "honor", "win", "approval"],
        "verb": ["win", "pass", "achieve", "succeed", "earn", "accept", "approve", "graduate", "finish",
                 "complete", "deserve", "congratulate", "accomplish", "improve", "solve", "nail", "ace", "beat"],
        "adj": ["proud", "successful", "impressive", "outstanding", "perfect", "accepted", "approved", "well",
                "done", "top", "first", "best", "deserved", "smart", "clever", "talented", "skilled"],
    },
    "sadness": {
        "noun": ["sadness", "tears", "pain", "loss", "grief", "sorrow", "heartbreak", "loneliness", "misery",
                 "regret", "funeral", "goodbye", "breakup", "divorce", "trouble", "problem", "mistake", "failure",
                 "disaster", "accident", "illness", "fever", "headache", "nightmare", "worry", "stress", "fear",
                 "anger", "hate", "rage", "insult", "fight", "argument", "bully", "liar", "idiot", "jerk",
                 "mess", "damage", "rain", "boredom", "shame", "excuse", "complaint"],
        "verb": ["cry", "lose", "fail", "miss", "hate", "hurt", "suffer", "regret", "worry", "complain",
                 "break", "ruin", "forget", "drop", "leave", "quit", "yell", "shout", "scream", "fight", "blame",
                 "annoy", "ignore", "lie", "cheat", "insult", "mourn", "sigh", "struggle", "suck", "die", "stop",
                 "bother", "disappoint", "upset", "waste", "reject", "cancel"],
        "adj": ["sad", "unhappy", "upset", "angry", "mad", "bad", "awful", "terrible", "horrible", "worst",
                "lonely", "alone", "depressed", "miserable", "disappointed", "disappointing", "heartbroken",
                "sick", "ill", "tired", "exhausted", "stressed", "worried", "afraid", "scared", "anxious",
                "nervous", "sorry", "boring", "bored", "annoying", "annoyed", "stupid", "dumb", "rude", "mean",
                "unfair", "broken", "poor", "poorly", "hopeless", "useless", "gloomy", "frustrated",
                "furious", "hard", "difficult", "wrong", "serious", "late", "dead", "empty", "jealous"],
        "interjection": ["ugh", "no", "sigh", "alas", "damn", "oh", "never"],
    },
    "food": {
        "noun": ["food", "meal", "dinner", "lunch", "breakfast", "brunch", "supper", "snack", "dessert",
                 "restaurant", "kitchen", "menu", "recipe", "chef", "cook", "pizza", "pasta", "spaghetti",
                 "burger", "sandwich", "salad", "soup", "steak", "chicken", "beef", "pork", "fish", "sushi",
                 "rice", "noodles", "bread", "toast", "cheese", "egg", "bacon", "fries", "potato", "tomato",
                 "cake", "cookie", "pie", "candy", "chocolate", "icecream", "cream", "fruit", "apple", "banana",
                 "orange", "strawberry", "vegetable", "carrot", "bean", "tacos", "burrito", "curry", "pancake",
                 "waffle", "cereal", "yogurt", "butter", "sugar", "salt", "pepper", "sauce", "coffee", "tea",
                 "juice", "milk", "water", "wine", "beer", "soda", "drink", "plate", "bowl", "fork", "knife",
                 "spoon", "oven", "stove", "grill", "bakery", "grocery", "hunger", "appetite", "taste", "flavor",
                 "dish", "buffet", "picnic", "macaroni", "muffin", "donut", "bagel", "sausage", "shrimp",
                 "lobster", "chips", "popcorn", "onion", "garlic", "lemon", "peach", "grape", "melon", "nut",
                 "dumpling", "omelet", "honey"],
        "verb": ["eat", "cook", "bake", "taste", "order", "drink", "grill", "fry", "boil", "roast", "chew",
                 "bite", "feed", "serve", "dine", "crave", "starve", "swallow", "sip", "munch", "snack", "peel",
                 "chop", "stir", "share", "prepare", "devour", "try"],
        "adj": ["hungry", "starving", "delicious", "tasty", "yummy", "spicy", "sweet", "salty", "sour", "fresh",
                "hot", "cold", "crispy", "juicy", "full", "thirsty", "healthy", "homemade", "baked", "fried",
                "cooked", "raw", "vegan", "vegetarian", "cheesy", "creamy", "savory", "edible", "greasy"],
    },
    "work": {
        "noun": ["work", "job", "office", "boss", "meeting", "email", "project", "deadline", "report", "manager",
                 "company", "client", "colleague", "team", "salary", "contract", "interview", "career", "task",
                 "shift", "schedule", "desk", "business", "customer", "presentation", "plan", "budget",
                 "document", "paper", "file", "printer", "message", "call", "conference", "hour", "overtime"],
        "verb": ["work", "write", "send", "finish", "start", "manage", "hire", "fire", "apply", "print",
                 "call", "answer", "reply", "check", "review", "sign", "schedule", "plan", "organize", "present",
                 "discuss", "type", "read", "attend", "deliver"],
        "adj": ["busy", "late", "early", "important", "urgent", "long", "short", "new", "final", "weekly",
                "daily", "professional", "ready", "free"],
    },
    "school": {
        "noun": ["school", "class", "exam", "test", "homework", "teacher", "student", "assignment", "grade",
                 "course", "lesson", "lecture", "university", "college", "professor", "book", "library",
                 "question", "answer", "essay", "quiz", "math", "science", "history", "exercise", "semester",
                 "classmate", "notebook", "pencil", "pen", "study", "subject", "program", "code",
                 "computer", "laptop", "project", "knowledge", "idea", "language", "word"],
        "verb": ["study", "learn", "teach", "read", "write", "pass", "fail", "answer", "ask", "explain",
                 "understand", "memorize", "solve", "practice", "grade", "code", "program", "submit", "think",
                 "know", "remember", "forget", "calculate", "train", "perform", "test"],
        "adj": ["smart", "difficult", "easy", "hard", "long", "simple", "clear", "correct", "wrong", "right",
                "interesting", "boring", "complicated", "final", "deep", "bright"],
    },
    "weather": {
        "noun": ["weather", "rain", "snow", "sun", "wind", "storm", "cloud", "sky", "summer", "winter", "spring",
                 "autumn", "fall", "temperature", "forecast", "umbrella", "thunder", "fog", "ice", "heat",
                 "morning", "evening", "night", "day"],
        "verb": ["rain", "snow", "shine", "blow", "freeze", "melt", "warm", "cool", "pour"],
        "adj": ["sunny", "rainy", "cloudy", "windy", "cold", "hot", "warm", "cool", "wet", "dry", "stormy",
                "foggy", "freezing", "humid", "clear", "bright", "dark", "grey"],
    },
    "travel": {
        "noun": ["trip", "travel", "flight", "plane", "airport", "train", "station", "bus", "car", "taxi",
                 "hotel", "beach", "ocean", "sea", "mountain", "city", "country", "map", "ticket", "passport",
                 "luggage", "bag", "road", "street", "tour", "journey", "place", "town", "island", "lake",
                 "river", "park", "camp", "visit", "world", "abroad"],
        "verb": ["travel", "fly", "drive", "go", "leave", "arrive", "visit", "explore", "walk", "ride", "pack",
                 "book", "stay", "return", "move", "come", "wait", "take", "catch", "miss"],
        "adj": ["far", "near", "foreign", "local", "long", "short", "early", "late", "crowded", "quiet",
                "beautiful", "famous", "new", "old", "big", "small"],
    },
    "home": {
        "noun": ["house", "home", "room", "bed", "bedroom", "sofa", "couch", "door", "window", "garden", "yard",
                 "floor", "wall", "roof", "chair", "table", "lamp", "kitchen", "bathroom", "shower", "key",
                 "apartment", "neighbor", "dishes", "laundry", "clothes", "jacket", "shirt", "shoes", "dress",
                 "hat", "coat", "pants", "jeans", "sweater", "television", "tv", "movie", "film", "show",
                 "series", "music", "song", "guitar", "piano", "band", "concert", "radio", "phone", "text",
                 "picture", "photo", "camera", "video", "internet", "game", "toy", "puzzle", "blanket", "pillow"],
        "verb": ["clean", "wash", "sleep", "wake", "sit", "stay", "open", "close", "fix", "paint", "build",
                 "watch", "listen", "sing", "play", "read", "text", "call", "buy", "wear", "rest", "nap",
                 "shop", "sell", "dress", "dance", "draw", "knit"],
        "adj": ["clean", "dirty", "messy", "tidy", "comfortable", "cozy", "quiet", "noisy", "loud", "new",
                "old", "nice", "ugly", "expensive", "cheap", "small", "large", "favorite", "soft"],
    },
    "animals": {
        "noun": ["dog", "cat", "puppy", "kitten", "bird", "horse", "cow", "pig", "sheep", "fish", "rabbit",
                 "mouse", "lion", "tiger", "bear", "monkey", "elephant", "duck", "chicken", "snake", "frog",
                 "pet", "zoo", "farm", "animal", "tail", "fur", "wing", "nest"],
        "verb": ["bark", "feed", "walk", "pet", "adopt", "chase", "bite", "fly", "swim", "sleep", "hunt"],
        "adj": ["wild", "tame", "furry", "fluffy", "cute", "tiny", "huge", "lazy", "loyal", "fierce"],
    },
    "money": {
        "noun": ["money", "bank", "bill", "price", "cost", "cash", "card", "rent", "tax", "loan", "debt",
                 "wallet", "dollar", "euro", "coin", "purchase", "sale", "store", "shop", "market", "mall"],
        "verb": ["pay", "buy", "spend", "save", "earn", "borrow", "lend", "owe", "sell", "cost", "afford",
                 "steal", "rob", "invest"],
        "adj": ["rich", "poor", "expensive", "cheap", "free", "broke", "costly", "worth", "wealthy"],
    },
}

FUNCTION_WORDS = [
    "i", "you", "he", "she", "we", "they", "it", "me", "him", "her", "us", "them", "my", "your", "his", "our",
    "their", "its", "mine", "yours", "myself", "yourself", "the", "a", "an", "this", "that", "these", "those",
    "is", "am", "are", "was", "were", "be", "been", "being", "to", "of", "in", "on", "at", "for", "with",
    "and", "but", "or", "not", "no", "so", "very", "really", "too", "just", "what", "how", "why", "where",
    "when", "who", "which", "do", "does", "did", "can", "could", "will", "would", "should", "must", "may",
    "have", "has", "had", "get", "gets", "got", "go", "goes", "went", "going", "gone", "want", "wants",
    "wanted", "let", "lets", "up", "down", "out", "all", "some", "any", "again", "today", "tonight",
    "tomorrow", "yesterday", "now", "soon", "ever", "never", "always", "often", "sometimes", "much", "many",
    "more", "most", "about", "after", "before", "from", "by", "over", "back", "off", "yes", "ok", "okay",
    "please", "thanks", "thank", "there", "here", "if", "because", "than", "then", "as", "like", "such",
    "one", "two", "three", "first", "last", "next", "every", "each", "other", "another", "someone",
    "everyone", "nobody", "something", "everything", "nothing", "anything", "time", "day", "week", "year",
    "still", "already", "also", "only", "even", "well", "maybe", "sure", "lot", "little", "bit",
    "dont", "cant", "wont", "im", "thats", "ive", "youre", "didnt", "doesnt", "isnt", "u",
]

IRREGULAR_PAST = {
    "eat": "ate", "win": "won", "lose": "lost", "make": "made", "buy": "bought", "bring": "brought",
    "catch": "caught", "teach": "taught", "think": "thought", "feel": "felt", "hit": "hit", "run": "ran",
    "throw": "threw", "get": "got", "give": "gave", "go": "went", "see": "saw", "take": "took", "break": "broke",
    "forget": "forgot", "leave": "left", "meet": "met", "say": "said", "tell": "told", "drink": "drank",
    "sing": "sang", "swim": "swam", "ride": "rode", "drive": "drove", "write": "wrote", "read": "read",
    "fall": "fell", "keep": "kept", "sleep": "slept", "spend": "spent", "pay": "paid", "find": "found",
    "hold": "held", "stand": "stood", "understand": "understood", "fight": "fought", "cut": "cut", "put": "put",
    "let": "let", "hurt": "hurt", "beat": "beat", "sit": "sat", "begin": "began", "come": "came", "do": "did",
    "have": "had", "know": "knew", "lead": "led", "shoot": "shot", "steal": "stole", "wake": "woke",
    "wear": "wore", "fly": "flew", "bite": "bit", "sell": "sold", "send": "sent", "lend": "lent",
    "freeze": "froze", "build": "built", "quit": "quit", "lie": "lied", "cost": "cost", "draw": "drew",
    "blow": "blew", "shine": "shone", "feed": "fed", "hang": "hung", "swing": "swung", "light": "lit",
}
DOUBLE_FINAL = {"stop", "plan", "hug", "jog", "shop", "chat", "drop", "grab", "rob", "beg", "skip", "admit",
                "swim", "run", "win", "hit", "cut", "put", "get", "sit", "begin", "forget", "stir", "chop",
                "dribble", "pet", "bat", "nap", "chug", "rub", "clap", "trip", "kid", "tap", "knit", "sip",
                "chill", "spin", "shut", "set", "submit", "commit", "regret", "upset"}
IRREGULAR_PLURAL = {"child": "children", "man": "men", "woman": "women", "person": "people", "foot": "feet",
                    "tooth": "teeth", "mouse": "mice", "knife": "knives", "wife": "wives", "life": "lives",
                    "leaf": "leaves", "sheep": "sheep", "fish": "fish", "tomato": "tomatoes",
                    "potato": "potatoes", "fries": "fries", "noodles": "noodles", "tears": "tears",
                    "dishes": "dishes", "clothes": "clothes", "pants": "pants", "jeans": "jeans",
                    "chips": "chips", "tacos": "tacos", "news": "news", "congratulations": "congratulations",
                    "congrats": "congrats"}
VOWELS = set("aeiou")


def _ends_consonant_y(word: str) -> bool:
    return len(word) > 1 and word.endswith("y") and word[-2] not in VOWELS


def verb_forms(verb: str) -> dict[str, str]:
    """``base``, ``third`` (he ...s), ``past`` and ``ing`` forms of an English verb (common irregulars listed)."""
    if verb in ("be",):
        return {"base": "be", "third": "is", "past": "was", "ing": "being"}
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        third = verb + "es"
    elif _ends_consonant_y(verb):
        third = verb[:-1] + "ies"
    else:
        third = verb + "s"
    double = verb in DOUBLE_FINAL and verb[-1] not in "wxy" and not verb.endswith(("ll", "ot"))
    if verb.endswith("ie"):
        ing = verb[:-2] + "ying"
    elif verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        ing = verb[:-1] + "ing"
    elif double or (verb in DOUBLE_FINAL and verb[-1] not in "wxy"):
        ing = verb + verb[-1] + "ing"
    else:
        ing = verb + "ing"
    if verb in IRREGULAR_PAST:
        past = IRREGULAR_PAST[verb]
    elif verb.endswith("e"):
        past = verb + "d"
    elif _ends_consonant_y(verb):
        past = verb[:-1] + "ied"
    elif verb in DOUBLE_FINAL:
        past = verb + verb[-1] + "ed"
    else:
        past = verb + "ed"
    if verb == "have":
        third = "has"
    if verb == "do":
        third = "does"
    if verb == "go":
        third = "goes"
    return {"base": verb, "third": third, "past": past, "ing": ing}


def plural(noun: str) -> str:
    """The plural of an English noun (common irregulars listed)."""
    if noun in IRREGULAR_PLURAL:
        return IRREGULAR_PLURAL[noun]
    if noun.endswith(("s", "sh", "ch", "x", "z")):
        return noun + "es"
    if _ends_consonant_y(noun):
        return noun[:-1] + "ies"
    return noun + "s"


SUBJECTS = [("i", "base", "am"), ("you", "base", "are"), ("we", "base", "are"), ("they", "base", "are"),
            ("he", "third", "is"), ("she", "third", "is"), ("my friend", "third", "is"),
            ("everyone", "third", "is"), ("my sister", "third", "is"), ("people", "base", "are")]
DETERMINERS = ["the", "a", "my", "your", "his", "her", "our", "their", "this", "that", "some", "every"]
INTENSIFIERS = ["", "", "very", "so", "really", "too", "quite", "always", "not", "never", "a bit", "super"]
TIMES = ["", "", "today", "yesterday", "tonight", "again", "this morning", "last night", "this week",
         "every day", "so much", "a lot", "now", "after work", "at last"]
INTERJECTIONS = ["oh", "wow", "well", "hey"]
QUESTIONS = ["where is", "what is", "how is", "why is", "who has", "do you like", "did you see", "can we get"]
PREPOSITIONS = ["with", "for", "at", "in", "after", "before", "about", "near", "without"]
NEUTRAL_TOPICS_EN = ["work", "school", "weather", "travel", "home", "animals", "money"]
FEELING_TOPICS = ["love", "family", "sports", "joy", "success", "sadness", "food"]
GENERIC_TEMPLATES = [
    "{S} {V} {O}", "{S} {Vpast} {O} {T}", "{S} {be} {I} {A}", "{O} {was} {I} {A}", "{S} want to {Vbase} {O}",
    "lets {Vbase} {O} {T}", "{S} {be} {Ving} {O}", "{S} {feel} {I} {A}", "{A} {N}", "{X} {S} {V} {O}",
    "{S} {V} {O} and {O2}", "{Q} {O}", "{S} {be} {A} about {O}", "{S} {dont} {Vbase} {O}",
    "{O} {was} {A} and {A2}", "{S} {Vpast} {O} {P} {O2}", "{S} {be} {D} {A} {N}", "{Np} are {I} {A}",
    "{X} {X2} {A}", "{S} {V} {Np}", "{S} will {Vbase} {O} {T}", "{I} {A} {T}", "{S} {V} {O} because it is {A}",
    "{F} {S} {V} {O} {F2}", "{F} {N} {F2} {A}", "{S} {F} {Vbase} {F2} {O}",
]


def _template_fields(template: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(template) if field]


def _fill(template: str, rng: random.Random, topic: dict[str, list[str]], other: dict[str, list[str]]) -> str:
    """One sentence of ``template`` with words of ``topic`` (and ``other`` for the second object and adjective)."""
    subject, person, be = rng.choice(SUBJECTS)
    verb = verb_forms(rng.choice(topic["verb"]))
    det = rng.choice(DETERMINERS)
    noun = rng.choice(topic["noun"])
    makers = {
        "S": lambda: subject, "V": lambda: verb[person] if rng.random() < 0.6 else verb["past"],
        "Vpast": lambda: verb["past"], "Vbase": lambda: verb["base"], "Ving": lambda: verb["ing"],
        "be": lambda: be, "was": lambda: rng.choice(("was", "is")),
        "O": lambda: f"{det} {noun}" if rng.random() < 0.7 else plural(noun),
        "O2": lambda: f"{rng.choice(DETERMINERS)} {rng.choice(other['noun'])}",
        "N": lambda: noun, "Np": lambda: plural(noun), "A": lambda: rng.choice(topic["adj"]),
        "A2": lambda: rng.choice(other["adj"]), "I": lambda: rng.choice(INTENSIFIERS), "T": lambda: rng.choice(TIMES),
        "Q": lambda: rng.choice(QUESTIONS), "P": lambda: rng.choice(PREPOSITIONS),
        "D": lambda: rng.choice(("a", "the", "my", "such a")),
        "X": lambda: rng.choice(topic.get("interjection", INTERJECTIONS)),
        "X2": lambda: rng.choice(topic.get("interjection", INTERJECTIONS)),
        "F": lambda: rng.choice(FUNCTION_WORDS), "F2": lambda: rng.choice(FUNCTION_WORDS),
        "feel": lambda: rng.choice(("feel", "felt", "am", "look", "seem", "was")),
        "dont": lambda: rng.choice(("dont", "do not", "did not", "never", "cant", "will not")),
    }
    return template.format(**{field: makers[field]() for field in _template_fields(template)})


def generic_corpus(n_sentences: int = 40000, seed: int = 0, mix: float = 0.25) -> list[list[str]]:
    """Generated generic English: ``n_sentences`` token lists, each about one topic of
    :data:`GENERIC_TOPICS` (verbs conjugated, nouns in the singular or plural, function words around
    them); a share ``mix`` of the sentences puts a second topic's noun or adjective beside the first
    topic's words ("i failed the exam", "the trip was wonderful"). Deterministic in ``seed``."""
    rng = random.Random(seed)
    topics = [GENERIC_TOPICS[name] for name in sorted(GENERIC_TOPICS)]
    out = []
    for _ in range(n_sentences):
        topic = rng.choice(topics)
        other = rng.choice(topics) if rng.random() < mix else topic
        out.append(_fill(rng.choice(GENERIC_TEMPLATES), rng, topic, other).split())
    return out


def emojify_vector_corpus(
    sentences: Sequence[str], repeats: int = 20, n_generic: int = 40000, seed: int = 0,
) -> list[list[str]]:
    """The corpus Emojify's offline vectors are trained on: :func:`generic_corpus` (``n_generic``
    sentences) and the tokenised (lower-cased, whitespace-split) training ``sentences``, each
    ``repeats`` times, shuffled."""
    out = generic_corpus(n_generic, seed=seed) if n_generic else []
    out += [str(s).lower().split() for s in sentences for _ in range(repeats)]
    order = np.random.default_rng(seed).permutation(len(out))
    return [out[i] for i in order]
