"""Parsing of quiz files: the quiz's settings and its questions of each type, validated with errors
that name the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.courses.checks import Checker
from app.courses.yamlnodes import Path
from app.text import nfc, text_key

QUESTION_KINDS = ("single_choice", "multiple_choice", "true_false", "short_answer", "matching")
GRADING_RULES = ("highest", "last")
REVIEW_RULES = ("immediately", "after_passing", "after_close", "never")
SCORING_RULES = ("all_or_nothing", "partial")
MAX_PAIRS = 10
MAX_DISTRACTORS = 10
QUIZ_FIELDS = (
    "id",
    "title",
    "pass_mark",
    "time_limit_minutes",
    "max_attempts",
    "grading",
    "draw",
    "shuffle_questions",
    "shuffle_choices",
    "review",
    "questions",
)


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    kind: str
    text: str
    explanation: str
    spec: dict[str, Any]


@dataclass(frozen=True)
class QuizSpec:
    """A quiz as its file describes it. None means "no limit" for the time, the attempts and the
    number of questions drawn (all of them)."""

    id: str
    title: str
    pass_mark: int | None
    questions: tuple[QuestionSpec, ...]
    time_limit_minutes: int | None = None
    max_attempts: int | None = None
    grading: str = "highest"
    draw: int | None = None
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    review: str = "immediately"


def parse_quiz(data: Any, check: Checker) -> QuizSpec | None:
    root = check.mapping(data, ())
    if root is None:
        return None
    for key in root:
        # A mistyped setting would otherwise be ignored in silence, and the quiz run without it.
        if key not in QUIZ_FIELDS:
            check.error(
                (str(key),), f"'{key}' is not a field of a quiz; use one of: " + ", ".join(QUIZ_FIELDS)
            )
    quiz_id = check.slug(root, ())
    title = check.text(root, (), "title")
    pass_mark = check.integer(root, (), "pass_mark", required=False, low=0, high=100)
    questions: list[QuestionSpec] = []
    seen: dict[str, Path] = {}
    raw_questions = check.items(root, (), "questions")
    settings = _settings(root, check, len(raw_questions))
    for i, raw in enumerate(raw_questions):
        question = _question(raw, ("questions", i), check, seen)
        if question is not None:
            questions.append(question)
    if quiz_id is None or title is None or len(check.errors):
        return None
    return QuizSpec(quiz_id, title, pass_mark, tuple(questions), **settings)


def _settings(root: dict[str, Any], check: Checker, n_questions: int) -> dict[str, Any]:
    return {
        "time_limit_minutes": check.integer(root, (), "time_limit_minutes", required=False, low=1, high=600),
        "max_attempts": check.integer(root, (), "max_attempts", required=False, low=1, high=100),
        "grading": check.choice(root, (), "grading", GRADING_RULES, default="highest"),
        # Drawing more questions than the quiz has would silently give everyone the whole quiz.
        "draw": check.integer(root, (), "draw", required=False, low=1, high=max(n_questions, 1)),
        "shuffle_questions": check.boolean(root, (), "shuffle_questions", default=False),
        "shuffle_choices": check.boolean(root, (), "shuffle_choices", default=False),
        "review": check.choice(root, (), "review", REVIEW_RULES, default="immediately"),
    }


def _question(raw: Any, path: Path, check: Checker, seen: dict[str, Path]) -> QuestionSpec | None:
    data = check.mapping(raw, path)
    if data is None:
        return None
    qid = check.slug(data, path)
    check.unique(seen, qid, (*path, "id"), "question")
    kind = check.get(data, path, "type")
    text = check.text(data, path, "text", max_len=4000)
    explanation = check.text(data, path, "explanation", max_len=4000)
    if kind is not None and kind not in QUESTION_KINDS:
        check.error(
            (*path, "type"), f"'{kind}' is not a question type; use one of: " + ", ".join(QUESTION_KINDS)
        )
        return None
    spec: dict[str, Any] | None = None
    if kind in ("single_choice", "multiple_choice"):
        spec = _choices(data, path, check, single=kind == "single_choice")
    elif kind == "true_false":
        answer = data.get("answer")
        if not isinstance(answer, bool):
            check.error((*path, "answer"), "must be true or false")
        else:
            spec = {"answer": answer}
    elif kind == "short_answer":
        spec = _short_answer(data, path, check)
    elif kind == "matching":
        spec = _matching(data, path, check)
    if qid is None or kind is None or text is None or explanation is None or spec is None:
        return None
    return QuestionSpec(qid, kind, text, explanation, spec)


def _choices(data: dict[str, Any], path: Path, check: Checker, *, single: bool) -> dict[str, Any] | None:
    choices: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    before = len(check.errors)
    raw_choices = check.items(data, path, "choices", minimum=2)
    for j, raw in enumerate(raw_choices):
        cpath = (*path, "choices", j)
        choice = check.mapping(raw, cpath)
        if choice is None:
            continue
        cid = check.slug(choice, cpath)
        check.unique(seen, cid, (*cpath, "id"), "choice")
        ctext = check.text(choice, cpath, "text", max_len=1000)
        correct = check.boolean(choice, cpath, "correct", default=False)
        if cid is not None and ctext is not None:
            choices.append({"id": cid, "text": ctext, "correct": correct})
    n_correct = sum(1 for c in choices if c["correct"])
    if single and raw_choices and n_correct != 1:
        check.error(
            (*path, "choices"),
            f"a single_choice question needs exactly one choice with 'correct: true' (found {n_correct})",
        )
    if not single and raw_choices and n_correct == 0:
        check.error((*path, "choices"), "mark at least one choice with 'correct: true'")
    spec: dict[str, Any] = {"choices": choices}
    if not single:
        spec["scoring"] = check.choice(data, path, "scoring", SCORING_RULES, default="all_or_nothing")
    return spec if len(check.errors) == before else None


def _short_answer(data: dict[str, Any], path: Path, check: Checker) -> dict[str, Any] | None:
    answers = check.items(data, path, "answers")
    ignore_accents = check.boolean(data, path, "ignore_accents", default=False)
    cleaned: list[str] = []
    for j, answer in enumerate(answers):
        if isinstance(answer, bool) or not isinstance(answer, str | int | float) or not str(answer).strip():
            check.error((*path, "answers", j), "must be non-empty text")
            continue
        cleaned.append(nfc(str(answer)).strip())
    if not cleaned:
        return None
    return {"answers": cleaned, "ignore_accents": ignore_accents}


def _matching(data: dict[str, Any], path: Path, check: Checker) -> dict[str, Any] | None:
    before = len(check.errors)
    pairs: list[dict[str, str]] = []
    ids: dict[str, Path] = {}
    # Texts are told apart ignoring case and spacing, as a learner reading them would; each
    # dict maps a text's key to where it was first written, for the error message.
    lefts: dict[str, str] = {}
    rights: dict[str, str] = {}
    for j, raw in enumerate(check.items(data, path, "pairs", minimum=2, maximum=MAX_PAIRS)):
        ppath = (*path, "pairs", j)
        pair = check.mapping(raw, ppath)
        if pair is None:
            continue
        pid = check.slug(pair, ppath)
        check.unique(ids, pid, (*ppath, "id"), "pair")
        left = check.text(pair, ppath, "left", max_len=500)
        right = check.text(pair, ppath, "right", max_len=300)
        _distinct(check, lefts, left, (*ppath, "left"), f"pairs[{j + 1}].left", "every left-hand text")
        _distinct(check, rights, right, (*ppath, "right"), f"pairs[{j + 1}].right", "every right-hand text")
        if pid is not None and left is not None and right is not None:
            pairs.append({"id": pid, "left": left, "right": right})
    distractors: list[str] = []
    raw_distractors = check.items(
        data, path, "distractors", minimum=0, maximum=MAX_DISTRACTORS, required=False
    )
    for k, raw in enumerate(raw_distractors):
        dpath = (*path, "distractors", k)
        text = check.text_value(raw, dpath, max_len=300)
        # A distractor equal to a right-hand text would make that pair's answer ambiguous.
        _distinct(check, rights, text, dpath, f"distractors[{k + 1}]", "every right-hand option")
        if text is not None:
            distractors.append(text)
    scoring = check.choice(data, path, "scoring", SCORING_RULES, default="all_or_nothing")
    if len(check.errors) != before:
        return None
    return {"pairs": pairs, "distractors": distractors, "scoring": scoring}


def _distinct(
    check: Checker, seen: dict[str, str], text: str | None, path: Path, name: str, what: str
) -> None:
    if text is None:
        return
    key = text_key(text)
    if key in seen:
        check.error(path, f"repeats the text of {seen[key]}; {what} must be different")
    else:
        seen[key] = name
