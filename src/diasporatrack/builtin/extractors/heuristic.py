"""The built-in extractor: recommendations found by the way they are phrased and placed.

Deterministic and offline. A passage becomes a candidate through a *cue*:
a recommending verb ("urged", "calls on", "we recommend"), deontic phrasing
("should", "must", "it is necessary to"), an imperative list item or UN-style
numbered paragraph ("140.1 Ratify ..."), or its place under a heading such as
"Recommendations" or "Calls to action". The confidence is the cue's weight
plus the weight of the place; the reason names both, so a reviewer can argue
with it. Descriptive prose with a weak cue ("would help") stays below the
threshold unless it sits in a recommendations section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from ...extraction import Candidate, Locator, suggest_title
from ...hookspecs import hookimpl

MINIMUM = 0.3  # below this a passage is not proposed at all
_HEADING_CUE = re.compile(r"recommendation|calls? (?:to|for) action|what (?:should|must|needs to) be done|"
                          r"the way forward|next steps|proposals|policy options|we (?:recommend|propose)", re.I)
_UN_PARAGRAPH = re.compile(r"^\s*(\d{1,3}\.\d{1,3})\.?\s+")
_NUMBERED = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_BULLET = re.compile(r"^\s*[•·\-–*▪◦]\s+")
_LONE_MARKER = re.compile(r"^\s*[•·\-–*▪◦]\s*$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_LABEL = re.compile(r"^[^.!?:–-]{3,60}?\s+[–-]\s+")
# Sentence ends: after . ! ? (and closing quotes), before a capital or an opening quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])|(?<=[a-z][.!?])(?=[“‘][A-Z])")
_ABBREVIATIONS = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|Prof|St|No|para|paras|e\.g|i\.e|etc|vs|cf|Art|al)|"
                            r"\b[A-Z](?:\.[A-Z])*)\.$")

IMPERATIVES = frozenset("""
abolish accede accelerate address adopt align allocate allow amend apply assess bring build combat commit consider
continue cooperate collaborate create criminalize criminalise decriminalize decriminalise design develop eliminate
empower enact encourage end engage enhance ensure establish expand extend facilitate form foster fund grant guarantee
harmonize harmonise implement improve include incorporate increase intensify introduce invest investigate issue
launch mainstream make monitor offer open promote publish prohibit prosecute protect provide pursue raise ratify
recognize recognise redouble reduce reform reinforce remove repeal respect review revise safeguard scale set share step
strengthen support take train uphold use withdraw work
""".split())

# (pattern, weight, what the reason says); the strongest cue of a sentence counts.
CUES: tuple[tuple[re.Pattern[str], float, str], ...] = (
    (re.compile(r"\b(?:recommend(?:s|ed)?|urge[sd]?|urging|call(?:s|ed)? (?:on|upon)|appeal(?:s|ed)? to)\b", re.I),
     0.55, "recommending verb"),
    (re.compile(r"\b(?:propose[sd]?|call(?:s|ed)? for|calls? for)\b", re.I), 0.5, "calls for or proposes"),
    (re.compile(r"\bit is (?:necessary|essential|imperative|vital|crucial|urgent|important) (?:to|that|for)\b",
                re.I), 0.45, "necessity"),
    (re.compile(r"\b(?:should|must|ought to)\b(?! not be confused)", re.I), 0.4, "deontic modal"),
    (re.compile(r"\b(?:we|they|you|it|\w+ies) needs?\b(?= \w)", re.I), 0.35, "a stated need"),
    (re.compile(r"\b(?:the need for|the importance of|stress(?:ed|ing)? (?:the|that))\b", re.I), 0.35,
     "stresses a need"),
    (re.compile(r"\b(?:would|could) (?:help|be (?:highly )?(?:helpful|useful))\b|\bif \w[^,]{0,80}were to\b|"
                r"\blikely to be (?:positive|successful|effective) if\b", re.I), 0.25, "conditional suggestion"),
)

ADDRESSEES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:UN|United Nations)\b"), "UN"),
    (re.compile(r"\b(?:EU|European Union)\b"), "EU"),
    (re.compile(r"\b(?:US|U\.S\.|United States)\b"), "US"),
    (re.compile(r"\bhost countr(?:y|ies)\b", re.I), "host countries"),
    (re.compile(r"\binternational (?:organi[sz]ations|community|partners)\b", re.I), "international community"),
    (re.compile(r"\bdonors?\b", re.I), "donors"),
    (re.compile(r"\bdiaspora\b", re.I), "diaspora"),
    (re.compile(r"\b(?:the |its |national )?government\b", re.I), "government"),
    (re.compile(r"\b(?:the )?State\b"), "the State"),
)


def addressees(sentence: str) -> tuple[str, ...]:
    """Who a sentence asks to act, by the names it uses."""
    found = [(m.start(), label) for pattern, label in ADDRESSEES for m in [pattern.search(sentence)] if m]
    return tuple(dict.fromkeys(label for _, label in sorted(found)))


def sentences(text: str, start: int) -> Iterator[tuple[int, int]]:
    """Spans (absolute offsets) of the sentences of one paragraph starting at ``start``."""
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATIONS.search(text[begin:match.start()]):
            continue  # "Dr. Ahmad", "e.g. Health": not the end of a sentence
        yield start + begin, start + match.start()
        begin = match.end()
    if text[begin:].strip():
        yield start + begin, start + len(text.rstrip())


def strongest_cue(sentence: str) -> tuple[float, str]:
    best = (0.0, "")
    for pattern, weight, reason in CUES:
        match = pattern.search(sentence)
        if match and weight > best[0]:
            best = (weight, f"{reason} '{match.group(0).strip()}'")
    return best


def first_word(text: str) -> str:
    match = re.match(r"[\"“‘(*_]*([A-Za-z]+)", _LABEL.sub("", text, count=1))
    return match.group(1).casefold() if match else ""


def imperative_stem(word: str) -> str | None:
    """The imperative a word is, or is the -ing form of ("forming" -> "form", "creating" -> "create")."""
    if word in IMPERATIVES:
        return word
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        for guess in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else None):
            if guess in IMPERATIVES:
                return guess
    return None


def is_heading(line: str) -> bool:
    if _MD_HEADING.match(line):
        return True
    words = line.split()
    return 0 < len(words) <= 8 and not re.search(r"[.?!;,]$", line.strip()) and not _BULLET.match(line) \
        and line.strip()[:1].isupper()


class HeuristicExtractor:
    """Cue phrases, list structure and headings; see the module's docstring."""

    name = "heuristic"
    description = "cue phrases (should, urge, call for, recommend), imperative list items, numbered paragraphs " \
                  "and recommendation headings; deterministic and offline"

    def extract(self, text: str) -> list[Candidate]:
        self._locate = Locator(text)
        found: list[Candidate] = []
        section, in_recs, item_no, after_marker = "", False, 0, False
        offset = 0
        for raw in text.splitlines(keepends=True):
            line_start, offset = offset, offset + len(raw)
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            if _LONE_MARKER.match(line):
                after_marker = True  # a bullet on its own line: the next line is the item
                continue
            un = _UN_PARAGRAPH.match(line)
            marker = un or _NUMBERED.match(line) or _BULLET.match(line)
            is_item = bool(marker) or after_marker
            after_marker = False
            if not is_item and is_heading(line):
                section = _MD_HEADING.sub("", line).strip().rstrip(":")
                in_recs, item_no = bool(_HEADING_CUE.search(section)), 0
                continue
            body_start = line_start + (marker.end() if marker else len(line) - len(line.lstrip()))
            body = text[body_start:line_start + len(line)]
            if is_item:
                item_no += 1
                reference = un.group(1) if un else (f"{section}, item {item_no}" if section else None)
                found += self._item(text, body, body_start, bool(un), in_recs, reference)
            else:
                found += self._paragraph(text, body, body_start, in_recs, section)
        return found

    def _candidate(self, text: str, start: int, end: int, confidence: float, reason: str,
                   reference: str | None) -> Candidate:
        quote = text[start:end]
        line, paragraph = self._locate(start)
        return Candidate(quote=quote, start=start, end=end, line=line, paragraph=paragraph,
                         title=suggest_title(quote), confidence=round(min(confidence, 0.95), 2), reason=reason,
                         addressed_to=addressees(quote), reference=reference)

    def _item(self, text: str, body: str, start: int, numbered_un: bool, in_recs: bool,
              reference: str | None) -> list[Candidate]:
        spans = list(sentences(body, start))
        if not spans:
            return []
        place = 0.2 if in_recs else 0.05
        where = " under a recommendations heading" if in_recs else " in a list"
        verb = first_word(body)
        if imperative_stem(verb) and not verb == imperative_stem(verb):  # "Forming small groups ...": a gerund
            return [self._candidate(text, spans[0][0], spans[-1][1], 0.4 + place,
                                    f"list item starting with '{verb}'{where}", reference)]
        if verb in IMPERATIVES:
            weight = 0.8 if numbered_un else 0.55
            kind = "numbered paragraph" if numbered_un else "list item"
            found = self._candidate(text, spans[0][0], spans[-1][1], weight + place,
                                    f"{kind} starting with the imperative '{verb}'{where}", reference)
            if numbered_un and not found.addressed_to:  # UPR recommendations address the State under review
                found = attrs.evolve(found, addressed_to=("State under review",))
            return [found]
        cued = [(strongest_cue(text[s:e]), s, e) for s, e in spans]
        (weight, reason), s, e = max(cued, key=lambda c: c[0][0])
        if weight >= 0.25 and weight + place >= MINIMUM:
            return [self._candidate(text, s, e, weight + place, reason + where, reference)]
        if in_recs:  # the item is a recommendation by its place, even without a cue phrase
            return [self._candidate(text, spans[0][0], spans[-1][1], 0.45,
                                    "item under a recommendations heading", reference)]
        return []

    def _paragraph(self, text: str, body: str, start: int, in_recs: bool, section: str) -> list[Candidate]:
        found = []
        for s, e in sentences(body, start):
            sentence = text[s:e]
            if sentence.rstrip(" \"”’").endswith("?"):
                continue
            weight, reason = strongest_cue(sentence)
            if weight == 0:
                continue
            if in_recs:
                weight, reason = weight + 0.2, reason + " under a recommendations heading"
            if weight >= MINIMUM:
                found.append(self._candidate(text, s, e, weight, reason, section or None))
        return found


@hookimpl
def register_extractors() -> list[HeuristicExtractor]:
    return [HeuristicExtractor()]
