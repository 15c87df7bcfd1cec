"""The selectivity rule language's syntax: tokens and the recursive-descent parser that reads
them into a tree (``rule_tree``), with the error that points at what could not be read.

    rule        := condition "->" LANE                  LANE: green | yellow | red | blue
    condition   := and_expr ("or" and_expr)*
    and_expr    := not_expr ("and" not_expr)*
    not_expr    := "not" not_expr | "(" condition ")" | comparison
    comparison  := FIELD OP operand
    OP          := == | != | < | <= | > | >= | in | not in | startswith | contains
    operand     := STRING | NUMBER | true | false | list:NAME | "[" operand ("," operand)* "]"
                 | FIELD

Keywords and field names are case-insensitive; whitespace is free. Strings are double or single
quoted with ``\\"``, ``\\'`` and ``\\\\`` escapes; numbers are ``-?digits[.digits]`` read as
``Decimal``. Text is read character by character by hand and nothing is ever handed to ``eval``,
``exec`` or ``ast``: a rule can only compare catalogued fields with constants or each other.

The parser is told which field names exist so it can point at a misspelt one; what the fields
mean and which comparisons suit them is ``rule_fields``' business.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn

from clearway.domain.risk.lane import Lane
from clearway.domain.risk.rule_tree import (
    OPERATORS,
    And,
    Comparison,
    Condition,
    Constant,
    FieldRef,
    ListLiteral,
    NamedList,
    Not,
    Operand,
    Or,
)


class RuleLanguageError(Exception):
    """Anything wrong with a selectivity rule, found when it is read or when it is applied."""


class RuleSyntaxError(RuleLanguageError, ValueError):
    """A rule that cannot be read; ``position`` is the 0-based offset of the culprit in ``text``
    and the message names the 1-based column people see in an editor."""

    def __init__(self, reason: str, text: str, position: int) -> None:
        super().__init__(f"at column {position + 1}: {reason}")
        self.reason = reason
        self.text = text
        self.position = position

    def caret(self) -> str:
        """The rule with a ``^`` under the culprit, for a monospaced error display."""
        return f"{self.text}\n{' ' * self.position}^"


_SYMBOL_OPERATORS = frozenset(OPERATORS[:6])
_KEYWORDS = frozenset({"and", "or", "not", "in", "startswith", "contains", "true", "false"})
# Deep enough for any criterion people write; shallow enough that "((((…" cannot exhaust
# Python's recursion limit and escape as anything but a RuleSyntaxError.
MAX_NESTING = 50
_LANE_NAMES = frozenset(lane.value for lane in Lane)
_LANES = ", ".join(lane.value for lane in Lane)


# --- tokens -----------------------------------------------------------------------------------


class Kind(enum.Enum):
    WORD = "word"
    STRING = "text"
    NUMBER = "number"
    SYMBOL = "symbol"
    ARROW = "->"
    LIST = "list"
    PUNCTUATION = "punctuation"
    END = "end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # as written, for messages
    position: int
    value: str | Decimal = ""  # a word lower-cased, a string unescaped, a number, a list name


_DIGITS = frozenset("0123456789")
_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_WORD_CHARS = _WORD_START | _DIGITS
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_ESCAPES = frozenset("\"'\\")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an END token at its end."""
    tokens: list[Token] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        start = index
        if char.isspace():
            index += 1
            continue
        if char in "\"'":
            token = _string(text, start)
        elif text.startswith("->", start):
            token = Token(Kind.ARROW, "->", start)
        elif char in _DIGITS or (char in "-." and text[start + 1 : start + 2] in _DIGITS):
            index += 1
            # Swallow what a number could be mistaken to continue with, to refuse it whole.
            while index < length and (text[index] in _WORD_CHARS or text[index] == "."):
                index += 1
            written = text[start:index]
            if not _NUMBER.fullmatch(written):
                raise RuleSyntaxError(f'bad number "{written}"', text, start)
            token = Token(Kind.NUMBER, written, start, Decimal(written))
        elif char in "=!<>":
            while index < length and text[index] in "=!<>":
                index += 1
            token = Token(Kind.SYMBOL, text[start:index], start)
        elif char in "()[],":
            token = Token(Kind.PUNCTUATION, char, start)
        elif char in _WORD_START:
            token = _word(text, start)
        else:
            raise RuleSyntaxError(f'unexpected character "{char}"', text, start)
        tokens.append(token)
        index = start + len(token.text)
    tokens.append(Token(Kind.END, "", length))
    return tokens


