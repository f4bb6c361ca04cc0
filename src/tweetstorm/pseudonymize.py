"""Pseudonyms: every handle becomes ``P01``, ``M1`` or ``X001``, in columns and inside text.

The key (:func:`build_key`) is a table ``handle, pseudonym, kind``:

- ``participant``: the posts' authors whose ``author_kind`` is ``participant`` (written by
  :func:`tweetstorm.structure.assign_structure`; computed with
  :func:`tweetstorm.structure.author_kinds` when the column is absent: non-moderator accounts
  that wrote at least one post with ``role == "answer"``), numbered ``P01, P02, ...`` in order of
  their first post in the table (``created_at``, then ``post_id``; ids made only of digits compare
  as numbers);
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
(``twitter.com/<name>``, ``x.com/<name>``), Bluesky ones (``bsky.app/profile/<name>``), the
account part of ActivityPub addresses (``https://<instance>/users/<name>``, standing for
``name@instance``) and Bluesky DIDs (``did:plc:...``, ``did:web:...``) count as handles too; a
handle that is a domain name (Bluesky's ``ann.example.org``) is replaced where it stands as a
host name of its own (``https://ann.example.org/cv``) as well.
:func:`apply` raises :class:`~tweetstorm.errors.InputError` on any handle that is not in the key,
so nothing leaks silently.

Mentions are resolved through the platform's own mention data first: within a post, a text
``@name`` that is the local part of an account in the post's ``mentions`` (or its
``reply_to_handle`` or author) stands for that account, so Mastodon's ``@ann`` in a post that
mentions ``ann@scholar.social`` is that account's pseudonym, the same as when it writes. A DID
stands for the Bluesky account whose ``author_id`` it is.

Unit ids
--------
Post ids can name their author (a Mastodon status URI holds the handle, a Bluesky ``at://`` URI
the DID; a tweet id leads to its author through the platform). :func:`build_unit_ids` gives
every post of the table a study-local id ``U0001, U0002, ...`` in post order (as above), then
every other post the table refers to (retweeted, replied-to, quoted, conversation ids) in order
of first appearance (posts in post order; within a post the columns of :data:`ID_COLUMNS`).
:func:`apply_unit_ids` replaces the ids in those columns and inside ``text`` and ``urls``; the
mapping is written to ``data/private/`` beside the key (:data:`UNIT_ID_FILE`). Coding sheets and
the adjudication file may name a unit by either id: :func:`unit_id_lookup`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from tweetstorm import paths, structure
from tweetstorm.errors import InputError, require_columns
from tweetstorm.missing import PANDAS_NA_VALUES
from tweetstorm.prose import plural
from tweetstorm.safeio import write_csv
from tweetstorm.ingest.entities import handle_key

KINDS: tuple[str, ...] = ("participant", "moderator", "other")
KEY_FILE = paths.PRIVATE / "pseudonym_key.csv"
#: Study-local id of every post (``post_id`` as exported -> ``unit_id``); private like the key.
UNIT_ID_FILE = paths.PRIVATE / "unit_ids.csv"
#: Columns of the canonical post table that hold post ids, in the order unit ids are given.
ID_COLUMNS: tuple[str, ...] = ("post_id", "retweeted_post_id", "reply_to_post_id",
                               "quoted_post_id", "conversation_id")

#: ``@handle`` inside text; group 1 is the handle with any ``.``/``-``/``@`` separated parts.
HANDLE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]+(?:[.@-][A-Za-z0-9_]+)*)")
#: Profile links on Twitter/X and Bluesky; group 1 is the handle.
HANDLE_IN_URL = re.compile(
    r"(?i)(?<![A-Za-z0-9_.-])(?:(?:www|mobile)\.)?(?:twitter|x)\.com/([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_])"
    r"|(?<![A-Za-z0-9_.-])bsky\.app/profile/(?!did:)([A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*)")
#: ActivityPub account addresses (Mastodon status URIs): group 1 the instance, group 2 the name.
HANDLE_IN_AP_URI = re.compile(
    r"(?i)https?://([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/users/([A-Za-z0-9_]+)")
#: Decentralised identifiers of Bluesky accounts (``did:plc:<base32>``, ``did:web:<host>``).
DID = re.compile(r"(?<![A-Za-z0-9_])did:(?:plc:[a-z2-7]+|web:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# Links to one post: a tweet's number after /status/ (or /statuses/), or a whole URI.
_STATUS_NUMBER = re.compile(r"(?<=/status/)\d+|(?<=/statuses/)\d+")
_URI = re.compile(r"(?:https?|at)://[^\s<>\"']+")
# Paths of twitter.com that are pages, not accounts.
_RESERVED_PATHS = frozenset({"i", "intent", "search", "hashtag", "home", "share", "explore",
                             "settings", "messages", "notifications", "login", "signup", "tos",
                             "privacy", "about", "compose", "status", "statuses"})
_SEPARATORS = re.compile(r"[.@-]")
_ONE_HANDLE = re.compile(r"@[A-Za-z0-9_]+(?:[.@-][A-Za-z0-9_]+)*")



def _candidates(token: str) -> list[str]:
    """``token`` and its prefixes cut at separators, longest first."""
    cuts = [m.start() for m in _SEPARATORS.finditer(token)]
    return [token] + [token[:c] for c in reversed(cuts)]


def _tokens(text: str) -> list[tuple[int, int, str, str | None]]:
    """``(start, end, handle-like token, qualified name or None)`` of every handle in ``text``
    (without ``@``), in order; ``start:end`` spans the token itself (not the ``@`` or the link's
    host). The qualified name is ``name@instance`` for an ActivityPub address."""
    found: list[tuple[int, int, str, str | None]] = (
        [(m.start(1), m.end(1), m.group(1), None) for m in HANDLE_IN_TEXT.finditer(text)]
        if "@" in text else [])
    lower = text.lower()
    if "x.com/" in lower or "twitter.com/" in lower or "bsky.app/" in lower:
        for m in HANDLE_IN_URL.finditer(text):
            g = 1 if m.group(1) is not None else 2
            if g == 1 and m.group(1).casefold() in _RESERVED_PATHS:
                continue
            found.append((m.start(g), m.end(g), m.group(g), None))
    if "/users/" in lower:
        found += [(m.start(2), m.end(2), m.group(2), f"{m.group(2)}@{m.group(1)}")
                  for m in HANDLE_IN_AP_URI.finditer(text)]
    if "did:" in lower:
        found += [(m.start(), m.end(), m.group(), None) for m in DID.finditer(text)]
    if len(found) < 2:
        return found  # the common case
    found.sort(key=lambda t: (t[0], -t[1]))
    kept: list[tuple[int, int, str, str | None]] = []
    for tok in found:  # drop a match that overlaps an earlier (or longer) one
        if not kept or tok[0] >= kept[-1][1]:
            kept.append(tok)
    return kept


def _post_aliases(author, reply_h, mentions, dids: dict[str, str]) -> dict[str, str]:
    """What a name inside one post's text stands for, from the post's own account data:
    casefolded alias -> handle. Each mentioned account (then the replied-to account, then the
    author) under its full handle and, for ``name@instance``, under ``name``, the form
    Mastodon shows; the first account listed wins a shared short name. ``dids``: DID (casefolded)
    -> handle, for the DIDs of Bluesky accounts."""
    out: dict[str, str] = {}
    for h in [*_listify(mentions), reply_h, author]:
        if h is None or pd.isna(h):
            continue
        h = str(h).strip().lstrip("@")
        if not h:
            continue
        full = dids.get(h.casefold(), h)  # a mention given as a DID
        out.setdefault(h.casefold(), full)
        if "@" in full:
            out.setdefault(full.split("@", 1)[0].casefold(), full)
    return out


def _dids(posts: pd.DataFrame) -> dict[str, str]:
    """Casefolded DID -> handle of the authors whose ``author_id`` is a DID (Bluesky)."""
    if "author_id" not in posts.columns:
        return {}
    ids = posts["author_id"].astype("string")
    mask = ids.str.startswith("did:").fillna(False) & posts["author_handle"].notna()
    return dict(zip(ids[mask].str.casefold(), posts.loc[mask, "author_handle"].astype(str),
                    strict=True))


def _resolve(tok: str, qualified: str | None, aliases: dict[str, str], dids: dict[str, str],
             known) -> tuple[str, int] | None:
    """``(handle, length of the text it replaces)`` for a token, or None if nothing matches.

    Tries the qualified name, then the token and its prefixes cut at separators (longest
    first), each against the post's ``aliases``, the ``dids`` of the authors and the accounts
    ``known`` (a container of casefolded handles), in that order."""
    if qualified is not None:
        q = qualified.casefold()
        if q in aliases:
            return aliases[q], len(tok)
        if q in known:
            return qualified, len(tok)
    for c in _candidates(tok):
        cf = c.casefold()
        if cf in aliases:
            return aliases[cf], len(c)
        if cf in dids:
            return dids[cf], len(c)
        if cf in known:
            return c, len(c)
    return None


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
    mods = [handle_key(m) for m in moderators]
    extra = [str(h) for h in extra_handles if not pd.isna(h)]
    ordered = _post_order(posts)
    authors = ordered["author_handle"].astype("string")
    # Handles carried by the structured columns decide what a text token like "@ann.bsky" means.
    structured: set[str] = set(authors.dropna().map(handle_key))
    structured |= set(ordered["reply_to_handle"].dropna().astype(str).map(handle_key))
    structured |= {handle_key(h) for ms in ordered["mentions"] for h in _listify(ms)}
    structured |= {handle_key(h) for h in extra}
    structured |= set(mods)
    dids = _dids(ordered)

    spelling: dict[str, str] = {}  # casefolded -> first spelling, in order of first appearance

    def see(handle: str) -> None:
        h = str(handle).strip().lstrip("@")
        if h and h.casefold() not in spelling:
            spelling[h.casefold()] = h

    def see_text(text: str, platform: str, aliases: dict[str, str]) -> None:
        for _, _, tok, qualified in _tokens(text):
            got = _resolve(tok, qualified, aliases, dids, structured)
            if got is not None:
                hit = got[0]
            elif qualified is not None:  # an unknown account at an instance: name@instance
                hit = qualified
            else:  # an unknown account: Twitter handles have no '.', '-' or '@'
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
            see(dids.get(str(h).casefold(), h))
        aliases = _post_aliases(author, reply_h, mentions, dids)
        if not pd.isna(text):
            see_text(str(text), platform, aliases)
        for u in _listify(urls):
            see_text(str(u), platform, aliases)
    for h in extra:
        see(h)

    kinds = (ordered["author_kind"].astype("string") if "author_kind" in ordered.columns
             else structure.author_kinds(ordered, mods))
    participants_ = set(authors[kinds.eq("participant").fillna(False)].dropna().map(handle_key))
    participants_ -= set(mods)
    # in order of first post (of any role, not of first answer): authors are in post order
    participants = [h for h in dict.fromkeys(authors.dropna().map(handle_key)) if h in participants_]

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
                out += [qualified or tok for _, _, tok, qualified in _tokens(str(contact))]
    return out


class _Lookup:
    """Case-insensitive handle -> pseudonym lookup with the rules of the module docstring."""

    def __init__(self, key: pd.DataFrame) -> None:
        require_columns(key.columns, ("handle", "pseudonym"), "pseudonym key",
                        "build the key with tweetstorm.pseudonymize.build_key")
        folded = key["handle"].astype(str).map(handle_key)
        for col, values in (("handle", folded), ("pseudonym", key["pseudonym"])):
            dup = values[values.duplicated()]
            if len(dup):
                raise InputError("pseudonym key", f"{col} {dup.iloc[0]!r} occurs twice",
                                 "rebuild the key with build_key")
        self.map = dict(zip(folded, key["pseudonym"].astype(str), strict=True))
        self.kind = (dict(zip(key["pseudonym"].astype(str), key["kind"].astype(str), strict=True))
                     if "kind" in key.columns else {})
        # Handles that are domain names (Bluesky: ann.example.org) also name their owner as a
        # bare host (a link to https://ann.example.org/...): replaced there too.
        domains = sorted((h for h in self.map if "." in h and "@" not in h
                          and not h.startswith("did:")), key=lambda h: (-len(h), h))
        self.domains = (re.compile(r"(?i)(?<![A-Za-z0-9_.-])(?:"
                                   + "|".join(re.escape(h) for h in domains)
                                   + r")(?![A-Za-z0-9_-]|\.[A-Za-z0-9])") if domains else None)

    def handle(self, value, where: dict) -> str:
        got = self.map.get(handle_key(value))
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

    def text(self, value: str, where: dict, aliases: dict[str, str] | None = None,
             dids: dict[str, str] | None = None) -> str:
        pieces: list[str] = []
        pos = 0
        for start, _end, tok, qualified in _tokens(value):
            got = _resolve(tok, qualified, aliases or {}, dids or {}, self.map)
            pseudonym = None if got is None else self.map.get(handle_key(got[0]))
            if pseudonym is None:
                self._fail(f"handle @{tok} in the text", where)
            pieces += [self._hosts(value[pos:start]), pseudonym]
            pos = start + got[1]
        pieces.append(self._hosts(value[pos:]))
        return "".join(pieces)

    def _hosts(self, text: str) -> str:
        if self.domains is None or "." not in text:
            return text
        return self.domains.sub(lambda m: self.map[m.group().casefold()], text)


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

    dids = _dids(out)
    handles, reply_h, mentions, texts, urls = [], [], [], [], []
    # A loop over rows: each replacement must name the post it failed on.
    for pid, file, line, a, r, ms, t, us in zip(
            col("post_id"), col("source_file"), col("source_line"), col("author_handle"),
            col("reply_to_handle"), col("mentions"), col("text"), col("urls"), strict=True):
        file = "posts table" if file is None or pd.isna(file) else str(file)
        where = {"file": file, "post": pid,
                 "line": None if line is None or pd.isna(line) else int(line)}
        aliases = _post_aliases(a, r, ms, dids)
        handles.append(pd.NA if pd.isna(a) else look.handle(a, where))
        reply_h.append(pd.NA if r is None or pd.isna(r) else look.handle(r, where))
        mentions.append([look.handle(dids.get(str(m).casefold(), m), where) for m in _listify(ms)])
        texts.append(t if t is None or pd.isna(t) else look.text(str(t), where, aliases, dids))
        urls.append([look.text(str(u), where, aliases, dids) for u in _listify(us)])
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
    ``@``pseudonym; groups and resources stay as named. Two columns are added, the facts later
    steps read instead of parsing pseudonyms: ``participant_kind`` and ``contact_kind``, the
    kind of account (``participant``, ``moderator``, ``other``, from the key) of the participant
    and of a contact that is one account (NA for groups, resources and other names). Raises
    :class:`InputError` (file, row; row 1 is the header) on a handle that is not in ``key``.
    """
    look = _Lookup(key)
    out = pln.copy()
    parts, contacts = [], []
    contact_kinds: list = []
    for i, (p, c) in enumerate(zip(pln["participant"], pln["contact"], strict=True)):
        where = {"file": file, "row": i + 2}
        parts.append(p if pd.isna(p) else look.handle(p, where))
        if pd.isna(c):
            contacts.append(c)
            contact_kinds.append(None)
        elif _ONE_HANDLE.fullmatch(str(c).strip()):
            contacts.append(look.handle(str(c).strip(), where))
            contact_kinds.append(look.kind.get(contacts[-1]))
        else:
            contacts.append(look.text(str(c), where))
            contact_kinds.append(None)
    out["participant"] = pd.array(parts, dtype="string")
    out["contact"] = pd.array(contacts, dtype="string")
    out["participant_kind"] = pd.array([None if pd.isna(p) else look.kind.get(p) for p in parts],
                                       dtype="string")
    out["contact_kind"] = pd.array(contact_kinds, dtype="string")
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


