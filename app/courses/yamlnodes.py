"""YAML loading that remembers where each value came from, so errors can name the line."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse one YAML document; return the data and a map from key path to 1-based line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(str(exc.problem or exc.context), mark.line + 1 if mark else None) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(str(exc), None) from exc
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if node is None:
        return None, lines
    return _build(node, (), lines, SafeConstructor()), lines


def _build(node: Node, path: Path, lines: dict[Path, int], ctor: SafeConstructor) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = ctor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | bool | float) or key is None:
                raise YamlProblem("a key must be a plain word", key_node.start_mark.line + 1)
            if key in result:
                raise YamlProblem(f"the key '{key}' appears twice", key_node.start_mark.line + 1)
            child = (*path, str(key))
            result[key] = _build(value_node, child, lines, ctor)
            # A field's problems point at the line of its key, where the author looks first.
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, SequenceNode):
        return [_build(item, (*path, i), lines, ctor) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    return ctor.construct_object(node, deep=True)