def _string(text: str, start: int) -> Token:
    quote, index, characters = text[start], start + 1, list[str]()
    while index < len(text):
        char = text[index]
        if char == quote:
            return Token(Kind.STRING, text[start : index + 1], start, "".join(characters))
        if char == "\\":
            escaped = text[index + 1 : index + 2]
            if not escaped:
                break
            if escaped not in _ESCAPES:
                raise RuleSyntaxError(
                    f'unknown escape "\\{escaped}": only \\", \\\' and \\\\ are allowed',
                    text,
                    index,
                )
            characters.append(escaped)
            index += 2
            continue
        characters.append(char)
        index += 1
    raise RuleSyntaxError(f"unterminated string: no closing {quote}", text, start)


def _word(text: str, start: int) -> Token:
    index = start
    while index < len(text) and text[index] in _WORD_CHARS:
        index += 1
    word = text[start:index]
    if word.lower() != "list" or text[index : index + 1] != ":":
        return Token(Kind.WORD, word, start, word.lower())
    name_start = index = index + 1
    while index < len(text) and text[index] in _WORD_CHARS:
        index += 1
    if index == name_start:
        raise RuleSyntaxError('expected a list name after "list:"', text, name_start)
    return Token(Kind.LIST, text[start:index], start, text[name_start:index])


def _found(token: Token) -> str:
    if token.kind is Kind.END:
        return "end of rule"
    if token.kind in (Kind.STRING, Kind.NUMBER):
        return f"{token.kind.value} {token.text}"
    return f'"{token.text}"'


# --- the parser -------------------------------------------------------------------------------


def parse_rule_tree(text: str, fields: Collection[str]) -> tuple[Condition, Lane]:
    """The condition and lane of ``condition -> lane``; raises ``RuleSyntaxError``."""
    parser = _Parser(text, fields)
    condition = parser.condition()
    token = parser.peek()
    if token.kind is Kind.END:
        parser.fail('expected "->" and a lane at the end of the rule', token)
    if token.kind is not Kind.ARROW:
        parser.refuse_closing(token)
        parser.fail(f'expected "and", "or" or "->", found {_found(token)}', token)
    parser.advance()
    token = parser.advance()
    if token.kind is Kind.END:
        parser.fail(f'expected a lane after "->" ({_LANES}), found end of rule', token)
    if token.kind is not Kind.WORD or token.value not in _LANE_NAMES:
        parser.fail(f"unknown lane {_found(token)}; lanes are {_LANES}", token)
    lane = Lane(str(token.value))
    token = parser.peek()
    if token.kind is not Kind.END:
        parser.fail(f"unexpected {_found(token)} after the lane: the lane ends the rule", token)
    return condition, lane


def parse_condition_tree(text: str, fields: Collection[str]) -> Condition:
    """A condition alone, without ``-> lane``; raises ``RuleSyntaxError``."""
    parser = _Parser(text, fields)
    condition = parser.condition()
    token = parser.peek()
    if token.kind is Kind.ARROW:
        parser.fail('unexpected "->": a condition alone has no lane', token)
    if token.kind is not Kind.END:
        parser.refuse_closing(token)
        parser.fail(f'expected "and" or "or", found {_found(token)}', token)
    return condition


