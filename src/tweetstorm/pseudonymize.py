"""Pseudonyms: every handle becomes ``P01``, ``M1`` or ``X001``, in columns and inside text.

The key (:func:`build_key`) is a table ``handle, pseudonym, kind``:

- ``participant``: non-moderator accounts that wrote at least one post with ``role == "answer"``
  (whatever its ``assign_rule``), numbered ``P01, P02, ...`` in order of their first post in the
  table (``created_at``, then ``post_id``; ids made only of digits compare as numbers);
- ``moderator``: the moderator accounts, ``M1, M2, ...`` in the order they are given;
- ``other``: every other handle that appears, ``X001, X002, ...`` in order of first appearance.
  The order walks the posts as above and, within a post: ``author_handle``, ``reply_to_handle``,
  ``mentions`` (list order), handles inside ``text`` (left to right), handles inside ``urls``;
  then ``extra_handles`` in the order given (the notebook passes ``participants.csv`` handles in
  row order, then the PLN file row by row: participant, then handles in the contact).

Numbers are zero-padded to two digits (``P``) and three digits (``X``), more if needed.
Handles are compared case-insensitively and without ``@``; the key keeps the first spelling seen.

Handles inside text: ``@name`` where ``@`` does not follow a letter, digit or ``_`` (so e-mail
addresses are left alone), ``name`` made of letters, digits and ``_`` with optional ``.``, ``-``
or ``@`` separated parts (Mastodon ``@ann@mastodon.social``, Bluesky ``@ann.bsky.social``). A
match stands for the longest part of it, cut at a separator, that is a handle of the key (so
``@ann.`` and ``@ann's`` are ``@ann``, and ``@ann`` never hits ``@anna``). Twitter profile links
(``twitter.com/<name>``, ``x.com/<name>``) and Bluesky ones (``bsky.app/profile/<name>``) count
as handles too. :func:`apply` raises :class:`~tweetstorm.errors.InputError` on any handle that is
not in the key, so nothing leaks silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from . import paths
from .errors import InputError, require_columns

KINDS: tuple[str, ...] = ("participant", "moderator", "other")
KEY_FILE = paths.PRIVATE / "pseudonym_key.csv"

#: ``@handle`` inside text; group 1 is the handle with any ``.``/``-``/``@`` separated parts.
HANDLE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]+(?:[.@-][A-Za-z0-9_]+)*)")
#: Profile links on Twitter/X and Bluesky; group 1 is the handle.
HANDLE_IN_URL = re.compile(
    r"(?i)(?<![A-Za-z0-9_.-])(?:(?:www|mobile)\.)?(?:twitter|x)\.com/([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_])"
    r"|(?<![A-Za-z0-9_.-])bsky\.app/profile/([A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*)")
# Paths of twitter.com that are pages, not accounts.
_RESERVED_PATHS = frozenset({"i", "intent", "search", "hashtag", "home", "share", "explore",
                             "settings", "messages", "notifications", "login", "signup", "tos",
                             "privacy", "about", "compose", "status", "statuses"})
_SEPARATORS = re.compile(r"[.@-]")
_ONE_HANDLE = re.compile(r"@[A-Za-z0-9_]+(?:[.@-][A-Za-z0-9_]+)*")


def _norm(handle: str) -> str:
    return str(handle).strip().lstrip("@").casefold()


def _candidates(token: str) -> list[str]:
    """``token`` and its prefixes cut at separators, longest first."""
    cuts = [m.start() for m in _SEPARATORS.finditer(token)]
    return [token] + [token[:c] for c in reversed(cuts)]


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, handle-like token)`` of every handle in ``text`` (without ``@``), in
    order; ``start:end`` spans the token itself (not the ``@`` or the link's host)."""
    found = ([(m.start(1), m.end(1), m.group(1)) for m in HANDLE_IN_TEXT.finditer(text)]
             if "@" in text else [])
    lower = text.lower()
    if "x.com/" not in lower and "twitter.com/" not in lower and "bsky.app/" not in lower:
        return found  # the common case, without running the slower link pattern
    for m in HANDLE_IN_URL.finditer(text):
        g = 1 if m.group(1) is not None else 2
        if g == 1 and m.group(1).casefold() in _RESERVED_PATHS:
            continue
        found.append((m.start(g), m.end(g), m.group(g)))
    found.sort()
    kept: list[tuple[int, int, str]] = []
    for tok in found:  # drop a match that overlaps an earlier one
        if not kept or tok[0] >= kept[-1][1]:
            kept.append(tok)
    return kept


