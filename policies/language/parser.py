"""Policy text -> typed PolicyDocument, reporting JSON and structural problems as findings.

Structural problems are IAM's "Syntax errors in policy." (MalformedPolicyDocument), so
they block; the few oddities IAM stores anyway (null inside a list, an empty list of
condition values, the legacy top-level "Conditions") are advice.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

from .findings import Finding, Severity
from .jsonpos import (
    JArray,
    JBool,
    JNode,
    JNull,
    JNumber,
    JObject,
    JsonSyntaxError,
    JString,
    parse_json,
    type_name,
)
from .model import ConditionClause, Located, PolicyDocument, Principal, Statement

TOP_LEVEL_ELEMENTS = ("Version", "Id", "Statement")
# IAM's parser still knows a top-level "Conditions" element from the policy language's
# first draft: documents carrying it are stored (observed behaviour), and it has no effect.
LEGACY_TOP_LEVEL_ELEMENTS = ("Conditions",)
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)


@dataclass(slots=True)
class ParseResult:
    """The document (None when the text is not a JSON object) and what was wrong with it."""

    document: PolicyDocument | None
    findings: list[Finding] = field(default_factory=list)


def parse_policy(text: str) -> ParseResult:
    """Parse policy JSON text. Never raises: every problem becomes a Finding."""
    if not isinstance(text, str):
        return ParseResult(None, [_error("JSON_SYNTAX_ERROR", "The policy must be JSON text.", 1, 1, "")])
    if not text.strip():
        return ParseResult(None, [_error("JSON_SYNTAX_ERROR", "The policy document is empty.", 1, 1, "")])
    try:
        root = parse_json(text)
    except JsonSyntaxError as exc:
        return ParseResult(None, [_error("JSON_SYNTAX_ERROR", exc.message, exc.line, exc.column, "")])
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps us far below the limit
        return ParseResult(None, [_error("JSON_SYNTAX_ERROR", "JSON is nested too deeply.", 1, 1, "")])
    builder = _Builder()
    document = builder.document(root)
    return ParseResult(document, builder.findings)


def _error(code: str, message: str, line: int, column: int, path: str) -> Finding:
    """A structural error: IAM refuses the document ("Syntax errors in policy.")."""
    return Finding(Severity.ERROR, code, message, line, column, path, blocking=True)


def _warning(code: str, message: str, line: int, column: int, path: str) -> Finding:
    return Finding(Severity.WARNING, code, message, line, column, path)


def _suggest(name: str, choices: tuple[str, ...]) -> str:
    lowered = {choice.lower(): choice for choice in choices}
    if name.lower() in lowered:
        return f" Did you mean {lowered[name.lower()]}? Element names are case sensitive."
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.7)
    return f" Did you mean {close[0]}?" if close else ""


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Builder:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def error(self, code: str, message: str, node_or_loc: object, path: str) -> None:
        self.findings.append(_error(code, message, node_or_loc.line, node_or_loc.column, path))  # type: ignore[attr-defined]

    def wrong_type(self, node: JNode, path: str, expected: str) -> None:
        self.error(
            "INVALID_ELEMENT_TYPE",
            f"{path or 'The policy'} must be {expected}, not {type_name(node)}.",
            node,
            path,
        )

    def members(self, obj: JObject, path: str) -> dict[str, tuple[JString, JNode]]:
        """Object members by name; a repeated key keeps the last value, as JSON parsers do."""
        result: dict[str, tuple[JString, JNode]] = {}
        for key, value in obj.members:
            if key.value in result:
                self.findings.append(
                    Finding(
                        Severity.WARNING,
                        "DUPLICATE_ELEMENT",
                        f"The element {key.value} appears more than once; only the last one is used. Remove the duplicate.",
                        key.line,
                        key.column,
                        _join(path, key.value),
                    )
                )
            result[key.value] = (key, value)
        return result

    def document(self, root: JNode) -> PolicyDocument | None:
        if not isinstance(root, JObject):
            self.wrong_type(root, "", "a JSON object")
            return None
        members = self.members(root, "")
        elements: dict[str, Located] = {}
        for name, (key, _value) in members.items():
            elements[name] = Located(name, key.line, key.column, name)
            if name in TOP_LEVEL_ELEMENTS:
                continue
            if name in LEGACY_TOP_LEVEL_ELEMENTS:
                self.findings.append(
                    _warning(
                        "IGNORED_ELEMENT",
                        f"The top-level {name} element has no effect: put conditions inside a statement.",
                        key.line,
                        key.column,
                        name,
                    )
                )
                continue
            if name in STATEMENT_ELEMENTS:
                self.error(
                    "MISPLACED_ELEMENT",
                    f"{name} belongs inside a Statement, not at the top level of the policy.",
                    key,
                    name,
                )
            else:
                self.error(
                    "UNKNOWN_ELEMENT",
                    f"Unknown policy element {name}. Allowed top-level elements: Version, Id, Statement."
                    + _suggest(name, TOP_LEVEL_ELEMENTS + STATEMENT_ELEMENTS),
                    key,
                    name,
                )
        version = self.scalar_string(members.get("Version"), "Version")
        policy_id = self.scalar_string(members.get("Id"), "Id")
        statements: list[Statement] = []
        if "Statement" in members:
            _key, node = members["Statement"]
            if isinstance(node, JObject):
                statements.append(self.statement(node, 0, "Statement"))
            elif isinstance(node, JArray):
                for index, item in enumerate(node.items):
                    path = f"Statement[{index}]"
                    if isinstance(item, JObject):
                        statements.append(self.statement(item, index, path))
                    else:
                        self.wrong_type(item, path, "an object")
            else:
                self.wrong_type(node, "Statement", "an object or an array of objects")
        return PolicyDocument(version, policy_id, tuple(statements), root.line, root.column, elements)

    def scalar_string(self, member: tuple[JString, JNode] | None, path: str) -> Located | None:
        if member is None:
            return None
        _key, node = member
        if isinstance(node, JString):
            return Located(node.value, node.line, node.column, path)
        self.wrong_type(node, path, "a string")
        return None

    def string_list(self, node: JNode, path: str) -> tuple[Located, ...]:
        """A string or an array of strings (AWS allows either for these elements).

        IAM skips ``null`` inside the array and stores the document (observed: a Resource
        list holding null is accepted), so a null item is advice and leaves no value; an
        array of only nulls still counts as present and non-empty, as in IAM.
        """
        if isinstance(node, JString):
            return (Located(node.value, node.line, node.column, path),)
        if isinstance(node, JArray):
            values = []
            for index, item in enumerate(node.items):
                item_path = f"{path}[{index}]"
                if isinstance(item, JString):
                    values.append(Located(item.value, item.line, item.column, item_path))
                elif isinstance(item, JNull):
                    self.findings.append(
                        _warning("NULL_VALUE", "null in this list is ignored. Remove it.", item.line, item.column,
                                 item_path)
                    )
                else:
                    self.wrong_type(item, item_path, "a string")
            return tuple(values)
        self.wrong_type(node, path, "a string or an array of strings")
        return ()

    def statement(self, obj: JObject, index: int, path: str) -> Statement:
        members = self.members(obj, path)
        elements: dict[str, Located] = {}
        for name, (key, _value) in members.items():
            element_path = _join(path, name)
            elements[name] = Located(name, key.line, key.column, element_path)
            if name in STATEMENT_ELEMENTS:
                continue
            if name in TOP_LEVEL_ELEMENTS:
                self.error(
                    "MISPLACED_ELEMENT",
                    f"{name} belongs at the top level of the policy, not inside a Statement.",
                    key,
                    element_path,
                )
            else:
                self.error(
                    "UNKNOWN_ELEMENT",
                    f"Unknown statement element {name}. Allowed: {', '.join(STATEMENT_ELEMENTS)}."
                    + _suggest(name, STATEMENT_ELEMENTS + TOP_LEVEL_ELEMENTS),
                    key,
                    element_path,
                )

        only_nulls: set[str] = set()

        def strings(name: str) -> tuple[Located, ...] | None:
            if name not in members:
                return None
            node = members[name][1]
            if isinstance(node, JArray) and node.items and all(isinstance(i, JNull) for i in node.items):
                only_nulls.add(name)
            return self.string_list(node, _join(path, name))

        def principal(name: str) -> Principal | None:
            if name not in members:
                return None
            return self.principal(members[name][1], _join(path, name))

        condition = None
        if "Condition" in members:
            condition = self.condition(members["Condition"][1], _join(path, "Condition"))
        return Statement(
            index=index,
            line=obj.line,
            column=obj.column,
            path=path,
            sid=self.scalar_string(members.get("Sid"), _join(path, "Sid")),
            effect=self.scalar_string(members.get("Effect"), _join(path, "Effect")),
            action=strings("Action"),
            not_action=strings("NotAction"),
            resource=strings("Resource"),
            not_resource=strings("NotResource"),
            principal=principal("Principal"),
            not_principal=principal("NotPrincipal"),
            condition=condition,
            elements=elements,
            only_nulls=frozenset(only_nulls),
        )

    def principal(self, node: JNode, path: str) -> Principal:
        if isinstance(node, JString):
            if node.value != "*":
                self.error(
                    "INVALID_PRINCIPAL",
                    f'A string Principal may only be "*". Write {{"AWS": "{node.value}"}} '
                    "(or the Service / Federated form) instead.",
                    node,
                    path,
                )
            return Principal(node.value == "*", {}, node.line, node.column, path)
        if not isinstance(node, JObject):
            self.wrong_type(node, path, 'an object or "*"')
            return Principal(False, {}, node.line, node.column, path)
        if not node.members:
            self.error(
                "INVALID_PRINCIPAL",
                'The principal element is empty. Name at least one principal or use "*".',
                node,
                path,
            )
        entries = {
            name: self.string_list(value, _join(path, name))
            for name, (_key, value) in self.members(node, path).items()
        }
        return Principal(False, entries, node.line, node.column, path)

    def condition(self, node: JNode, path: str) -> tuple[ConditionClause, ...]:
        if not isinstance(node, JObject):
            self.wrong_type(node, path, "an object mapping condition operators to {key: values}")
            return ()
        clauses: list[ConditionClause] = []
        for operator_name, (op_key, block) in self.members(node, path).items():
            op_path = _join(path, operator_name)
            operator = Located(operator_name, op_key.line, op_key.column, op_path)
            if not isinstance(block, JObject):
                self.wrong_type(block, op_path, "an object mapping condition keys to values")
                continue
            for key_name, (key_node, value_node) in self.members(block, op_path).items():
                key_path = _join(op_path, key_name)
                key = Located(key_name, key_node.line, key_node.column, key_path)
                values = self.condition_values(value_node, key_path)
                clauses.append(
                    ConditionClause(operator, key, values, key_node.line, key_node.column, key_path)
                )
        return tuple(clauses)

    def condition_values(self, node: JNode, path: str) -> tuple[Located, ...]:
        """A condition key's values: a scalar or an array of scalars.

        IAM stores an empty array (observed), and such a clause can never match; that
        is advice. A null or an object as the value is a syntax error; a null inside
        the array is skipped, like nulls in the other lists.
        """
        items: tuple[JNode, ...] = node.items if isinstance(node, JArray) else (node,)
        if not items:
            self.findings.append(
                _warning(
                    "EMPTY_CONDITION_VALUES",
                    "This condition key has no values, so the condition can never be met. Add a value.",
                    node.line,
                    node.column,
                    path,
                )
            )
        values = []
        for index, item in enumerate(items):
            item_path = f"{path}[{index}]" if isinstance(node, JArray) else path
            converted = _condition_scalar(item, item_path)
            if converted is not None:
                values.append(converted)
            elif isinstance(item, JNull) and isinstance(node, JArray):
                self.findings.append(
                    _warning("NULL_VALUE", "null in this list is ignored. Remove it.", item.line, item.column,
                             item_path)
                )
            else:
                self.error(
                    "INVALID_CONDITION_VALUE",
                    f"Condition values must be strings, numbers or booleans, not {type_name(item)}.",
                    item,
                    item_path,
                )
        return tuple(values)


def _condition_scalar(node: JNode, path: str) -> Located | None:
    convert: dict[type, Callable[[JNode], Located]] = {
        JString: lambda n: Located(n.value, n.line, n.column, path),  # type: ignore[attr-defined]
        JNumber: lambda n: Located(n.text, n.line, n.column, path, "number"),  # type: ignore[attr-defined]
        JBool: lambda n: Located("true" if n.value else "false", n.line, n.column, path, "boolean"),  # type: ignore[attr-defined]
    }
    handler = convert.get(type(node))
    return handler(node) if handler else None
