"""Quiz quality: the warnings about questions that can be answered without the lesson (a key
guessed from its length, true/false keys nearly all one way, too few wrong options, the answer
written in the stem) and short answers that reject what people really type.

Pure functions over parsed quizzes. A warning never stops an import; `hocso courses check
--strict` and the shipped-course test make them fail. Every threshold is documented for authors
in courses/README.md, "Cảnh báo chất lượng"; change both together."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.courses.quizfile import QuestionSpec, QuizSpec
from app.text import fold, squash, text_key

# Key predictable by length.
LONGEST_SHARE = 0.40
LONGEST_MIN_ITEMS = 3
LENGTH_RATIO = 1.5
# Unbalanced true/false keys.
TRUE_SHARE_LOW = 0.35
TRUE_SHARE_HIGH = 0.65
TRUE_FALSE_MIN_ITEMS = 4
# Wrong options of a choice question, and accepted forms of a short answer of several words.
MIN_WRONG_OPTIONS = 2
MIN_SHORT_ANSWERS = 3

_TRAILING = ".;:!?…"


@dataclass(frozen=True)
class CourseWarning:
    """Something an author should fix that does not stop the course from working."""

    file: str
    line: int | None
    item: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {self.item}: {self.message}" if self.item else f"{where}: {self.message}"


@dataclass(frozen=True)
class QuizFile:
    """A quiz with the file it came from and the line of each question (by question id)."""

    file: str
    quiz: QuizSpec
    lines: dict[str, int]


def percent(part: float, whole: float) -> str:
    return f"{round(100 * part / whole)} %"


def decimal(value: float) -> str:
    """One decimal, written the Vietnamese way (1,5)."""
    return f"{value:.1f}".replace(".", ",")


def quiz_warnings(source: QuizFile) -> list[CourseWarning]:
    """Every warning about one quiz: its questions one by one, then the quiz as a whole."""
    out: list[CourseWarning] = []

    def warn(question: QuestionSpec | None, message: str) -> None:
        if question is None:
            out.append(CourseWarning(source.file, None, source.quiz.id, message))
        else:
            out.append(CourseWarning(source.file, source.lines.get(question.id), question.id, message))

    for q in source.quiz.questions:
        for message in question_warnings(q):
            warn(q, message)
    longest = [q.id for q in source.quiz.questions if q.kind == "single_choice" and _key_is_longest(q)]
    singles = sum(1 for q in source.quiz.questions if q.kind == "single_choice")
    if singles >= LONGEST_MIN_ITEMS and len(longest) > LONGEST_SHARE * singles:
        warn(
            None,
            f"phương án đúng là phương án dài nhất ở {len(longest)}/{singles} câu chọn một "
            f"({percent(len(longest), singles)}; tối đa {percent(LONGEST_SHARE, 1)}): {', '.join(longest)}. "
            "Người làm bài đoán được đáp án bằng cách chọn câu dài nhất: ở vài câu, rút gọn phương "
            "án đúng hoặc viết một phương án sai đầy đủ, cụ thể và dài hơn nó.",
        )
    balance = true_false_balance(source.quiz.questions, "bài kiểm tra")
    if balance:
        warn(None, balance)
    return out


def question_warnings(q: QuestionSpec) -> list[str]:
    if q.kind in ("single_choice", "multiple_choice"):
        return _choice_warnings(q)
    if q.kind == "short_answer":
        return _short_answer_warnings(q)
    return []


def true_false_balance(questions: tuple[QuestionSpec, ...] | list[QuestionSpec], where: str) -> str | None:
    """A warning when the true/false keys of these questions lean too far one way."""
    keys = [q.spec["answer"] for q in questions if q.kind == "true_false"]
    if len(keys) < TRUE_FALSE_MIN_ITEMS:
        return None
    true = sum(1 for k in keys if k)
    if TRUE_SHARE_LOW * len(keys) <= true <= TRUE_SHARE_HIGH * len(keys):
        return None
    lean = "đúng" if true > len(keys) / 2 else "sai"
    return (
        f"{true}/{len(keys)} câu đúng/sai của {where} có đáp án là đúng (answer: true), tức "
        f"{percent(true, len(keys))}; cần từ {percent(TRUE_SHARE_LOW, 1)} đến "
        f"{percent(TRUE_SHARE_HIGH, 1)}. Người làm bài đoán được đáp án vì phần lớn các câu đều "
        f"{lean}: viết lại vài câu thành nhận định ngược lại (và đổi answer) để hai loại gần bằng nhau."
    )


def _length(text: str) -> int:
    return len(squash(text))


def _key_is_longest(q: QuestionSpec) -> bool:
    choices = q.spec["choices"]
    key = next(c for c in choices if c["correct"])
    return all(_length(key["text"]) > _length(c["text"]) for c in choices if c is not key)


def _choice_warnings(q: QuestionSpec) -> list[str]:
    choices = q.spec["choices"]
    right = [_length(c["text"]) for c in choices if c["correct"]]
    wrong = [_length(c["text"]) for c in choices if not c["correct"]]
    out: list[str] = []
    if len(wrong) < MIN_WRONG_OPTIONS:
        out.append(
            f"chỉ có {len(wrong)} phương án sai; cần ít nhất {MIN_WRONG_OPTIONS}. Thêm phương án sai "
            "mà một cán bộ thật có thể tin hoặc làm theo (không đùa, không vô lý), để câu hỏi kiểm tra "
            "được cách phán đoán chứ không chỉ nhận ra điều hiển nhiên."
        )
    if not wrong:
        return out
    if q.kind == "single_choice" and right[0] >= LENGTH_RATIO * max(wrong):
        out.append(
            f"phương án đúng dài {right[0]} ký tự, gấp {decimal(right[0] / max(wrong))} lần phương án sai "
            f"dài nhất ({max(wrong)} ký tự; ngưỡng {decimal(LENGTH_RATIO)} lần). Rút gọn phương án đúng, "
            "hoặc viết các phương án sai cụ thể và đầy đủ như nó."
        )
    if q.kind == "multiple_choice" and min(right) > max(wrong):
        out.append(
            "mọi phương án đúng đều dài hơn mọi phương án sai, nên chọn các câu dài là đúng. Viết ít "
            "nhất một phương án sai dài và cụ thể như các phương án đúng, hoặc rút gọn một phương án đúng."
        )
    if q.kind == "single_choice":
        key = next(c["text"] for c in choices if c["correct"])
        phrase = text_key(key).rstrip(_TRAILING).strip()
        if len(phrase.split()) >= 2 and _contains(text_key(q.text), phrase):
            out.append(
                f"phương án đúng “{key}” có nguyên văn trong câu hỏi. Đặt câu hỏi khác đi để đề bài "
                "không chứa đáp án."
            )
    return out


def _short_answer_warnings(q: QuestionSpec) -> list[str]:
    answers: list[str] = q.spec["answers"]
    out: list[str] = []
    stem = fold(q.text)
    for answer in answers:
        if _contains(stem, fold(answer).rstrip(_TRAILING).strip()):
            out.append(
                f"câu trả lời được chấp nhận “{answer}” có sẵn trong câu hỏi (không tính dấu và chữ "
                "hoa). Đặt câu hỏi khác đi để đề bài không chứa đáp án."
            )
            break
    if not q.spec["ignore_accents"]:
        out.append(
            "chưa có dòng ignore_accents: true, nên người gõ không dấu (rất thường gặp trên điện "
            "thoại) bị chấm sai. Thêm dòng ignore_accents: true."
        )
    if len(answers) < MIN_SHORT_ANSWERS and any(len(a.split()) > 1 for a in answers):
        out.append(
            f"có câu trả lời nhiều chữ nhưng chỉ {len(answers)} cách viết được chấp nhận; cần ít nhất "
            f"{MIN_SHORT_ANSWERS}. Liệt kê những cách người học thật sự gõ, ví dụ “72 giờ”, “trong vòng "
            "72 giờ”, “72 tiếng”, “3 ngày”; “tắt micrô”, “tắt micro”, “tắt mic”."
        )
    return out


def _contains(haystack: str, needle: str) -> bool:
    """Whether needle appears in haystack as whole words."""
    if not needle:
        return False
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", haystack) is not None