def _first_segment(token: str) -> str:
    return _SEPARATORS.split(token, maxsplit=1)[0]


def _post_order(posts: pd.DataFrame) -> pd.DataFrame:
    ids = posts["post_id"].astype(str)
    numeric = ids.str.fullmatch(r"\d+").all()
    key = ids.str.zfill(int(ids.str.len().max() or 1)) if numeric else ids
    order = pd.DataFrame({"t": pd.to_datetime(posts["created_at"], utc=True), "k": key.to_numpy()},
                         index=posts.index)
    return posts.loc[order.sort_values(["t", "k"], kind="stable").index]


def _listify(value) -> list:
    if value is None or (not isinstance(value, (list, tuple)) and not hasattr(value, "__len__")):
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if not pd.isna(v)]


def build_key(posts: pd.DataFrame, moderators: Iterable[str],
              extra_handles: Iterable[str] = ()) -> pd.DataFrame:
    """The pseudonym key of every handle in ``posts`` and ``extra_handles``.

    ``posts``: the output of :func:`tweetstorm.structure.assign_structure` (needs ``role``).
    Returns columns ``handle, pseudonym, kind`` (strings), participants first, then moderators,
    then others, each in pseudonym order. Order rules are in the module docstring.
    """
    if "role" not in posts.columns:
        raise InputError("posts table", "no role column",
                         "run tweetstorm.structure.assign_structure before build_key")
    mods = [_norm(m) for m in moderators]
    extra = [str(h) for h in extra_handles if not pd.isna(h)]
    ordered = _post_order(posts)
    authors = ordered["author_handle"].astype("string")
    # Handles carried by the structured columns decide what a text token like "@ann.bsky" means.
    structured: set[str] = set(authors.dropna().map(_norm))
    structured |= set(ordered["reply_to_handle"].dropna().astype(str).map(_norm))
    structured |= {_norm(h) for ms in ordered["mentions"] for h in _listify(ms)}
    structured |= {_norm(h) for h in extra}
    structured |= set(mods)

    spelling: dict[str, str] = {}  # casefolded -> first spelling, in order of first appearance

    def see(handle: str) -> None:
        h = str(handle).strip().lstrip("@")
        if h and h.casefold() not in spelling:
            spelling[h.casefold()] = h

    def see_text(text: str, platform: str) -> None:
        for _, _, tok in _tokens(text):
            hit = next((c for c in _candidates(tok) if c.casefold() in structured), None)
            if hit is None:  # an unknown account: Twitter handles have no '.', '-' or '@'
                hit = _first_segment(tok) if platform == "twitter" else tok
            see(hit)

    cols = ["author_handle", "reply_to_handle", "mentions", "text", "urls", "platform"]
    table = ordered.reindex(columns=cols)
    for author, reply_h, mentions, text, urls, platform in zip(
            *(table[c].tolist() for c in cols), strict=True):
        platform = "twitter" if pd.isna(platform) else str(platform)
        for h in (author, reply_h):
            if not pd.isna(h):
                see(h)
        for h in _listify(mentions):
            see(h)
        if not pd.isna(text):
            see_text(str(text), platform)
        for u in _listify(urls):
            see_text(str(u), platform)
    for h in extra:
        see(h)

    answer_authors = ordered.loc[ordered["role"].eq("answer").fillna(False), "author_handle"]
    answerers = set(answer_authors.dropna().map(_norm)) - set(mods)
    # in order of first post (of any role, not of first answer): authors are in post order
    participants = [h for h in dict.fromkeys(authors.dropna().map(_norm)) if h in answerers]

    rows: list[tuple[str, str, str]] = []
    wp = max(2, len(str(len(participants))))
    rows += [(spelling.get(h, h), f"P{i:0{wp}d}", "participant") for i, h in enumerate(participants, 1)]
    rows += [(spelling.get(h, h), f"M{i}", "moderator") for i, h in enumerate(dict.fromkeys(mods), 1)]
    taken = set(participants) | set(mods)
    others = [h for h in spelling if h not in taken]
    wx = max(3, len(str(len(others))))
    rows += [(spelling[h], f"X{i:0{wx}d}", "other") for i, h in enumerate(others, 1)]
    return pd.DataFrame(rows, columns=["handle", "pseudonym", "kind"]).astype("string")


