"""The risk detector: deterministic crisis detection on every user message.

Built on spaCy's Matcher over lower-cased, lemmatised tokens of a normalised text, with the
patterns and context words in `patterns.yml` beside this file. Context rules tell a risk apart
from what only looks like one: a negation just before the match ("I'm not suicidal"), an idiom
or bereavement context ("this traffic is killing me", "she died by suicide"), a question about
treatment with no first-person words ("does ketamine help with suicidal thoughts?"), a
recurring symptom ("I can't breathe when I have flashbacks"), past abuse told as history, a
joking "my mom would kill me if she knew I ate dessert first".
Each finding also says whose risk it is (the person, someone else) and whether it is a past
attempt, because each of those gets its own reply. When unsure, the detector fires: a safety
question asked needlessly costs little, a missed crisis costs everything.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import yaml
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from intake.nlp import load_pipeline

PATTERNS_PATH = Path(__file__).with_name("patterns.yml")
CLAUSE_BREAKS = {".", "!", "?", ";", ",", ":", "but", "pero", "and", "so", "because", "cause", "y", "then"}
SENTENCE_BREAKS = {".", "!", "?", ";"}
NEGATION_WINDOW = 5
GAP_TOKENS = 3
INTERJECTION_FOLLOWERS = {"i", "you", "he", "she", "they", "we", "it", "my", "me"}
HANDLING_RANK = {"self": 0, "third_party": 1, "past_attempt": 2}
# How many words before a finding a wish ("want", "gonna") makes it present.
WISH_REACH = 3
# Where a sentence ends in normalized text, for reading the words around a finding.
SENTENCE_END = re.compile(r"[.!?;]+(?:\s|$)|\n")
# A year told as a time ("in 2014", "back in '09" is not read), counted as past when before this one.
PAST_YEAR = re.compile(r"(?<![\w'])(?:in|around|during|summer of|fall of) ((?:19|20)\d\d)(?![\w'])")
# "hace dos años", "hace unos meses", "a los 16": an own attempt told as past in Spanish, read only
# in the finding's sentence (never for danger at home: "me casé hace cinco años y mi esposo me
# pega" is now). "hace años que me pega", "desde hace años" are still going on: not the past.
SPANISH_PAST_TIME = re.compile(
    r"(?<![\w'])(?<!desde )(?:hace (?:(?:unos|muchos|varios|algunos|un par de|\d+|dos|tres|cuatro|cinco|seis|siete|ocho|nueve"
    r"|diez|quince|veinte) )?(?:anos|ano|meses)(?! que)|a los \d+(?: anos)?)(?![\w'])")
# Spanish "he" before a participle is "I have" ("he intentado", "he tenido", "he hecho", "he visto").
SPANISH_PARTICIPLE_ENDINGS = ("ado", "ido", "cho", "isto", "uerto", "ierto", "rito")
# A time a few minutes, hours or days back ("an hour ago", "20 min ago", "2 days ago") places a
# message now, not in the past: an overdose taken an hour ago is an emergency.
RECENT_TIME = re.compile(r"(?<![\w'])(?:\d+|an?|one|two|three|four|five|ten|twenty|thirty|fifteen|few|couple(?: of)?"
                         r"|several) (?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?) ago(?![\w'])")
# "before" tells of the past only where it closes a clause ("I've attempted before", "it happened
# before."), not in "he'll kill me before he lets me leave" or "he hits me before work".
CLAUSE_END_AFTER = re.compile(r"\s*(?:$|[.,!?;:]|(?:and|but|so|too|that|then)(?![\w']))")
# Words too common to decide whether a pattern could match (see _trigger_lemmas).
COMMON_LEMMAS = {
    "i", "be", "to", "a", "an", "the", "my", "not", "of", "in", "it", "you", "me", "do", "have", "and",
    "for", "on", "at", "with", "that", "this", "he", "she", "they", "them", "him", "her", "his", "their",
    "would", "will", "can", "could", "go", "going", "get", "so", "just", "all", "no", "what", "how", "if",
    "de", "la", "el", "en", "mi", "que", "se", "y", "want", "think", "up", "out", "off",
}
# Frequent verbs that a pattern is better not indexed by when it needs a rarer word as well.
FREQUENT_LEMMAS = {"take", "keep", "say", "tell", "feel", "need", "know", "give", "make", "come", "see", "look"}
# Match labels of the patterns that cancel or may cancel a risk match (see detect_all).
SUPPRESSOR = "suppressor"
CONDITIONAL_IDIOM = "conditional_idiom"


@dataclass(frozen=True)
class RiskRule:
    """One group of patterns with the same category and context options."""

    rule_id: str
    category: str
    negatable: bool = True
    generic: bool = False
    habitual: bool = False


@dataclass(frozen=True)
class RiskFinding:
    """A risk found in a message: what kind, whose, and the words that showed it."""

    category: str
    handling: str  # "self", "third_party" or "past_attempt"
    rule_id: str
    matched_text: str

    @property
    def intent(self) -> str:
        """The Rasa intent whose rule gives the crisis reply that fits this finding."""
        if self.handling != "self":
            return f"crisis_{self.handling}"
        return f"crisis_{self.category}"


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class SpellingTargets:
    """Reads a misspelt risk word as the word ("suicidle" as "suicide"), see patterns.yml."""

    WORD = re.compile(r"\b[a-z]{6,14}\b")

    def __init__(self, targets: Sequence[str], exceptions: Sequence[str]) -> None:
        self.targets = tuple(targets)
        self.exceptions = set(exceptions) | set(targets)
        self.closest = lru_cache(maxsize=4096)(self._closest)

    def correct(self, text: str) -> str:
        if not self.targets:
            return text
        return self.WORD.sub(lambda m: self.closest(m.group(0)), text)

    def _closest(self, word: str) -> str:
        if word in self.exceptions:
            return word
        allowed = 1 if len(word) <= 7 else 2
        near = [(edit_distance(word, target), target) for target in self.targets
                if word[0] == target[0] and abs(len(word) - len(target)) <= allowed]
        distance, target = min(near, default=(allowed + 1, word))
        return target if distance <= allowed else word


def edit_distance(first: str, second: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    neighbouring letters each cost one."""
    rows = [list(range(len(second) + 1))]
    for i, a in enumerate(first, 1):
        row = [i]
        for j, b in enumerate(second, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def _phrase_regex(phrases: Iterable[str]) -> re.Pattern:
    """One regex matching any of the phrases as whole words."""
    alternatives = sorted({p.lower() for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(" + "|".join(re.escape(p) for p in alternatives) + r")(?![\w'])")


class RiskDetector:
    """Finds crisis signals in one message. Thread-safe to call; build once per process."""

    def __init__(self, nlp: Optional[Language] = None, patterns_path: Path = PATTERNS_PATH) -> None:
        self.nlp = nlp or load_pipeline()
        config = yaml.safe_load(patterns_path.read_text(encoding="utf-8"))
        self.category_order: List[str] = config["categories"]
        self._shorthand: Dict[str, str] = {k.lower(): v for k, v in config["shorthand"].items()}
        self._shorthand_re = _phrase_regex(self._shorthand)
        self._last_normalized: Tuple[Optional[str], str] = (None, "")
        self._spelling = SpellingTargets(config.get("spelling_targets", []), config.get("spelling_exceptions", []))
        self._words = {key: set(config[key]) for key in (
            "negation_words", "negation_breakers", "first_person", "third_person_subjects",
            "reflexive_third_person", "treatment_words", "question_starters", "attempt_words",
            "present_wish_words")}
        self._markers = {key: _phrase_regex(config[key]) for key in (
            "past_markers", "present_markers", "habitual_markers", "attempt_phrases")}
        self._attempt_reach: Dict[str, int] = config["attempt_reach"]
        self._recovery = _recovery_regex(config["recovery_words"])
        # Named word lists ("MEDS", "FIREARM") that a pattern can use as one token.
        self._lists: Dict[str, List[str]] = {k: list(v) for k, v in config.get("word_lists", {}).items()}
        self.rules: Dict[str, RiskRule] = {}
        # One small Matcher per group of patterns that need the same uncommon lemmas, indexed by
        # those lemmas, so a message only runs the few patterns that could match it (keeps p99
        # well under 1 ms).
        self._matchers: List[Matcher] = []
        self._triggers: List[frozenset] = []  # per matcher: the lemmas every match of it contains
        self._longest: List[int] = []  # per matcher: the most tokens one match of it can span
        self._by_trigger: Dict[str, List[int]] = defaultdict(list)
        groups: Dict[Tuple[str, ...], Dict[str, List[List[dict]]]] = defaultdict(lambda: defaultdict(list))
        for raw in config["rules"]:
            rule = RiskRule(raw["id"], raw["category"], raw.get("negatable", True),
                            raw.get("generic", False), raw.get("habitual", False))
            if rule.rule_id in (SUPPRESSOR, CONDITIONAL_IDIOM):
                raise ValueError(f"rule id {rule.rule_id!r} is reserved")
            self.rules[rule.rule_id] = rule
            for pattern in raw["patterns"]:
                self._group_pattern(groups, rule.rule_id, pattern)
        # Suppressors and conditional idioms go in the same index, under their own labels.
        for pattern in config["suppressors"]:
            self._group_pattern(groups, SUPPRESSOR, pattern)
        idioms = config["conditional_idioms"]
        for pattern in idioms["patterns"]:
            self._group_pattern(groups, CONDITIONAL_IDIOM, pattern)
        for triggers, by_label in groups.items():
            matcher = Matcher(self.nlp.vocab)
            for label, specs_list in by_label.items():
                matcher.add(label, specs_list)
            self._matchers.append(matcher)
            self._triggers.append(frozenset(triggers))
            self._longest.append(max(len(specs) for specs_list in by_label.values() for specs in specs_list))
            for lemma in triggers:
                self._by_trigger[lemma].append(len(self._matchers) - 1)
        self._idiom_markers = {key: _phrase_regex(idioms[key]) for key in (
            "joke_markers", "trivial_conditions", "threat_markers", "partner_words")}

    # -- building patterns ------------------------------------------------------------------
    def _group_pattern(self, groups: Dict[Tuple[str, ...], Dict[str, List[List[dict]]]], label: str,
                       pattern: str) -> None:
        specs = self._compile(pattern)
        groups[tuple(_trigger_lemmas(specs))][label].extend(_split_first_alternatives(specs))

    def _candidate_matches(self, doc: Doc) -> List[Tuple[int, int, int]]:
        """Matches of every pattern whose trigger lemma occurs in the message. In a long message
        each matcher reads only the stretches around its trigger words: every match of it holds
        one, and spans at most its longest pattern."""
        positions: Dict[str, List[int]] = defaultdict(list)
        for token in doc:
            positions[token.lemma_].append(token.i)
        candidates = {index for lemma in positions for index in self._by_trigger.get(lemma, ())}
        matches = set()
        for index in candidates:
            at = sorted(i for lemma in self._triggers[index] for i in positions.get(lemma, ()))
            for start, end in _windows_around(at, self._longest[index], len(doc)):
                found = self._matchers[index](doc if (start, end) == (0, len(doc)) else doc[start:end])
                matches.update((key, first + start, last + start) for key, first, last in found)
        return sorted(matches, key=lambda m: (m[1], m[2]))

    def _lemma(self, word: str) -> List[str]:
        return [t.lemma_ for t in self.nlp(self.normalize(word))]

    def _compile(self, pattern: str) -> List[dict]:
        """Turn one line of the pattern syntax (see patterns.yml) into Matcher token specs."""
        specs: List[dict] = []
        for item in pattern.split():
            if item == "NUM":
                specs.append({"LIKE_NUM": True})
                continue
            if item == "...":
                specs.extend({"IS_PUNCT": False, "OP": "?"} for _ in range(GAP_TOKENS))
                continue
            optional = item.endswith("?") and len(item) > 1
            item = item[:-1] if optional else item
            alternatives = [word for name in item.split("|") for word in self._lists.get(name, [name])]
            if len(alternatives) == 1 and item not in self._lists:
                lemmas = self._lemma(item)
                for lemma in lemmas:
                    spec: dict = {"LEMMA": lemma}
                    if optional and len(lemmas) == 1:
                        spec["OP"] = "?"
                    specs.append(spec)
                continue
            lemmas = set()
            for alternative in alternatives:
                tokens = self._lemma(alternative)
                if len(tokens) != 1:
                    raise ValueError(f"alternative {alternative!r} in {pattern!r} is not one token")
                lemmas.add(tokens[0])
            spec = {"LEMMA": {"IN": sorted(lemmas)}}
            if optional:
                spec["OP"] = "?"
            specs.append(spec)
        return specs

    # -- normalising text -------------------------------------------------------------------
    def normalize(self, text: str) -> str:
        """Lower-case, straighten quotes, drop accents, shorten letter runs, expand shorthand. The
        last message's result is kept: the decision asks for it up to three times per message."""
        last = self._last_normalized
        if last[0] == text:
            return last[1]
        normalized = self._normalize(text)
        self._last_normalized = (text, normalized)
        return normalized

    def _normalize(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
        text = _strip_accents(text.lower())
        text = re.sub(r"([a-z])\1{2,}", r"\1", text)
        text = self._spelling.correct(text)
        return self._shorthand_re.sub(lambda m: self._shorthand[m.group(1)], text)

    # -- detection --------------------------------------------------------------------------
    def detect(self, text: str) -> Optional[RiskFinding]:
        """The most urgent risk in the message, or None when there is none."""
        findings = self.detect_all(text)
        if not findings:
            return None
        return min(findings, key=lambda f: (HANDLING_RANK[f.handling], self.category_order.index(f.category)))

    def detect_all(self, text: str) -> List[RiskFinding]:
        """Every risk match that survives the context rules."""
        if not text or not text.strip():
            return []
        normalized = self.normalize(text)
        doc = self.nlp(normalized)
        matches = [(self.nlp.vocab.strings[match_id], start, end)
                   for match_id, start, end in self._candidate_matches(doc)]
        suppressed = [(s, e) for label, s, e in matches if label == SUPPRESSOR]
        suppressed += [(s, e) for label, s, e in matches
                       if label == CONDITIONAL_IDIOM and self._joking_condition(doc, s)]
        findings = []
        for label, start, end in matches:
            rule = self.rules.get(label)
            if rule is None:
                continue
            if any(s < end and start < e for s, e in suppressed):
                continue
            if self._cancelled_by_context(rule, doc, normalized, start):
                continue
            handling = self._handling(rule, doc, normalized, start, end)
            if handling == "third_party" and self._told_as_history(normalized):
                continue  # someone else's attempt or death told as history: a loss, not a present risk
            findings.append(RiskFinding(rule.category, handling, rule.rule_id, doc[start:end].text))
        return findings

    def _cancelled_by_context(self, rule: RiskRule, doc: Doc, normalized: str, start: int) -> bool:
        if rule.negatable and self._negated(doc, start):
            return True
        if rule.generic and self._is_treatment_question(self._sentence(doc, start)):
            return True
        if rule.habitual and self._has(normalized, "habitual_markers") and not self._has(normalized, "present_markers"):
            return True
        if rule.category == "in_danger" and self._told_as_history(normalized):
            return True
        return False

    def _joking_condition(self, doc: Doc, start: int) -> bool:
        """ "X would kill me if ..." said in jest: the sentence laughs ("lol", "jaja") or names a
        trivial condition (being late, eating dessert), and has no sign of a real threat (someone
        said or threatened it, a condition like leaving or telling). A trivial condition alone
        does not do when a partner or ex is named: "my husband will kill me if I'm late" stays."""
        sentence = self._sentence(doc, start).text
        found = {key for key, marker in self._idiom_markers.items() if marker.search(sentence)}
        if "threat_markers" in found:
            return False
        return "joke_markers" in found or ("trivial_conditions" in found and "partner_words" not in found)

    def _negated(self, doc: Doc, start: int) -> bool:
        """A negation within a few tokens before the match, in the same clause, with nothing
        like "stop" or "help" between them ("I can't stop thinking about ..."). A "no" that
        answers rather than negates ("no i want to die") does not count."""
        window: List[Tuple[str, int]] = []
        for token in reversed(doc[max(0, start - NEGATION_WINDOW):start]):
            if token.lemma_ in CLAUSE_BREAKS or token.text in CLAUSE_BREAKS:
                break
            window.append((token.lemma_, token.i))
        for index, (lemma, position) in enumerate(window):
            if lemma not in self._words["negation_words"]:
                continue
            follower = doc[position + 1].text if position + 1 < len(doc) else ""
            if lemma == "no" and follower in INTERJECTION_FOLLOWERS:
                continue
            between = [word for word, _ in window[:index]]
            return not any(word in self._words["negation_breakers"] for word in between)
        return False

    @staticmethod
    def _sentence(doc: Doc, start: int) -> Doc:
        """The sentence around a token, split at . ! ? ; (the blank pipeline has no parser)."""
        begin = start
        while begin > 0 and doc[begin - 1].text not in SENTENCE_BREAKS:
            begin -= 1
        end = start
        while end < len(doc) and doc[end].text not in SENTENCE_BREAKS:
            end += 1
        return doc[begin:min(end + 1, len(doc))]

    def _is_treatment_question(self, sentence) -> bool:
        """A question about treatment that talks about nobody in particular."""
        words = {t.text for t in sentence} | {t.lemma_ for t in sentence}
        is_question = sentence[-1].text == "?" or sentence[0].text in self._words["question_starters"]
        return (
            is_question
            and bool(words & self._words["treatment_words"])
            and not words & self._words["first_person"]
        )

    def names_attempt(self, finding: RiskFinding, normalized: str) -> bool:
        """Words of an attempt or a suicidal act in what the rule found or just around it, in the
        same sentence ("i tried to end my life", "i overdosed on purpose"); anywhere in the message
        when the found words cannot be located in it. `normalized` is `normalize(text)`."""
        attempt = self._markers["attempt_phrases"]
        reach = self._attempt_reach
        around = words_around(finding, normalized, reach["before"], reach["after"], within_sentence=True)
        if around is None:
            return bool(attempt.search(finding.matched_text.lower()) or attempt.search(normalized))
        return bool(attempt.search(around))

    def _told_as_history(self, normalized: str) -> bool:
        """Past abuse told as history ("years ago", "as a kid") with nothing saying it is now."""
        return self._has_past(normalized) and not self._told_as_now(normalized)

    def _told_as_now(self, normalized: str) -> bool:
        """A word that places the message now ("tonight", "right now", "again", "an hour ago").
        "Now" in a statement of recovery ("I'm safe now", "doing much better now", "I'm 33 now")
        confirms that what came before is over rather than making it current."""
        if RECENT_TIME.search(normalized):
            return True
        return self._has(self._recovery.sub(" ", normalized), "present_markers")

    def _has(self, normalized: str, markers: str) -> bool:
        return bool(self._markers[markers].search(normalized))

    def _has_past(self, normalized: str) -> bool:
        """A past marker or a past year ("in 2014"), "before" counting only at the end of a clause."""
        if any(int(year) < date.today().year for year in PAST_YEAR.findall(normalized)):
            return True
        for match in self._markers["past_markers"].finditer(normalized):
            if match.group(1) != "before" or CLAUSE_END_AFTER.match(normalized, match.end()):
                return True
        return False

    def _handling(self, rule: RiskRule, doc: Doc, normalized: str, start: int, end: int) -> str:
        if rule.category in ("suicide", "self_harm", "medical_emergency", "risk_question"):
            if self._about_someone_else(doc, start, end):
                return "third_party"
        if rule.category in ("suicide", "self_harm", "medical_emergency") and self._past_attempt(
                doc, normalized, start, end):
            return "past_attempt"
        return "self"

    def _about_someone_else(self, doc: Doc, start: int, end: int) -> bool:
        span_words = {t.text for t in doc[start:end]}
        if span_words & self._words["reflexive_third_person"]:
            return True
        if span_words & self._words["first_person"]:
            return False
        for token in reversed(doc[:start]):
            if token.text in SENTENCE_BREAKS:
                break
            if token.text in self._words["first_person"] or _spanish_i_have(token):
                return False
            if token.text in self._words["third_person_subjects"] or token.lemma_ in self._words["third_person_subjects"]:
                return True
        return False

    def _past_attempt(self, doc: Doc, normalized: str, start: int, end: int) -> bool:
        """The person's own attempt (or wish) told as over: nothing in the message places it now,
        no wish stands just before the words found ("i want to kill myself, i tried before" is
        now), and an attempt word or a past marker sits in the same sentence ("i tried to end my
        life at 16"). An attempt word elsewhere does not make a present wish past ("i've tried
        therapy, meds, everything. i just want to die")."""
        if self._told_as_now(normalized):
            return False
        sentence = self._sentence(doc, start)
        before = [t.text for t in doc[max(sentence.start, start - self._attempt_reach["before"]):start]]
        if set(before[-WISH_REACH:]) & self._words["present_wish_words"]:
            return False
        after = [t.text for t in doc[end:min(sentence.end, end + self._attempt_reach["after"])]]
        found = [t.text for t in doc[start:end]]
        if set(before + found + after) & (self._words["attempt_words"] - {"try"}):
            return True
        return self._has_past(sentence.text) or bool(SPANISH_PAST_TIME.search(sentence.text))


def _spanish_i_have(token: Token) -> bool:
    """Spanish "he" + a participle is "I have" ("he intentado matarme", "he pensado en ..."), not
    the English "he"."""
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return token.text == "he" and following is not None and following.text.endswith(SPANISH_PARTICIPLE_ENDINGS)


def words_around(finding: RiskFinding, normalized: str, before: int, after: int,
                 within_sentence: bool = False) -> Optional[str]:
    """What a finding matched with up to `before` words before it and `after` words after it
    (kept inside its sentence when asked), or None when the found words are not in the text."""
    found = finding.matched_text.lower()
    at = normalized.find(found) if found else -1
    if at < 0:
        return None
    head, tail = normalized[:at], normalized[at + len(found):]
    if within_sentence:
        head, tail = SENTENCE_END.split(head)[-1], SENTENCE_END.split(tail)[0]
    kept_before = head.split()[-before:] if before else []
    return " ".join(kept_before + [found] + tail.split()[:after])


# Spanish recovery with a "now" ("ahora estoy bien", "ya estoy a salvo", "hoy vivo tranquila"), on
# accent-free text: what came before is over.
SPANISH_RECOVERY = (r"(?:(?:ahora|hoy|ya)(?: ya)? (?:estoy|me siento|vivo|me encuentro|ando) (?:muy |mucho |mas |bastante )?"
                    r"(?:bien|mejor|tranquil[oa]|a salvo|estable|en paz|feliz|sobri[oa])"
                    r"|(?:estoy|me siento|vivo|ando) (?:muy |mucho |mas |bastante )?(?:bien|mejor|tranquil[oa]|a salvo|estable)"
                    r" (?:ahora|hoy))")


def _recovery_regex(words: Sequence[str]) -> re.Pattern:
    """Statements of recovery that carry a "now": "(i am | doing | much ...) better now",
    "now i am (doing) fine", "i am 33 now"."""
    state = "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r"|\d+(?: years old)?)"
    lead = r"(?:i am|i'm|doing|feeling|i feel|things are|life is|much|so|really|pretty|a lot)"
    degree = r"(?:(?:doing|feeling) )?(?:(?:so|much|a lot|really|pretty) )?"
    english = rf"{lead} {degree}{state} now|(?:now,? i(?: a|')m|i(?: a|')m now) {degree}{state}"
    return re.compile(rf"(?<![\w'])(?:{english}|{SPANISH_RECOVERY})(?![\w'])")


def _windows_around(positions: Sequence[int], reach: int, length: int) -> List[Tuple[int, int]]:
    """Token ranges that hold every stretch of at most `reach` tokens through one of the
    positions, overlapping ranges merged; the whole message when that is nearly all of it."""
    windows: List[List[int]] = []
    for position in positions:
        start, end = max(0, position - reach + 1), min(length, position + reach)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    if sum(end - start for start, end in windows) * 4 >= length * 3:
        return [(0, length)]
    return [(start, end) for start, end in windows]


def _split_first_alternatives(specs: List[dict]) -> List[List[dict]]:
    """One pattern per alternative of the first token: the Matcher tests a plain value at every
    start position in compiled code, where a set of alternatives costs a Python call."""
    first = specs[0]
    lemma = first.get("LEMMA")
    if not isinstance(lemma, dict):
        return [specs]
    return [[{**first, "LEMMA": alternative}] + specs[1:] for alternative in lemma["IN"]]


def _trigger_lemmas(specs: Sequence[dict]) -> List[str]:
    """The lemmas of one required token of a pattern, preferring an uncommon, narrow one:
    a message without any of them cannot match the pattern."""
    required = []
    for spec in specs:
        if spec.get("OP") == "?" or "LEMMA" not in spec:
            continue
        lemma = spec["LEMMA"]
        required.append(sorted(lemma["IN"]) if isinstance(lemma, dict) else [lemma])
    if not required:
        raise ValueError(f"pattern {specs!r} has no required word")
    for avoided in (COMMON_LEMMAS | FREQUENT_LEMMAS, COMMON_LEMMAS):
        uncommon = [alternatives for alternatives in required if not set(alternatives) & avoided]
        if uncommon:
            return min(uncommon, key=len)
    return min(required, key=len)


@lru_cache(maxsize=1)
def default_detector() -> RiskDetector:
    """The process-wide detector (building the matchers takes a moment; matching is fast)."""
    return RiskDetector()


def detect_risk(text: str) -> Optional[RiskFinding]:
    """Convenience wrapper: the most urgent risk in `text`, or None."""
    return default_detector().detect(text)
