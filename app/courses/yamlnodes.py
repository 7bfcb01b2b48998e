"""YAML loading that remembers where each value came from, so errors can name the line.

Course files come from uploads, so the loader is also the first guard against hostile YAML:
every failure (a bad character, an unknown tag, a value no constructor accepts) becomes a
YamlProblem with its line, nesting is capped, and the number of values built is capped, so
aliases that refer to aliases cannot expand a small file into billions of values."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]
MAX_DEPTH = 40
# A large quiz has a few thousand values; an alias bomb has millions.
MAX_VALUES = 100_000
COLLECTION_TAGS = (
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
)


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse one YAML document; return the data and a map from key path to 1-based line."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        # Raised for a control character anywhere in the text, before any parsing.
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
        line = text.count("\n", 0, exc.position) + 1
        raise YamlProblem(f"the character U+{code:04X} is not allowed in YAML", line) from exc
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise YamlProblem(_describe(exc), _line(exc)) from exc
    except RecursionError as exc:
        raise YamlProblem("the values are nested too deeply", None) from exc
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if node is None:
        return None, lines
    return _Builder(lines).build(node, ()), lines


def _describe(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        return str(exc.problem or exc.context)
    return str(exc)


def _line(exc: yaml.YAMLError) -> int | None:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return mark.line + 1 if mark else None
    return None


class _Builder:
    def __init__(self, lines: dict[Path, int]) -> None:
        self.lines = lines
        self.ctor = SafeConstructor()
        self.values = 0

    def build(self, node: Node, path: Path) -> Any:
        line = node.start_mark.line + 1
        self.values += 1
        if self.values > MAX_VALUES:
            raise YamlProblem(f"more than {MAX_VALUES:,} values; is an alias (*) repeated?", line)
        if len(path) > MAX_DEPTH:
            raise YamlProblem(f"the values are nested more than {MAX_DEPTH} levels deep", line)
        self.lines[path] = line
        if isinstance(node, MappingNode | SequenceNode) and node.tag not in COLLECTION_TAGS:
            # Built as a plain list or mapping, a tag such as !!python/object would be dropped in
            # silence; say it is not understood instead.
            raise YamlProblem(f"the tag '{node.tag}' is not supported", line)
        if isinstance(node, MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node)
                if not isinstance(key, str | int | bool | float) or key is None:
                    raise YamlProblem("a key must be a plain word", key_node.start_mark.line + 1)
                if key in result:
                    raise YamlProblem(f"the key '{key}' appears twice", key_node.start_mark.line + 1)
                child = (*path, str(key))
                result[key] = self.build(value_node, child)
                # A field's problems point at the line of its key, where the author looks first.
                self.lines[child] = key_node.start_mark.line + 1
            return result
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: Node) -> Any:
        line = node.start_mark.line + 1
        if not isinstance(node, ScalarNode):
            raise YamlProblem("a key must be a plain word", line)
        try:
            return self.ctor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise YamlProblem(_describe(exc), _line(exc) or line) from exc
        except (ValueError, TypeError, OverflowError) as exc:
            # A plain value that looks like a date or number but is not one, e.g. 2026-02-30.
            raise YamlProblem(f"'{node.value}' cannot be read ({exc})", line) from exc