def extra_handles(participants: pd.DataFrame | None = None,
                  pln: pd.DataFrame | None = None) -> list[str]:
    """Handles named outside the posts, in documented order (see the module docstring).

    ``participants``: ``data/raw/participants.csv`` (column ``handle``); ``pln``:
    ``data/raw/pln_identification.csv`` (columns ``participant``, ``contact``). Contacts count
    only where they name ``@handle``s (groups and resources are names, not accounts).
    """
    out: list[str] = []
    if participants is not None:
        out += [str(h) for h in participants["handle"].dropna()]
    if pln is not None:
        for part, contact in zip(pln["participant"], pln["contact"], strict=True):
            if not pd.isna(part):
                out.append(str(part))
            if not pd.isna(contact):
                out += [tok for _, _, tok in _tokens(str(contact))]
    return out


class _Lookup:
    """Case-insensitive handle -> pseudonym lookup with the rules of the module docstring."""

    def __init__(self, key: pd.DataFrame) -> None:
        require_columns(key.columns, ("handle", "pseudonym"), "pseudonym key",
                        "build the key with tweetstorm.pseudonymize.build_key")
        folded = key["handle"].astype(str).map(_norm)
        for col, values in (("handle", folded), ("pseudonym", key["pseudonym"])):
            dup = values[values.duplicated()]
            if len(dup):
                raise InputError("pseudonym key", f"{col} {dup.iloc[0]!r} occurs twice",
                                 "rebuild the key with build_key")
        self.map = dict(zip(folded, key["pseudonym"].astype(str), strict=True))

    def handle(self, value, where: dict) -> str:
        got = self.map.get(_norm(value))
        if got is None:
            self._fail(f"handle @{str(value).lstrip('@')}", where)
        return got

    @staticmethod
    def _fail(what: str, where: dict) -> None:
        where = dict(where)
        file = where.pop("file")
        post = where.pop("post", None)
        in_post = f" (post {post})" if post is not None else ""
        raise InputError(file, f"{what}{in_post} is not in the pseudonym key",
                         "rebuild the key with build_key over all posts and extra handles",
                         **where)

    def text(self, value: str, where: dict) -> str:
        pieces: list[str] = []
        pos = 0
        for start, end, tok in _tokens(value):
            hit = next((c for c in _candidates(tok) if c.casefold() in self.map), None)
            if hit is None:
                self._fail(f"handle @{tok} in the text", where)
            pieces += [value[pos:start], self.map[hit.casefold()]]
            pos = start + len(hit)
        pieces.append(value[pos:])
        return "".join(pieces)


def apply(posts: pd.DataFrame, key: pd.DataFrame) -> pd.DataFrame:
    """``posts`` with every handle replaced by its pseudonym.

    Replaces ``author_handle``, ``reply_to_handle``, each entry of ``mentions`` and the handles
    inside ``text`` and ``urls``; ``author_id`` becomes the author's pseudonym (ids identify
    accounts as well as handles do). Raises :class:`InputError` (naming the source file and
    line of the post) for a handle that is not in ``key``. Rows, order and dtypes are kept.
    """
    look = _Lookup(key)
    out = posts.copy()
    n = len(out)

    def col(name: str) -> list:
        return out[name].tolist() if name in out.columns else [None] * n

    handles, reply_h, mentions, texts, urls = [], [], [], [], []
    # A loop over rows: each replacement must name the post it failed on.
    for pid, file, line, a, r, ms, t, us in zip(
            col("post_id"), col("source_file"), col("source_line"), col("author_handle"),
            col("reply_to_handle"), col("mentions"), col("text"), col("urls"), strict=True):
        file = "posts table" if file is None or pd.isna(file) else str(file)
        where = {"file": file, "post": pid,
                 "line": None if line is None or pd.isna(line) else int(line)}
        handles.append(pd.NA if pd.isna(a) else look.handle(a, where))
        reply_h.append(pd.NA if r is None or pd.isna(r) else look.handle(r, where))
        mentions.append([look.handle(m, where) for m in _listify(ms)])
        texts.append(t if t is None or pd.isna(t) else look.text(str(t), where))
        urls.append([look.text(str(u), where) for u in _listify(us)])
    out["author_handle"] = pd.array(handles, dtype=out["author_handle"].dtype)
    if "author_id" in out.columns:
        out["author_id"] = pd.array(handles, dtype=out["author_id"].dtype)
    if "reply_to_handle" in out.columns:
        out["reply_to_handle"] = pd.array(reply_h, dtype=out["reply_to_handle"].dtype)
    if "mentions" in out.columns:
        out["mentions"] = pd.Series(mentions, index=out.index, dtype=object)
    out["text"] = pd.array(texts, dtype=out["text"].dtype)
    if "urls" in out.columns:
        out["urls"] = pd.Series(urls, index=out.index, dtype=object)
    return out


