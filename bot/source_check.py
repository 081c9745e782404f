"""Check answer texts against the source documents they cite.

``content/sources.yml`` maps every source name a "Bron:" line may use to its
seed file(s) in ``../shared/seeds/``. For a text and the sources it names,
:class:`Sources` finds

* numbers (digits, Dutch number words, percentages, ranges such as "3 tot 5")
  that none of the cited seed files holds. The standing numbers 112, 113 and
  0800-0113, web and e-mail addresses (checked elsewhere) and list markers
  ("1. ...") are left out. A number word in a source counts as its digits
  ("drie tot vijf" supports "3 tot 5"); a range needs both ends close together
  in one file; a percentage needs a percentage.
* names of studies, drugs, genes and organisations that none of the cited seed
  files holds: words with a capital inside or a digit (ALS, SOD1, GoALS,
  C9orf72), capitalised words that do not start a sentence (Tofersen, Utrecht;
  neighbours form one name: "Stichting ALS Nederland"), and every term of the
  lists ``terms`` and ``watch`` in any spelling (tofersen, Project-MinE).

Matching ignores case, accents, hyphens and spaces, and allows a short ending
("riluzol" / "Riluzole", "Nederlandse" / "Nederland"). A capitalised word at
the start of a sentence is only checked when it is a listed term: Dutch
starts sentences with a capital, so such a word may be an ordinary word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

STANDING_NUMBERS = re.compile(r"0800-0113|(?<![\d.,])11[23](?!\d|[.,]\d)")
"""Emergency and crisis numbers every answer may give (extra-public-facts.md)."""
NUMBER_WORDS = {
    "twee": "2",
    "drie": "3",
    "vier": "4",
    "vijf": "5",
    "zes": "6",
    "zeven": "7",
    "acht": "8",
    "negen": "9",
    "tien": "10",
    "twaalf": "12",
    "twintig": "20",
}
NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b")
THOUSANDS = re.compile(r"(?<=\d)\.(?=\d{3}(?!\d))")
NUMBER = re.compile(r"(?<![\w.,])\d+(?:,\d+)?(?![\d])")
PERCENT = re.compile(r"(?<![\w.,])(\d+(?:,\d+)?)\s*(?:%|procent)")
RANGE = re.compile(
    r"(?<![\w.,])(\d+(?:,\d+)?)\s*%?\s*(?:tot en met|tot|t/m|à|-|–|—)\s*(\d+(?:,\d+)?)"
    r"(?![\d])"
)
RANGE_WINDOW = 30
"""Characters that may lie between the two ends of a range in a source."""
LIST_MARKER = re.compile(r"(^|[:.]\s+|\n\s*)\d{1,2}\.(?=\s)")
WEB_OR_EMAIL = re.compile(
    r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"
    r"|\b(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:nl|be|com|org|eu)\b"
    r"(?:/\S*)?",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W_]+")
ABBREVIATIONS = frozenset({"dr", "drs", "prof", "ir", "mr", "dhr", "mw", "bijv"})
"""Words before a full stop that does not end a sentence ("prof. dr. Leonard")."""
SENTENCE_END = frozenset(".!?:")
SKIPPED_BEFORE_WORD = frozenset(" \t(\"'‘’“”«»[-•*")


class SourceError(ValueError):
    """``content/sources.yml`` or the seed folder cannot be read."""


def fold(text: str) -> str:
    """Lower case, no accents, every run of other characters one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


def _number_text(text: str) -> str:
    """Lower case without accents, number words as digits, no 1.700 dots."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = plain.replace("\u00a0", " ")
    plain = NUMBER_WORD.sub(lambda match: NUMBER_WORDS[match.group(1)], plain)
    return THOUSANDS.sub("", plain)


def _endings(word: str) -> list[str]:
    """The word and, for longer words ending in a letter, its shorter stems."""
    stems = [word]
    if word[-1:].isalpha():
        stems.extend(word[:-cut] for cut in (1, 2, 3) if len(word) - cut >= 4)
    return stems


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """A pattern that finds ``name`` in folded text, tolerant of its ending."""
    words = fold(name).split()
    if not words:
        return None
    head = r"\s*".join(re.escape(word) for word in words[:-1])
    tail = "|".join(re.escape(stem) for stem in _endings(words[-1]))
    joined = rf"{head}\s*" if head else ""
    return re.compile(rf"(?<![a-z0-9]){joined}(?:{tail})[a-z]{{0,3}}(?![a-z0-9])")


def _term_pattern(term: str) -> re.Pattern[str] | None:
    """A pattern that finds a listed term in folded text, in any spelling."""
    words = fold(term).split()
    if not words:
        return None
    last = words[-1]
    variants = [last]
    if len(last) > 4 and last[-1].isalpha():
        variants.append(last[:-1])
    head = r"\s*".join(re.escape(word) for word in words[:-1])
    joined = rf"{head}\s*" if head else ""
    tail = "|".join(re.escape(variant) for variant in variants)
    return re.compile(rf"(?<![a-z0-9]){joined}(?:{tail})[a-z]?(?![a-z0-9])")


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence, line or field."""
    index = start - 1
    while index >= 0 and text[index] in SKIPPED_BEFORE_WORD:
        index -= 1
    if index < 0 or text[index] == "\n":
        return True
    if text[index] not in SENTENCE_END:
        return False
    if text[index] == ".":
        before = re.search(r"([^\W\d_]+)$", text[:index])
        if before and before.group(1).lower() in ABBREVIATIONS:
            return False
    return True


