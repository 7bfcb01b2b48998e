"""Parsing of quiz files: questions of each type, validated with errors that name the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.courses.checks import Checker
from app.courses.yamlnodes import Path
from app.text import nfc

QUESTION_KINDS = ("single_choice", "multiple_choice", "true_false", "short_answer")


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    kind: str
    text: str
    explanation: str
    spec: dict[str, Any]


@dataclass(frozen=True)
class QuizSpec:
    id: str
    title: str
    pass_mark: int | None
    questions: tuple[QuestionSpec, ...]


def parse_quiz(data: Any, check: Checker) -> QuizSpec | None:
    root = check.mapping(data, ())
    if root is None:
        return None
    quiz_id = check.slug(root, ())
    title = check.text(root, (), "title")
    pass_mark = check.integer(root, (), "pass_mark", required=False, low=0, high=100)
    questions: list[QuestionSpec] = []
    seen: dict[str, Path] = {}
    for i, raw in enumerate(check.items(root, (), "questions")):
        question = _question(raw, ("questions", i), check, seen)
        if question is not None:
            questions.append(question)
    if quiz_id is None or title is None or len(check.errors):
        return None
    return QuizSpec(quiz_id, title, pass_mark, tuple(questions))


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
        spec["scoring"] = check.choice(
            data, path, "scoring", ("all_or_nothing", "partial"), default="all_or_nothing"
        )
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
