"""Grading of quiz answers, pure: no database, no clock and no randomness of its own.

For every question kind this module owns the canonical shape of an answer (normalise_answer), the
share of credit an answer earns (grade), what a learner may see of a question before review
(public_view) and the correct answer shown at review (correct_view). `spec` is the dict that
app.courses.quizfile builds for the question, as stored with it.

Canonical answers: single_choice a choice id (str); multiple_choice a list of choice ids in the
file's order; true_false a bool; short_answer the text as typed with its spacing tidied (at most
500 characters); matching a dict from pair id to the chosen right-hand text, exactly as written in
the file."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.text import collation_key, fold, squash, text_key

Spec = dict[str, Any]

MAX_SHORT_ANSWER = 500
# Input longer than this cannot be a matching option (the parser allows 300 characters), so it is
# dropped before any work is spent on it.
MAX_OPTION_INPUT = 1000


def grade(kind: str, spec: Spec, answer: object) -> float:
    """The share of the question's credit that `answer` earns, from 0 to 1.

    An answer of the wrong shape, or one naming ids the question does not have, earns 0: the
    engine stores only what normalise_answer returned, so anything else is not a learner's
    answer. An unknown kind is a programming error and raises ValueError."""
    return _kind(kind).grade(spec, answer)


def normalise_answer(kind: str, spec: Spec, raw: object) -> object | None:
    """Untrusted input (form fields or JSON) in the canonical shape of `kind`, or None when
    nothing usable is left. Unknown ids and options are dropped; text is trimmed and capped."""
    return _kind(kind).normalise(spec, raw)


def public_view(kind: str, spec: Spec, *, rng: random.Random | None, shuffle_choices: bool) -> dict[str, Any]:
    """What a learner may see of a question before review: never which choice is correct, the
    accepted answers, or which right-hand text belongs to which left-hand item.

    With `shuffle_choices` and an `rng`, choices (and the left-hand items of a matching question)
    come in the rng's order. The right-hand options of a matching question never follow the
    pairs: they are shuffled whenever an rng is given, otherwise sorted in Vietnamese alphabetical
    order, so their order says nothing about the pairing. Pass an rng seeded per attempt so a
    reloaded page shows the same order."""
    return _kind(kind).public(spec, rng if shuffle_choices else None, rng)


def correct_view(kind: str, spec: Spec) -> dict[str, Any]:
    """The correct answer for review pages. Its "answer" key holds it in the canonical shape, so
    grade(kind, spec, correct_view(kind, spec)["answer"]) is 1."""
    return _kind(kind).correct(spec)


# single_choice and multiple_choice


def _correct_ids(spec: Spec) -> list[str]:
    return [str(c["id"]) for c in spec["choices"] if c["correct"]]


def _grade_single(spec: Spec, answer: object) -> float:
    return 1.0 if isinstance(answer, str) and answer in _correct_ids(spec) else 0.0


def _grade_multiple(spec: Spec, answer: object) -> float:
    if not isinstance(answer, list) or not all(isinstance(x, str) for x in answer):
        return 0.0
    picked = set(answer)
    if not picked <= {c["id"] for c in spec["choices"]}:
        return 0.0
    correct = set(_correct_ids(spec))
    if spec.get("scoring") == "partial":
        # Wrong picks cancel right ones, so ticking every box earns nothing for free.
        return max(0.0, (len(picked & correct) - len(picked - correct)) / len(correct))
    return 1.0 if picked == correct else 0.0


def _normalise_single(spec: Spec, raw: object) -> str | None:
    value = _one_string(raw)
    if value is None:
        return None
    value = value.strip()
    return value if value in {c["id"] for c in spec["choices"]} else None


def _normalise_multiple(spec: Spec, raw: object) -> list[str] | None:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple | set | frozenset):
        return None
    chosen = {x.strip() for x in items if isinstance(x, str)}
    return [c["id"] for c in spec["choices"] if c["id"] in chosen] or None


def _public_choices(spec: Spec, order: random.Random | None, _: random.Random | None) -> dict[str, Any]:
    choices = [{"id": c["id"], "text": c["text"]} for c in spec["choices"]]
    if order is not None:
        order.shuffle(choices)
    view: dict[str, Any] = {"choices": choices}
    if "scoring" in spec:
        view["scoring"] = spec["scoring"]
    return view


def _correct_single(spec: Spec) -> dict[str, Any]:
    return {"answer": _correct_ids(spec)[0], "choices": [dict(c) for c in spec["choices"]]}


def _correct_multiple(spec: Spec) -> dict[str, Any]:
    choices = [dict(c) for c in spec["choices"]]
    return {"answer": _correct_ids(spec), "choices": choices, "scoring": spec["scoring"]}


# true_false


def _grade_true_false(spec: Spec, answer: object) -> float:
    return 1.0 if isinstance(answer, bool) and answer == spec["answer"] else 0.0


def _normalise_true_false(spec: Spec, raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    value = _one_string(raw)
    word = value.strip().casefold() if value is not None else None
    return {"true": True, "false": False}.get(word) if word is not None else None


def _public_nothing(spec: Spec, order: random.Random | None, _: random.Random | None) -> dict[str, Any]:
    return {}


def _correct_true_false(spec: Spec) -> dict[str, Any]:
    return {"answer": bool(spec["answer"])}


# short_answer


def _short_key(value: str, *, ignore_accents: bool) -> str:
    return fold(value) if ignore_accents else text_key(value)


def _grade_short(spec: Spec, answer: object) -> float:
    if not isinstance(answer, str):
        return 0.0
    ignore_accents = bool(spec.get("ignore_accents"))
    key = _short_key(answer[: 4 * MAX_SHORT_ANSWER], ignore_accents=ignore_accents)
    accepted = {_short_key(a, ignore_accents=ignore_accents) for a in spec["answers"]}
    return 1.0 if key and key in accepted else 0.0


def _normalise_short(spec: Spec, raw: object) -> str | None:
    value = _one_string(raw)
    if value is None:
        return None
    # Control and invisible format characters are dropped: they cannot be typed on purpose,
    # PostgreSQL refuses NUL, and a pasted zero-width space would make a right answer wrong.
    visible = "".join(ch for ch in value[: 4 * MAX_SHORT_ANSWER] if ch.isprintable() or ch.isspace())
    text = squash(visible)[:MAX_SHORT_ANSWER].rstrip()
    return text or None


def _public_short(spec: Spec, order: random.Random | None, _: random.Random | None) -> dict[str, Any]:
    return {"max_length": MAX_SHORT_ANSWER}


def _correct_short(spec: Spec) -> dict[str, Any]:
    answers = list(spec["answers"])
    return {"answer": answers[0], "answers": answers, "ignore_accents": bool(spec.get("ignore_accents"))}


# matching


def _options(spec: Spec) -> list[str]:
    return [p["right"] for p in spec["pairs"]] + list(spec.get("distractors", []))


def _grade_matching(spec: Spec, answer: object) -> float:
    if not isinstance(answer, dict):
        return 0.0
    pairs = spec["pairs"]
    ids = {p["id"] for p in pairs}
    if not all(isinstance(k, str) and k in ids and isinstance(v, str) for k, v in answer.items()):
        return 0.0
    right = sum(1 for p in pairs if p["id"] in answer and text_key(answer[p["id"]]) == text_key(p["right"]))
    if spec.get("scoring") == "partial":
        return right / len(pairs)
    return 1.0 if right == len(pairs) else 0.0


def _normalise_matching(spec: Spec, raw: object) -> dict[str, str] | None:
    if not isinstance(raw, dict):
        return None
    options = {text_key(o): o for o in _options(spec)}
    chosen: dict[str, str] = {}
    for pair in spec["pairs"]:
        value = _one_string(raw.get(pair["id"]))
        if value is not None and len(value) <= MAX_OPTION_INPUT:
            option = options.get(text_key(value))
            if option is not None:
                chosen[pair["id"]] = option
    return chosen or None


def _public_matching(spec: Spec, order: random.Random | None, rng: random.Random | None) -> dict[str, Any]:
    left = [{"id": p["id"], "text": p["left"]} for p in spec["pairs"]]
    if order is not None:
        order.shuffle(left)
    options = _options(spec)
    # Pair order would give the answer away, so the options are shuffled even when the quiz
    # does not ask for shuffling, and sorted by text when no rng is at hand.
    if rng is not None:
        rng.shuffle(options)
    else:
        options.sort(key=lambda text: (collation_key(text), text))
    return {"left": left, "options": options, "scoring": spec["scoring"]}


def _correct_matching(spec: Spec) -> dict[str, Any]:
    pairs = [dict(p) for p in spec["pairs"]]
    return {
        "answer": {p["id"]: p["right"] for p in pairs},
        "pairs": pairs,
        "distractors": list(spec.get("distractors", [])),
        "scoring": spec["scoring"],
    }


# dispatch


def _one_string(raw: object) -> str | None:
    """A string, or the only string of a one-item list (how some forms send a single field)."""
    if isinstance(raw, list | tuple) and len(raw) == 1:
        raw = raw[0]
    return raw if isinstance(raw, str) else None


@dataclass(frozen=True)
class _Kind:
    grade: Callable[[Spec, object], float]
    normalise: Callable[[Spec, object], object | None]
    # (spec, rng for choice order or None, rng for matching options or None)
    public: Callable[[Spec, random.Random | None, random.Random | None], dict[str, Any]]
    correct: Callable[[Spec], dict[str, Any]]


_KINDS = {
    "single_choice": _Kind(_grade_single, _normalise_single, _public_choices, _correct_single),
    "multiple_choice": _Kind(_grade_multiple, _normalise_multiple, _public_choices, _correct_multiple),
    "true_false": _Kind(_grade_true_false, _normalise_true_false, _public_nothing, _correct_true_false),
    "short_answer": _Kind(_grade_short, _normalise_short, _public_short, _correct_short),
    "matching": _Kind(_grade_matching, _normalise_matching, _public_matching, _correct_matching),
}
KINDS = tuple(_KINDS)


def _kind(kind: str) -> _Kind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown question kind {kind!r}") from None