def _is_name(word: str, initial: bool) -> bool:
    """Whether a word is (part of) a name: SOD1, GoALS, ALS, mid-sentence Tofersen."""
    if len(word) < 2 or word.isdigit() or not any(c.isalpha() for c in word):
        return False
    if any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:]):
        return True
    return word[0].isupper() and not initial


def candidate_names(text: str) -> list[str]:
    """Names in ``text`` that must occur in its sources, neighbours joined."""
    text = WEB_OR_EMAIL.sub(" ", text)
    names: list[str] = []
    current: list[str] = []
    last_end = -1
    for match in WORD.finditer(text):
        word = match.group(0)
        if _is_name(word, _starts_sentence(text, match.start())):
            if current and text[last_end : match.start()] == " ":
                current.append(word)
            else:
                if current:
                    names.append(" ".join(current))
                current = [word]
            last_end = match.end()
        elif current:
            names.append(" ".join(current))
            current = []
    if current:
        names.append(" ".join(current))
    return names


@dataclass
class Seed:
    """One seed file, prepared for the checks."""

    name: str
    folded: str
    numbers: set[str] = field(default_factory=set)
    percents: set[str] = field(default_factory=set)
    positions: list[tuple[int, int, str]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Seed:
        """Read and prepare one seed file."""
        text = path.read_text(encoding="utf-8")
        numeric = " ".join(_number_text(text).split())
        positions = [(m.start(), m.end(), m.group(0)) for m in NUMBER.finditer(numeric)]
        return cls(
            name=path.name,
            folded=fold(text),
            numbers={number for _, _, number in positions},
            percents=set(PERCENT.findall(numeric)),
            positions=positions,
        )

    def has_range(self, low: str, high: str) -> bool:
        """Whether ``low`` is followed closely by ``high`` somewhere."""
        for index, (_, end, number) in enumerate(self.positions):
            if number != low:
                continue
            for start, _, other in self.positions[index + 1 :]:
                if start - end > RANGE_WINDOW:
                    break
                if other == high:
                    return True
        return False


@dataclass
class Source:
    """One entry of ``content/sources.yml``."""

    name: str
    files: tuple[str, ...]
    date: str | None = None
    names: dict[str, str] = field(default_factory=dict)


class Sources:
    """The registry of sources and their seed files."""

    def __init__(
        self,
        sources: Iterable[Source],
        seeds: dict[str, Seed],
        terms: Iterable[str] = (),
        watch: Iterable[str] = (),
        missing: Iterable[str] = (),
    ) -> None:
        self.by_name = {source.name: source for source in sources}
        self.seeds = seeds
        self.missing = sorted(set(missing))
        self.terms = [
            (term, pattern)
            for term in [*terms, *watch]
            if (pattern := _term_pattern(term)) is not None
        ]

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def files_of(self, names: Iterable[str]) -> set[str]:
        """The seed files of the named (known) sources."""
        return {file for name in names for file in self.by_name[name].files}

    def problems(self) -> list[str]:
        """Problems of the registry itself: missing files, dates not shown."""
        problems = [f"seed file not found: {name}" for name in self.missing]
        for source in self.by_name.values():
            if not source.date:
                continue
            if source.date not in source.name:
                problems.append(f"'{source.name}' does not show its date {source.date}")
            date = fold(source.date)
            if not any(
                date in self.seeds[file].folded
                for file in source.files
                if file in self.seeds
            ):
                problems.append(
                    f"date {source.date} of '{source.name}' not in its file"
                )
        return problems

    def _seeds(self, files: set[str] | None) -> list[Seed]:
        if files is None:
            return list(self.seeds.values())
        return [self.seeds[file] for file in sorted(files) if file in self.seeds]

    def holds(self, text: str, files: set[str] | None) -> bool:
        """Whether one of the files holds ``text`` (ignoring case and punctuation)."""
        wanted = f" {fold(text)} "
        return any(wanted in f" {seed.folded} " for seed in self._seeds(files))

    def unsupported_numbers(self, text: str, files: set[str] | None) -> list[str]:
        """Numbers, percentages and ranges in ``text`` that no file holds.

        Args:
            text: The answer (without its "Bron:" line).
            files: The cited seed files; ``None`` means all seeds.

        Returns:
            What is not supported, in the order found, without repeats.
        """
        seeds = self._seeds(files)
        numeric = _number_text(WEB_OR_EMAIL.sub(" ", text))
        numeric = STANDING_NUMBERS.sub(" ", numeric)
        numeric = " ".join(LIST_MARKER.sub(r"\1", numeric).split())
        found: list[str] = []
        for low, high in RANGE.findall(numeric):
            if not any(seed.has_range(low, high) for seed in seeds):
                found.append(f"{low} tot {high}")
        for number in PERCENT.findall(numeric):
            if not any(number in seed.percents for seed in seeds):
                found.append(f"{number}%")
        for number in NUMBER.findall(numeric):
            if not any(number in seed.numbers for seed in seeds):
                found.append(number)
        return list(dict.fromkeys(found))

    def unsupported_names(
        self, text: str, cited: Iterable[str], files: set[str] | None
    ) -> list[str]:
        """Names and listed terms in ``text`` that no cited file holds.

        Args:
            text: The answer (without its "Bron:" line).
            cited: The cited (known) source names; their ``names`` count.
            files: The cited seed files; ``None`` means all seeds.

        Returns:
            What is not supported, in the order found, without repeats.
        """
        seeds = self._seeds(files)
        cited = list(cited)
        extra = {
            fold(name)
            for source in cited
            if source in self.by_name
            for name in self.by_name[source].names
        }
        if files is None:
            extra |= {
                fold(name) for source in self.by_name.values() for name in source.names
            }
        found = candidate_names(text)
        folded = fold(WEB_OR_EMAIL.sub(" ", text))
        found.extend(term for term, pattern in self.terms if pattern.search(folded))
        missing: list[str] = []
        for name in found:
            pattern = _name_pattern(name)
            if pattern is None or fold(name) in extra:
                continue
            if any(pattern.search(other) for other in extra):
                continue
            if not any(pattern.search(seed.folded) for seed in seeds):
                missing.append(name)
        first: dict[str, str] = {}
        for name in missing:
            first.setdefault(fold(name), name)
        return list(first.values())


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part) for part in value]