class _Parser:
    def __init__(self, text: str, fields: Collection[str]) -> None:
        self.text = text
        self.fields = fields
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        if self.tokens[0].kind is Kind.END:
            self.fail("the rule is empty", Token(Kind.END, "", 0))

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at_word(self, word: str) -> bool:
        token = self.tokens[self.index]
        return token.kind is Kind.WORD and token.value == word

    def fail(self, reason: str, token: Token) -> NoReturn:
        raise RuleSyntaxError(reason, self.text, token.position)

    def refuse_closing(self, token: Token) -> None:
        if token.text == ")":
            self.fail('unbalanced ")": there is no "(" for it to close', token)

    def condition(self) -> Condition:
        operands = [self.and_expr()]
        while self.at_word("or"):
            self.advance()
            operands.append(self.and_expr())
        return _joined(Or, operands)

    def and_expr(self) -> Condition:
        operands = [self.not_expr()]
        while self.at_word("and"):
            self.advance()
            operands.append(self.not_expr())
        return _joined(And, operands)

    def not_expr(self) -> Condition:
        if self.at_word("not") or self.peek().text == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                self.fail(f"nested more than {MAX_NESTING} deep", self.peek())
            condition = self.negated_or_grouped()
            self.depth -= 1
            return condition
        return self.comparison()

    def negated_or_grouped(self) -> Condition:
        if self.at_word("not"):
            self.advance()
            return Not(self.not_expr())
        opening = self.advance()
        inner = self.condition()
        token = self.peek()
        # Only punctuation is written as a bare ")": a string's text keeps its quotes.
        if token.text != ")":
            column = opening.position + 1
            self.fail(
                f'expected ")" to close the "(" at column {column}, found {_found(token)}', token
            )
        self.advance()
        return inner

    def comparison(self) -> Comparison:
        token = self.peek()
        if token.kind is not Kind.WORD or token.value in _KEYWORDS:
            self.fail(f"expected a field name, found {_found(token)}", token)
        subject = self.field_ref(operand=False)
        operator = self.advance()
        if operator.kind is Kind.SYMBOL and operator.text in _SYMBOL_OPERATORS:
            name = operator.text
        elif operator.kind is Kind.WORD and operator.value in ("in", "startswith", "contains"):
            name = str(operator.value)
        elif operator.kind is Kind.WORD and operator.value == "not":
            if not self.at_word("in"):
                self.fail(f'expected "in" after "not", found {_found(self.peek())}', self.peek())
            self.advance()
            name = "not in"
        elif operator.kind in (Kind.SYMBOL, Kind.WORD):
            self.fail(
                f"unknown operator {_found(operator)}; operators are " + ", ".join(OPERATORS),
                operator,
            )
        else:
            self.fail(
                f'expected an operator after "{subject.name}", found {_found(operator)}', operator
            )
        return Comparison(subject, name, self.operand(after=name), operator.position)

    def field_ref(self, *, operand: bool) -> FieldRef:
        token = self.advance()
        name = str(token.value)
        if name not in self.fields:
            close = difflib.get_close_matches(name, list(self.fields), n=3)
            reason = f'unknown field "{token.text}"'
            if close:
                reason += "; did you mean " + " or ".join(close) + "?"
            if operand:
                reason += f' (text values need quotes: "{token.text}")'
            self.fail(reason, token)
        return FieldRef(name, token.position)

    def operand(self, *, after: str) -> Operand:
        token = self.peek()
        if token.kind is Kind.STRING or token.kind is Kind.NUMBER:
            self.advance()
            return Constant(token.value, token.position)
        if token.kind is Kind.LIST:
            self.advance()
            return NamedList(str(token.value), token.position)
        if token.kind is Kind.WORD and token.value in ("true", "false"):
            self.advance()
            return Constant(token.value == "true", token.position)
        if token.kind is Kind.WORD and token.value not in _KEYWORDS:
            return self.field_ref(operand=True)
        if token.text == "[":
            self.advance()
            elements = [self.operand(after="[")]
            while self.peek().text == ",":
                self.advance()
                elements.append(self.operand(after=","))
            closing = self.peek()
            if closing.text != "]":
                self.fail(f'expected "," or "]" in the list, found {_found(closing)}', closing)
            self.advance()
            return ListLiteral(tuple(elements), token.position)
        self.fail(f'expected a value after "{after}", found {_found(token)}', token)


def _joined(kind: type[And] | type[Or], operands: list[Condition]) -> Condition:
    if len(operands) == 1:
        return operands[0]
    # Flattened, so "(a and b) and c" and "a and b and c" are the same rule.
    flat: list[Condition] = []
    for operand in operands:
        flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
    return kind(tuple(flat))
