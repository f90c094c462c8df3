"""Text to the token ids of an uncased BERT model: the WordPiece tokenizer of all-MiniLM-L6-v2.

The same steps as the reference (Hugging Face `tokenizers`, BertWordPieceTokenizer with lowercase=True;
tests compare the two on thousands of texts): drop control characters and turn whitespace into
spaces, put spaces around CJK ideographs, strip accents (NFD, without non-spacing marks), lower-case,
split on whitespace and around each punctuation character, then split each word greedily into the
longest pieces the vocabulary holds (`##` marks a piece inside a word; a word that cannot be split,
or of more than 100 characters, is `[UNK]`).

Every step costs time linear in the text: a piece is looked for among at most as many characters as
the longest entry of the vocabulary, and a text stops being read once it has `max_tokens` pieces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

MINILM = Path(__file__).resolve().parents[1] / "minilm"  # what custlens ships for all-MiniLM-L6-v2
VOCABULARY = MINILM / "vocab.txt"
MAX_WORD_CHARS = 100  # longer words are [UNK], as in the reference
_ASCII_WORDS = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")  # ASCII: every printable non-alphanumeric is punctuation
_ASCII_DROP = dict.fromkeys([*range(9), 11, 12, *range(14, 32), 127])  # control characters but \t \n \r
# Whitespace (Unicode's White_Space property) that survives the removal of control characters
_SPACES = frozenset("\t\n\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                    "\u2028\u2029\u202f\u205f\u3000")
# the reference's ranges (its fifth starts at 0x2B920, where BERT's own code says 0x2B820)
_CONTROL = frozenset(("Cc", "Cf", "Cs", "Co"))  # dropped; unassigned code points (Cn) are kept, as the reference does
_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
        (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_cjk(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in _CJK)


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _unicode_words(text: str) -> list[str]:
    """The general case: clean, CJK, accents, lower case, then whitespace and punctuation splits."""
    kept: list[str] = []
    for char in text:
        code = ord(char)
        if char in _SPACES:
            kept.append(" ")
        elif code == 0 or code == 0xFFFD or unicodedata.category(char) in _CONTROL:
            continue
        elif _is_cjk(code):
            kept.append(f" {char} ")
        else:
            kept.append(char)
    stripped = "".join(c for c in unicodedata.normalize("NFD", "".join(kept)) if unicodedata.category(c) != "Mn")
    lowered = "".join(c.lower() for c in stripped)  # character by character, as the reference does (no final sigma)
    words: list[str] = []
    for chunk in lowered.split():
        start = 0
        for k, char in enumerate(chunk):
            if _is_punctuation(char):
                if k > start:
                    words.append(chunk[start:k])
                words.append(char)
                start = k + 1
        if start < len(chunk):
            words.append(chunk[start:])
    return words


def words(text: str) -> list[str]:
    """The words and punctuation marks the vocabulary is looked up with."""
    if text.isascii():
        return _ASCII_WORDS.findall(text.translate(_ASCII_DROP).lower())
    return _unicode_words(text)


class WordPiece:
    """An uncased BERT tokenizer over a `vocab.txt` (one entry per line, the line number is the id)."""

    def __init__(self, vocab: Sequence[str]) -> None:
        self.ids = {entry: k for k, entry in enumerate(vocab)}
        self.unk, self.cls, self.sep = self.ids["[UNK]"], self.ids["[CLS]"], self.ids["[SEP]"]
        self.longest = max(len(entry) for entry in vocab)
        self._pieces: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        return cls(path.read_text(encoding="utf-8").splitlines())

    def pieces(self, word: str) -> tuple[int, ...]:
        """The ids of a word's pieces, longest first from the left; (unk,) if it cannot be split."""
        found = self._pieces.get(word)
        if found is not None:
            return found
        out: list[int] = []
        if len(word) > MAX_WORD_CHARS:
            out = [self.unk]
        start = len(word) if out else 0
        while start < len(word):
            prefix = "##" if start else ""
            end = min(len(word), start + self.longest)
            while end > start:
                piece = self.ids.get(prefix + word[start:end])
                if piece is not None:
                    out.append(piece)
                    break
                end -= 1
            else:
                out = [self.unk]
                break
            start = end
        result = tuple(out)
        if len(self._pieces) < 200_000:
            self._pieces[word] = result
        return result

    def encode(self, text: str, max_tokens: int = 256) -> list[int]:
        """`[CLS]`, the text's pieces (cut to fit), `[SEP]`."""
        room = max_tokens - 2
        ids = [self.cls]
        for word in words(text):
            ids.extend(self.pieces(word))
            if len(ids) > room:
                del ids[room + 1 :]
                break
        ids.append(self.sep)
        return ids