def load_sources(path: Path, seeds_dir: Path) -> Sources:
    """Read ``content/sources.yml`` and the seed files it names.

    Args:
        path: The registry file.
        seeds_dir: The folder of the seed files.

    Returns:
        The registry, with every seed file that exists read in.

    Raises:
        SourceError: When the registry is missing or malformed, or the seed
            folder does not exist.
    """
    if not path.is_file():
        raise SourceError(f"{path} not found")
    if not seeds_dir.is_dir():
        raise SourceError(
            f"seed folder {seeds_dir} not found (set SEEDS_DIR to ../shared/seeds)"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise SourceError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise SourceError(f"{path} must hold a mapping")
    entries = data.get("sources")
    if not isinstance(entries, list) or not entries:
        raise SourceError(f"{path}: 'sources' must be a non-empty list")
    sources: list[Source] = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("name"):
            raise SourceError(f"{path}: every source needs a name")
        files = tuple(_as_list(entry.get("files")))
        if not files:
            raise SourceError(f"{path}: source '{entry['name']}' lists no files")
        names = entry.get("names") or {}
        if not isinstance(names, dict):
            raise SourceError(f"{path}: 'names' of '{entry['name']}' must be a mapping")
        date = entry.get("date")
        sources.append(
            Source(
                name=str(entry["name"]),
                files=files,
                date=str(date) if date else None,
                names={str(key): str(value) for key, value in names.items()},
            )
        )
    wanted = {file for source in sources for file in source.files}
    seeds = {
        file: Seed.read(seeds_dir / file)
        for file in sorted(wanted)
        if (seeds_dir / file).is_file()
    }
    return Sources(
        sources,
        seeds,
        terms=_as_list(data.get("terms")),
        watch=_as_list(data.get("watch")),
        missing=wanted - set(seeds),
    )