def apply_pln(pln: pd.DataFrame, key: pd.DataFrame, *,
              file: str = "data/raw/pln_identification.csv") -> pd.DataFrame:
    """The PLN identification table with handles replaced by pseudonyms.

    ``participant`` becomes its pseudonym (``@ann`` -> ``P01``); a ``contact`` that is one
    ``@handle`` becomes the bare pseudonym (``@frank`` -> ``X005``, the form
    :mod:`tweetstorm.pln` expects); ``@handle``s inside a longer contact name become
    ``@``pseudonym; groups and resources stay as named. Raises :class:`InputError` (file, row;
    row 1 is the header) on a handle that is not in ``key``.
    """
    look = _Lookup(key)
    out = pln.copy()
    parts, contacts = [], []
    for i, (p, c) in enumerate(zip(pln["participant"], pln["contact"], strict=True)):
        where = {"file": file, "row": i + 2}
        parts.append(p if pd.isna(p) else look.handle(p, where))
        if pd.isna(c):
            contacts.append(c)
        elif _ONE_HANDLE.fullmatch(str(c).strip()):
            contacts.append(look.handle(str(c).strip(), where))
        else:
            contacts.append(look.text(str(c), where))
    out["participant"] = pd.array(parts, dtype="string")
    out["contact"] = pd.array(contacts, dtype="string")
    return out


def apply_participants(participants: pd.DataFrame, key: pd.DataFrame, *,
                       file: str = "data/raw/participants.csv") -> pd.DataFrame:
    """``participants.csv`` with its ``handle`` column holding pseudonyms (``@bob`` -> ``P01``);
    other columns are kept. Raises :class:`InputError` (file, row) on a handle not in ``key``."""
    look = _Lookup(key)
    out = participants.copy()
    out["handle"] = pd.array([h if pd.isna(h) else look.handle(h, {"file": file, "row": i + 2})
                              for i, h in enumerate(participants["handle"])], dtype="string")
    return out


def write_key(key: pd.DataFrame, path: str | Path | None = None) -> Path:
    """Write the key as CSV (``handle,pseudonym,kind``) to ``path``, by default
    ``data/private/pseudonym_key.csv`` (git-ignored: the key re-identifies everyone).
    Returns the path written."""
    target = paths.resolve(path) if path is not None else KEY_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    key[["handle", "pseudonym", "kind"]].to_csv(target, index=False, lineterminator="\n")
    return target


def read_key(path: str | Path | None = None) -> pd.DataFrame:
    """Read a key written by :func:`write_key`."""
    source = paths.resolve(path) if path is not None else KEY_FILE
    return pd.read_csv(source, dtype="string", keep_default_na=False)



def pseudonymize_study(posts: pd.DataFrame, moderators: Iterable[str], participants: pd.DataFrame,
                       pln: pd.DataFrame, *, participants_file: str = "data/raw/participants.csv",
                       pln_file: str = "data/raw/pln_identification.csv"
                       ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Pseudonymise the whole study at once: returns ``(posts, participants, pln, key)``.

    One key covers the posts, the participant list and the PLN session (:func:`build_key` with
    their handles as ``extra_handles``). The participant list and the PLN contacts come back
    sorted by pseudonym: the raw files' order (by handle) would hint at the handles.
    """
    key = build_key(posts, moderators, extra_handles(participants=participants, pln=pln))
    posts = apply(posts, key)
    participants = (apply_participants(participants, key, file=participants_file)
                    .sort_values("handle", kind="stable").reset_index(drop=True))
    pln = (apply_pln(pln, key, file=pln_file)
           .sort_values("participant", kind="stable").reset_index(drop=True))
    return posts, participants, pln, key