def _raw_table(path: str | Path, columns: tuple[str, ...], what: str,
               dtype: str | dict = "string") -> tuple[pd.DataFrame, str]:
    """A raw CSV of people (missing cells NA, :mod:`tweetstorm.missing`; ``dtype`` as for
    :func:`pandas.read_csv`), and its repo-relative name; errors name the file."""
    full = paths.resolve(path)
    name = paths.relative(full)
    if not full.is_file():
        raise InputError(name, "file not found", f"check the path of the {what}")
    try:
        df = pd.read_csv(full, dtype=dtype, keep_default_na=False, na_values=PANDAS_NA_VALUES,
                         encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(name, "the file is not UTF-8 text", "save it as 'CSV UTF-8'") from err
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputError(name, f"not a readable CSV ({str(err).strip()})",
                         "save it again as CSV UTF-8 with a header row") from err
    df.columns = [str(c).strip() for c in df.columns]
    require_columns(df.columns, columns, name, f"the {what} needs the column(s) "
                    f"{', '.join(columns)} in its header row", row=1, show_found=True)
    return df, name


def _export_handles(posts: pd.DataFrame) -> set[str]:
    """Every account the posts name (authors, replied-to and mentioned accounts), normalised."""
    found = set(posts["author_handle"].dropna().astype(str).map(handle_key))
    if "reply_to_handle" in posts.columns:
        found |= set(posts["reply_to_handle"].dropna().astype(str).map(handle_key))
    if "mentions" in posts.columns:
        found |= {handle_key(h) for ms in posts["mentions"] for h in _listify(ms)}
    return found


def read_participants(path: str | Path, posts: pd.DataFrame) -> pd.DataFrame:
    """Read and check the raw participant list (``handle`` plus attribute columns).

    ``posts``: the canonical posts of the export (``author_handle``, ``reply_to_handle``,
    ``mentions``). Raises :class:`InputError` naming the raw file, the row (row 1 is the header)
    and the column for: no ``handle`` column, an empty handle, a handle listed twice (compared
    as handles are: any case, with or without ``@``), and a handle that no post of the export
    names (a typo, or the wrong export). Returns the table as read (NA for missing
    cells; :mod:`tweetstorm.missing`; ``handle`` as strings, other columns as pandas infers).
    """
    df, name = _raw_table(path, ("handle",), "participant list", dtype={"handle": "string"})
    known = _export_handles(posts)
    first: dict[str, int] = {}
    for i, h in enumerate(df["handle"].tolist()):
        row = i + 2
        if h is None or pd.isna(h) or not str(h).strip().lstrip("@"):
            raise InputError(name, "column handle: empty handle",
                             "fill in the participant's handle or delete the row", row=row)
        norm = handle_key(h)
        if norm in first:
            raise InputError(name, f"column handle: @{norm} is listed twice (first in row "
                             f"{first[norm]})", "keep one row per participant", row=row)
        first[norm] = row
        if norm not in known:
            shown = str(h).strip().lstrip("@")
            raise InputError(name, f"column handle: @{shown} is not an account of any post in "
                             "the export",
                             "correct the handle (as the export writes it; Mastodon: "
                             "name@instance) or delete the row", row=row)
    return df


def read_pln(path: str | Path, participants: Iterable[str]) -> pd.DataFrame:
    """Read and check the raw PLN identification file (``participant, contact, contact_type,
    frequency``).

    ``participants``: the handles who may list contacts (the participant list's handles, or the
    posts' participants when there is no list). Raises :class:`InputError` naming the raw file,
    the row (row 1 is the header) and the column for a missing column, an empty cell, a
    ``contact_type`` or ``frequency`` outside the allowed values (:mod:`tweetstorm.pln`), a
    participant naming themselves or a contact twice, and a ``participant`` that is not one of
    ``participants``. Returns the table as read (strings, NA for missing cells).
    """
    from tweetstorm import pln as pln_module  # the PLN step's own rules for the values

    df, name = _raw_table(path, pln_module.REQUIRED_COLUMNS, "PLN identification file")
    try:
        pln_module.validate_contacts(df, source=name)
    except InputError as err:  # validate_contacts counts data rows from 1; the header is row 1
        raise err.moved(row=None if err.row is None else err.row + 1) from None
    allowed = {handle_key(h) for h in participants if not pd.isna(h)}
    for i, p in enumerate(df["participant"].tolist()):
        if handle_key(p) not in allowed:
            raise InputError(name, f"column participant: @{str(p).strip().lstrip('@')} is not a "
                             "participant of the study",
                             "correct the handle (as in the participant list) or delete the row",
                             row=i + 2)
    return df


def write_key(key: pd.DataFrame, path: str | Path | None = None) -> Path:
    """Write the key as CSV (``handle,pseudonym,kind``) to ``path``, by default
    ``data/private/pseudonym_key.csv`` (git-ignored: the key re-identifies everyone).
    Returns the path written."""
    target = paths.resolve(path) if path is not None else KEY_FILE
    return write_csv(key[["handle", "pseudonym", "kind"]], target)


def read_key(path: str | Path | None = None) -> pd.DataFrame:
    """Read a key written by :func:`write_key`."""
    source = paths.resolve(path) if path is not None else KEY_FILE
    return pd.read_csv(source, dtype="string", keep_default_na=False)



def build_unit_ids(posts: pd.DataFrame) -> pd.DataFrame:
    """Study-local ids of every post id in ``posts``: columns ``post_id`` (as exported) and
    ``unit_id`` (``U0001``, ...; four digits, more if needed), in the order of the module
    docstring: the table's posts first, then the posts it only refers to."""
    ordered = _post_order(posts)
    seen = dict.fromkeys(ordered["post_id"].dropna().astype(str))
    refs = ordered.reindex(columns=list(ID_COLUMNS[1:]))
    for row in zip(*(refs[c].tolist() for c in refs.columns), strict=True):
        for value in row:
            if value is not None and not pd.isna(value):
                seen.setdefault(str(value))
    width = max(4, len(str(len(seen))))
    return pd.DataFrame({"post_id": list(seen),
                         "unit_id": [f"U{i:0{width}d}" for i in range(1, len(seen) + 1)]},
                        dtype="string")


def _id_in_text(text: str, ids: dict[str, str]) -> str:
    """``text`` with every known post id inside it replaced by its unit id: a whole URI
    (``https://...``, ``at://...``; trailing punctuation left outside) and a tweet's number
    after ``/status/``."""
    if "://" in text:
        def uri(m: re.Match[str]) -> str:
            found = m.group()
            for cut in range(len(found), 0, -1):
                if found[:cut] in ids:
                    return ids[found[:cut]] + found[cut:]
                if found[cut - 1].isalnum() or found[cut - 1] == "/":
                    break  # only trailing punctuation may be cut off
            return found
        text = _URI.sub(uri, text)
    if "/status" in text:
        text = _STATUS_NUMBER.sub(lambda m: ids.get(m.group(), m.group()), text)
    return text


def apply_unit_ids(posts: pd.DataFrame, unit_ids: pd.DataFrame) -> pd.DataFrame:
    """``posts`` with the post ids of :data:`ID_COLUMNS` replaced by their unit ids (from
    :func:`build_unit_ids`), inside ``text`` and ``urls`` too. Rows, order and dtypes are kept;
    an id that is not in ``unit_ids`` raises :class:`InputError`, so no id leaks silently."""
    require_columns(unit_ids.columns, ("post_id", "unit_id"), "unit ids",
                    "build them with tweetstorm.pseudonymize.build_unit_ids")
    ids = dict(zip(unit_ids["post_id"].astype(str), unit_ids["unit_id"].astype(str), strict=True))
    out = posts.copy()
    for col in ID_COLUMNS:
        if col not in out.columns:
            continue
        values = out[col].astype("string")
        mapped = values.map(ids, na_action="ignore")
        missing = values.notna() & pd.Series(mapped, index=values.index).isna()
        if missing.any():
            raise InputError("posts table", f"{col} {values[missing].iloc[0]} has no unit id",
                             "build the unit ids over the same posts (build_unit_ids)")
        out[col] = mapped.astype(out[col].dtype)  # the column's own string dtype
    if "text" in out.columns:
        out["text"] = pd.array([t if t is None or pd.isna(t) else _id_in_text(str(t), ids)
                                for t in out["text"]], dtype=out["text"].dtype)
    if "urls" in out.columns:
        out["urls"] = pd.Series([[_id_in_text(str(u), ids) for u in _listify(us)]
                                 for us in out["urls"]], index=out.index, dtype=object)
    return out


def write_unit_ids(unit_ids: pd.DataFrame, path: str | Path | None = None) -> Path:
    """Write the unit ids as CSV (``post_id,unit_id``) to ``path``, by default
    ``data/private/unit_ids.csv`` (git-ignored: the exported ids re-identify the authors).
    Returns the path written."""
    target = paths.resolve(path) if path is not None else UNIT_ID_FILE
    return write_csv(unit_ids[["post_id", "unit_id"]], target)


def read_unit_ids(path: str | Path | None = None) -> pd.DataFrame:
    """Read the unit ids written by :func:`write_unit_ids`."""
    source = paths.resolve(path) if path is not None else UNIT_ID_FILE
    return pd.read_csv(source, dtype="string", keep_default_na=False)


def unit_id_lookup(unit_ids: Iterable[str],
                   mapping: pd.DataFrame | str | Path | None = None) -> dict[str, str]:
    """How a coding sheet or an adjudication file may name a unit: id as written -> unit id.

    ``unit_ids``: the ids of the coding units (the ``unit_id`` column of
    :func:`tweetstorm.coding.units`). Each stands for itself; and each post id as exported that
    ``mapping`` (a table from :func:`build_unit_ids`, or the path of one; by default
    :data:`UNIT_ID_FILE` when that file exists) gives one of these unit ids stands for it too,
    so sheets keyed by the export's ids (e.g. twarc's tweet ids) and sheets keyed by unit ids
    both work. Exported ids that map to no coding unit are left out.
    """
    units = [str(u) for u in unit_ids]
    out = dict(zip(units, units, strict=True))
    if mapping is None:
        if not UNIT_ID_FILE.is_file():
            return out
        mapping = UNIT_ID_FILE
    if not isinstance(mapping, pd.DataFrame):
        mapping = read_unit_ids(mapping)
    for exported, unit in zip(mapping["post_id"].astype(str), mapping["unit_id"].astype(str),
                              strict=True):
        if unit in out and exported not in out:
            out[exported] = unit
    return out


def pseudonymize_study(posts: pd.DataFrame, moderators: Iterable[str], participants: pd.DataFrame,
                       pln: pd.DataFrame, *, participants_file: str = "data/raw/participants.csv",
                       pln_file: str = "data/raw/pln_identification.csv"
                       ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                  pd.DataFrame]:
    """Pseudonymise the whole study at once: returns ``(posts, participants, pln, key,
    unit_ids)``.

    One key covers the posts, the participant list and the PLN session (:func:`build_key` with
    their handles as ``extra_handles``); post ids become unit ids (:func:`build_unit_ids`,
    :func:`apply_unit_ids`). The participant list and the PLN contacts come back sorted by
    pseudonym: the raw files' order (by handle) would hint at the handles.
    """
    moderators = list(moderators)
    key = build_key(posts, moderators, extra_handles(participants=participants, pln=pln))
    unit_ids = build_unit_ids(posts)
    posts = apply(apply_unit_ids(posts, unit_ids), key)
    participants = (apply_participants(participants, key, file=participants_file)
                    .sort_values("handle", kind="stable").reset_index(drop=True))
    pln = (apply_pln(pln, key, file=pln_file)
           .sort_values("participant", kind="stable").reset_index(drop=True))
    return posts, participants, pln, key, unit_ids


def people_sentence(participants: pd.DataFrame | None, pln: pd.DataFrame | None) -> str:
    """What the study's files about people hold, for a reader: the participant list
    (:func:`read_participants`) and the PLN session (:func:`read_pln`); None: the study has no
    such file."""
    if participants is None and pln is None:
        return "The study has no participant list and no PLN identification session."
    listed = (None if participants is None
              else f"participant list names {plural(len(participants), 'participant')}")
    named = (None if pln is None else f"{plural(len(pln), 'contact')} of "
             f"{plural(pln['participant'].nunique(), 'participant')}")
    if listed and named:
        return f"The {listed} and the PLN session {named}; both files passed their checks."
    if listed:
        return f"The {listed} and passed its checks; the study had no PLN identification session."
    return f"The study has no participant list; the PLN session names {named} and passed its checks."


def key_sentence(key: pd.DataFrame, unit_ids: pd.DataFrame) -> str:
    """What the pseudonym key (:func:`build_key`) and the unit ids (:func:`build_unit_ids`) hold,
    for a reader: handles by kind and post ids."""
    kinds = key["kind"].value_counts()
    n_ids = len(unit_ids)
    return (f"The key holds {plural(len(key), 'handle')}: "
            f"{plural(int(kinds.get('participant', 0)), 'participant')}, "
            f"{plural(int(kinds.get('moderator', 0)), 'moderator')} and "
            f"{plural(int(kinds.get('other', 0)), 'other account')}; "
            f"{plural(n_ids, 'post id')} (the posts of the export and the posts they refer to) "
            f"{'has' if n_ids == 1 else 'have'} a unit id.")
